"""`gridgov import residents|households|enterprises FILE --as USERNAME [--partial] [--report REPORT]`

Imports a .xlsx or .csv file as that user (their scope applies: a grid worker imports into their own grid
only). Prints what happened and the first row errors; `--report` writes the whole error report (.xlsx or
.csv). `gridgov import residents --template FILE` writes the empty import template. Exit status 1 when the
file was rejected or had errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gridgov.core.errors import GridgovError
from gridgov.register import selectors, services
from gridgov.register.columns import KINDS, import_summary
from gridgov.register.management.common import user_named, write_chunks


class Command(BaseCommand):
    help = "Import register records (residents, households, enterprises) from .xlsx or .csv"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file", nargs="?", help=".xlsx or .csv file to import")
        parser.add_argument("--as", dest="username", help="the user who imports (their scope applies)")
        parser.add_argument("--partial", action="store_true",
                            help="import the good rows only (default: any bad row imports nothing)")
        parser.add_argument("--report", help="write the per-row error report to this .xlsx or .csv file")
        parser.add_argument("--template", help="write the empty import template to this .xlsx or .csv file")

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        if options["template"]:
            path = options["template"]
            ex = selectors.import_template(kind=kind, fmt=Path(path).suffix)
            write_chunks(path, ex.chunks)
            self.stdout.write(f"template written: {path}")
            return
        if not options["file"] or not options["username"]:
            raise CommandError("usage: gridgov import KIND FILE --as USERNAME [--partial] [--report FILE]")
        if not Path(options["file"]).is_file():
            raise CommandError(f"no such file: {options['file']}")
        user = user_named(options["username"])
        try:
            result = services.register_import(acting_user=user, kind=kind, file=options["file"],
                                               partial=options["partial"])
        except GridgovError as exc:
            for field, reasons in exc.errors.items():
                for reason in reasons:
                    self.stderr.write(f"{field}: {reason}")
            raise CommandError(exc.message) from None
        summary = import_summary(result, max_rows=20)
        self.stdout.write(summary["detail"])
        for e in summary["row_errors"]:
            self.stdout.write(f"  第 {e['row']} 行 {e['column']}：{e['reason']}")
        if result.error_count > len(summary["row_errors"]):
            self.stdout.write(f"  … 共 {result.error_count} 处错误")
        if options["report"] and result.run is not None:
            ex = selectors.import_report(user=user, pk=result.run.pk, fmt=Path(options["report"]).suffix)
            write_chunks(options["report"], ex.chunks)
            self.stdout.write(f"error report written: {options['report']}")
        if result.error_count:
            raise CommandError(summary["detail"])
