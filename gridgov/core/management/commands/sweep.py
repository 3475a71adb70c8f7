"""`gridgov sweep`: mark overdue work of every flow and escalate it (督办). Idempotent; run it from cron every
minute, from as many processes as you like (see gridgov.core.flow.sweep). It also seals any audit records left
unsealed (a process stopped between its commit and its seal), so nothing waits more than a minute."""

from __future__ import annotations

import time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser

from gridgov.core.audit import seal
from gridgov.core.flow.sweep import sweep


class Command(BaseCommand):
    help = "Mark overdue work of every flow and escalate it (督办)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=5000, help="rows per transaction")

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        result = sweep(acting_user=None, batch_size=options["batch"])
        sealed = seal()
        ms = (time.perf_counter() - started) * 1000
        # One count per kind of record ("3 case(s) marked overdue and urged; 1 errand(s) …").
        parts = [f"{n} {apps.get_model(label)._meta.model_name}(s) marked overdue and urged"
                 for label, n in result.by_model.items()] or ["0 item(s) marked overdue and urged"]
        self.stdout.write(f"sweep: {'; '.join(parts)}, {result.notified} notification(s), "
                          f"{result.batches} batch(es), {sealed} audit record(s) sealed, {ms:.0f} ms")
