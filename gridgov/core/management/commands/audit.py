"""`gridgov audit verify`: seal what is waiting, then recompute the audit hash chain; exit 1 naming each edited or
deleted record. `gridgov audit seal`: chain the records written since the last seal (cron-safe, idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from gridgov.core.audit import seal_all, verify


class Command(BaseCommand):
    help = "Audit chain tools: verify, seal"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "seal"])

    def handle(self, *args, **options):
        sealed = seal_all()
        if options["action"] == "seal":
            self.stdout.write(f"audit chain: {sealed} record(s) sealed")
            return
        result = verify()
        if result.ok:
            waiting = f", {result.unsealed} written meanwhile and not yet sealed" if result.unsealed else ""
            self.stdout.write(f"audit chain OK: {result.checked} record(s) verified{waiting}")
            return
        for p in result.problems:
            self.stderr.write(p)
        raise CommandError(f"audit chain BROKEN: {len(result.problems)} problem(s) in {result.checked} record(s)")
