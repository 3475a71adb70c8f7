"""`gridgov demo`: build the demo towns 泊里镇 and 辛安街道 once (idempotent), let each app add its demo data, and
print a login per persona. The foundation and the seeds are found through each app's demo.py (core/demo.py)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Build the demo towns (idempotent) and print the demo logins"

    def add_arguments(self, parser):
        parser.add_argument("--foundation-only", action="store_true",
                            help="only the towns, grids, staff and register; skip the apps' demo seeds")

    def handle(self, *args, **options):
        from django.conf import settings

        from gridgov.core.demo import run_demo

        # Development servers run with DEBUG, which keeps every SQL statement with its quoted parameters in
        # memory; the seed's bulk inserts would spend a good part of their time there. Not needed here.
        settings.DEBUG = False
        run_demo(out=self.stdout.write, with_apps=not options["foundation_only"])
