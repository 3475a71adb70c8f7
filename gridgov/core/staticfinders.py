"""Static files from installed npm packages, only the files a page loads.

`STATICFILES_DIRS` serves a whole directory: mermaid's `dist/` is 130 MB (three builds, type declarations,
source maps), of which the flow page loads the ES module build and the chunks it imports (about 6 MB).
`STATIC_PACKAGE_FILES` names, per package, the URL prefix, the package's directory and the glob patterns of
the files to serve; `collectstatic` copies those and nothing else, and the development server finds the same.

    STATIC_PACKAGE_FILES = [("vendor/mermaid", NODE / "mermaid" / "dist",
                             ("mermaid.esm.min.mjs", "chunks/mermaid.esm.min/*.mjs"))]
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.contrib.staticfiles.utils import matches_patterns
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage


class PackageFilesFinder(BaseFinder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.packages = [(prefix.strip("/"), Path(root), tuple(patterns))
                         for prefix, root, patterns in getattr(settings, "STATIC_PACKAGE_FILES", ())]
        self.storages = {}
        for prefix, root, _patterns in self.packages:
            storage = FileSystemStorage(location=str(root))
            storage.prefix = prefix  # collectstatic copies a file to <prefix>/<its path in the package>
            self.storages[prefix] = storage
        super().__init__(*args, **kwargs)

    def check(self, **kwargs: Any) -> list[Error]:
        return [Error(f"STATIC_PACKAGE_FILES: {root} is not a directory (run `make frontend`)",
                      id="gridgov.E010") for _prefix, root, _p in self.packages if not root.is_dir()]

    @staticmethod
    def _served(relative: str, patterns: tuple[str, ...]) -> bool:
        return any(fnmatch(relative, p) for p in patterns)

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str]:
        found: list[str] = []
        for prefix, root, patterns in self.packages:
            if not path.startswith(prefix + "/"):
                continue
            relative = path[len(prefix) + 1:]
            candidate = root / relative
            if self._served(relative, patterns) and candidate.is_file():
                if not find_all:
                    return str(candidate)
                found.append(str(candidate))
        return found  # nothing found: [] (what Django's finders answer, whichever find_all)

    def list(self, ignore_patterns: list[str] | None) -> Iterator[tuple[str, FileSystemStorage]]:
        for prefix, root, patterns in self.packages:
            storage = self.storages[prefix]
            for pattern in patterns:
                for file in sorted(root.glob(pattern)):
                    relative = file.relative_to(root).as_posix()
                    if file.is_file() and not matches_patterns(relative, ignore_patterns or ()):
                        yield relative, storage
