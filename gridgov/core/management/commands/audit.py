"""`gridgov audit verify`: recompute the audit hash chain; exit 1 naming each edited or deleted record."""

from django.core.management.base import BaseCommand, CommandError

from gridgov.core.audit import verify


class Command(BaseCommand):
    help = "Audit chain tools: verify"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        result = verify()
        if result.ok:
            self.stdout.write(f"audit chain OK: {result.checked} record(s) verified")
            return
        for p in result.problems:
            self.stderr.write(p)
        raise CommandError(f"audit chain BROKEN: {len(result.problems)} problem(s) in {result.checked} record(s)")
