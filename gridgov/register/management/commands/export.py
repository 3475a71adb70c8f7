"""`gridgov export residents|households|enterprises FILE --as USERNAME [--filter k=v ...] [--unmask --reason R]`

Writes the rows of the list the user may export (the same filters as the list page: q, grid, sex, tag,
age_min, age_max, household; industry, scale, is_key, department for enterprises) to FILE (.xlsx or .csv by
its extension). Personal fields are masked unless --unmask is given with a --reason by a user allowed to see
them; every export is written to the access log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gridgov.core.errors import GridgovError
from gridgov.register import selectors
from gridgov.register.columns import KINDS
from gridgov.register.management.common import user_named, write_chunks


class Command(BaseCommand):
    help = "Export a filtered register list to .xlsx or .csv (masked unless --unmask --reason)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file", help="output file, .xlsx or .csv")
        parser.add_argument("--as", dest="username", required=True, help="the user who exports")
        parser.add_argument("--filter", action="append", default=[], metavar="KEY=VALUE",
                            help="a list filter, e.g. --filter tag=dibao --filter grid=12 (repeatable)")
        parser.add_argument("--unmask", action="store_true", help="export ID numbers and phones in clear")
        parser.add_argument("--reason", default="", help="why the clear personal data is needed (logged)")

    def handle(self, *args: Any, **options: Any) -> None:
        filters: dict[str, str] = {}
        for item in options["filter"]:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise CommandError(f"--filter wants KEY=VALUE, got {item!r}")
            filters[key.strip()] = value.strip()
        user = user_named(options["username"])
        path = options["file"]
        try:
            ex = selectors.export_list(user=user, kind=options["kind"], filters=filters, fmt=Path(path).suffix,
                                       unmask=options["unmask"], reason=options["reason"])
            write_chunks(path, ex.chunks)
        except GridgovError as exc:
            for field, reasons in exc.errors.items():
                for reason in reasons:
                    self.stderr.write(f"{field}: {reason}")
            raise CommandError(exc.message) from None
        what = "unmasked" if ex.unmasked else "masked"
        self.stdout.write(f"{ex.count} row(s) exported ({what}) to {path}")
