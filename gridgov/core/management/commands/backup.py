"""`gridgov backup FILE`: a consistent backup of the database and the uploaded files (see core/backup.py)."""

from django.core.management.base import BaseCommand, CommandError

from gridgov.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write a consistent backup of the database and the media directory to FILE (.tar or .tar.gz)"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        try:
            info = backup(options["file"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"backup written: {info.path} ({info.engine}, {info.audit_count} audit record(s), "
                          f"{info.media_files} media file(s))")
