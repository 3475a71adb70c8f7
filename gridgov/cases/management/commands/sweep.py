"""`gridgov sweep`: mark overdue cases and escalate them (督办). Idempotent; run it from cron every minute,
from as many processes as you like (see gridgov.cases.services.case_sweep). It also seals any audit records left
unsealed (a process stopped between its commit and its seal), so nothing waits more than a minute."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from gridgov.cases.services import case_sweep
from gridgov.core.audit import seal


class Command(BaseCommand):
    help = "Mark overdue cases and escalate them (督办)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=5000, help="cases per transaction")

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        result = case_sweep(acting_user=None, batch_size=options["batch"])
        sealed = seal()
        ms = (time.perf_counter() - started) * 1000
        self.stdout.write(f"sweep: {result.marked} case(s) marked overdue and urged, "
                          f"{result.notified} notification(s), {result.batches} batch(es), "
                          f"{sealed} audit record(s) sealed, {ms:.0f} ms")
