"""`gridgov boundaries import FILE --user ADMIN [--crs gcj02] [--save-valid]` imports the division tree's polygons
from a GeoJSON or a zipped Shapefile as that administrator (their scope, audited under their name), printing the
per-feature error report; `gridgov boundaries export --user NAME [--town CODE] [--crs gcj02] [-o FILE]` writes
the tree as a GeoJSON FeatureCollection."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridgov.core.errors import ValidationFailed


class Command(BaseCommand):
    help = "Import or export the division tree's polygons (GeoJSON / Shapefile, WGS-84 or GCJ-02)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import FILE (.geojson/.json, or a .zip of a Shapefile)")
        imp.add_argument("file", type=Path)
        imp.add_argument("--user", required=True, help="the administrator whose scope applies")
        imp.add_argument("--crs", choices=("wgs84", "gcj02"), default="wgs84")
        imp.add_argument("--save-valid", action="store_true", help="save the features without errors anyway")
        exp = sub.add_parser("export", help="write a GeoJSON FeatureCollection")
        exp.add_argument("--user", required=True)
        exp.add_argument("--town", default="", help="division code of one town")
        exp.add_argument("--crs", choices=("wgs84", "gcj02"), default="wgs84")
        exp.add_argument("-o", "--output", type=Path)

    def handle(self, *args, **options) -> None:
        from gridgov.accounts.models import User
        from gridgov.network import boundaries
        from gridgov.network.models import Division

        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active account {options['user']}")
        if options["action"] == "export":
            town = None
            if options["town"]:
                town = Division.objects.restrict(user, "view").filter(code=options["town"]).first()
                if town is None:
                    raise CommandError(f"no division {options['town']} in the scope of {user.username}")
            text = json.dumps(boundaries.export(user=user, town=town, crs=options["crs"]), ensure_ascii=False)
            if options["output"]:
                options["output"].write_text(text, encoding="utf-8")
            else:
                self.stdout.write(text)
            return
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            features = boundaries.read_file(path.name, path.read_bytes())
            report = boundaries.boundaries_import(acting_user=user, features=features, crs=options["crs"],
                                                  save_valid=options["save_valid"])
        except ValidationFailed as exc:
            raise CommandError("; ".join(exc.lines({}))) from None
        for f in report.errors:
            for e in f.errors:
                self.stderr.write(f"{f.label}: {e}")
        if not report.saved:
            raise CommandError(f"{len(report.errors)} feature(s) with errors: nothing imported "
                               "(--save-valid imports the others)")
        self.stdout.write(f"created {report.created}, updated {report.updated}, skipped {len(report.errors)}")
