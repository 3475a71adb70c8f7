"""`gridgov restore FILE`: put a backup back (database and media), then verify the audit chain.

Stop the server first: the database's content is replaced."""

from django.core.management.base import BaseCommand, CommandError

from gridgov.core.audit import verify
from gridgov.core.backup import BackupError, audit_tip, restore


class Command(BaseCommand):
    help = "Restore a backup written by `gridgov backup` (replaces the database and the media directory)"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        try:
            manifest = restore(options["file"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        result = verify()
        count, tip = audit_tip()
        if not result.ok or (count, tip) != (manifest["audit_count"], manifest["audit_tip"]):
            for p in result.problems:
                self.stderr.write(p)
            raise CommandError("restored, but the audit chain does not match the backup's")
        self.stdout.write(f"restored {options['file']} (taken {manifest['created']}); "
                          f"audit chain OK: {result.checked} record(s)")
