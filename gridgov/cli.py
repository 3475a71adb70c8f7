"""The `gridgov` console command: a thin front over Django management commands.

    gridgov run [ADDR]        serve (development server; use a WSGI server behind a proxy in production)
    gridgov demo              build the demo towns (idempotent) and print a login per persona
    gridgov migrate           create or upgrade the database
    gridgov import …          import register files (.xlsx / .csv)
    gridgov export …          export register lists
    gridgov audit verify      check the audit hash chain and its signed anchors; name any edited, deleted or
                              rewritten record (audit anchor: anchor the tip now; audit key: the public key)
    gridgov audit seal        chain audit records written since the last seal (gridgov sweep does it too)
    gridgov backup FILE       write a consistent backup; gridgov restore FILE puts it back
    gridgov compilemessages   build the translation catalogues (no gettext tools needed)
Any other Django management command works too.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(__doc__)
        return
    if args[0] == "run":
        args = ["runserver", "--noreload", *args[1:]] if len(args) > 1 else ["runserver", "--noreload",
                                                                              "127.0.0.1:8000"]
    elif args[0] == "compilemessages":
        args = ["compile_catalogues", *args[1:]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gridgov", *args])


if __name__ == "__main__":
    main()
