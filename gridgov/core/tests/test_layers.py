"""The floors of gridgov: no module of the foundation (core, accounts, network, register) imports a capability
app (cases, party, demo, and every app to come). A capability plugs into the floors below through a hook the
lower floor owns and discovers over INSTALLED_APPS (`core/hooks.py`: nav.py, home.py, demo.py, and the tests'
scope_fixtures.py), so a new app edits no one else's code and the foundation runs without any of them.

Tests are not exempt: a foundation test that needs a capability's data finds it by discovery (the scope walk
gathers each app's `tests/scope_fixtures.py`), and a test of what a capability adds to a foundation page (its
home-page block, its pages in the browser) lives in that capability's own tests. Read from the source (AST), so
an import inside a function counts as much as one at the top, and so does `import_module("gridgov.cases…")`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import gridgov

ROOT = Path(gridgov.__file__).parent
FOUNDATION = ("core", "accounts", "network", "register")
# Besides the foundation's packages, the foundation may import these modules of gridgov itself.
SHARED = ("testing",)


def _imported(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, absolute dotted name) of every import in a module's tree, relative ones resolved."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            found += [(node.lineno, f"{name}.{a.name}") for a in node.names if name == "gridgov"]
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in
              ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            found.append((node.lineno, node.args[0].value))
    return found


def _allowed(name: str) -> bool:
    parts = name.split(".")
    return parts[0] != "gridgov" or len(parts) == 1 or parts[1] in FOUNDATION + SHARED


def violations(root: Path = ROOT) -> list[str]:
    """`path:line imports name` for each import of a capability by a foundation module."""
    out = []
    for floor in FOUNDATION:
        for path in sorted((root / floor).rglob("*.py")):
            rel = path.relative_to(root.parent)
            module = ".".join(rel.with_suffix("").parts)
            is_package = path.name == "__init__.py"
            if is_package:
                module = module.rpartition(".")[0]
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            out += [f"{rel}:{line} imports {name}" for line, name in _imported(tree, module, is_package)
                    if not _allowed(name)]
    return out


def test_it_finds_no_foundation_module_that_imports_a_capability():
    assert violations() == []


def test_it_catches_each_way_of_importing_a_capability(tmp_path):
    """The walk itself can fail: a planted foundation module with every form of import is caught, line by line."""
    pkg = tmp_path / "gridgov"
    (pkg / "register" / "tests").mkdir(parents=True)
    for d in (pkg, pkg / "register", pkg / "register" / "tests"):
        (d / "__init__.py").write_text("")
    (pkg / "register" / "tests" / "test_x.py").write_text(
        "import gridgov.cases.models\n"
        "from gridgov.party import demo\n"
        "from gridgov import demo as d, core\n"
        "from ...cases.engine import fire\n"
        "from ..selectors import home_counts\n"
        "def f():\n"
        "    from gridgov.enforcement.models import Penalty\n"
        "    import_module('gridgov.party.nav')\n"
        "from gridgov.core.hooks import app_modules\n"
        "from gridgov.network.models import Division\n"
        "from gridgov.testing import PASSWORD\n")
    assert violations(pkg) == [
        "gridgov/register/tests/test_x.py:1 imports gridgov.cases.models",
        "gridgov/register/tests/test_x.py:2 imports gridgov.party",
        "gridgov/register/tests/test_x.py:3 imports gridgov.demo",
        "gridgov/register/tests/test_x.py:4 imports gridgov.cases.engine",
        "gridgov/register/tests/test_x.py:7 imports gridgov.enforcement.models",
        "gridgov/register/tests/test_x.py:8 imports gridgov.party.nav",
    ]
