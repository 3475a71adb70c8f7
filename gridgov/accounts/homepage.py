"""The home page's hook: each app feeds the home page from its own `home.py`, as `nav.py` feeds the menu.

An app's `gridgov/<app>/home.py` may define

    def blocks(home: Home) -> list[Block]   # cards: to-dos, summaries, charts, quick actions
    def tiles(home: Home) -> list[Tile]     # figures in the totals strip at the foot of the page

`blocks` is asked for everyone signed in; `tiles` only for people who oversee an area (`home.overview`: the
town's leaders and administrators, grid leaders, department staff). Each returns only what the user may see,
in a fixed number of queries whatever the size of the data. Blocks and tiles are shown by `order`, smallest
first (apps are asked in INSTALLED_APPS order, which breaks ties); the orders in use are listed below. A block
is a template of the app's own (`<app>/home/<name>.html`) shown with `block` = its context; a chart is a block
whose template draws it (ECharts is served as /static/vendor/echarts/).

Accounts owns the page and imports none of the apps that feed it (`core/tests/test_layers.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .roles import Role

# Orders of the blocks fed today: leave gaps so that a new app can slot between them.
WELCOME, CASE_QUEUES, CASE_SUMMARY, ROLES, MY_GRIDS, LED_GRIDS, DEPARTMENT = 0, 10, 20, 30, 40, 50, 60
# Orders of the tiles of the totals strip.
GRIDS, VILLAGES, REGIONS, RESIDENTS, HOUSEHOLDS, ENTERPRISES, KEY_ENTERPRISES = 10, 20, 30, 40, 50, 60, 70


@dataclass(frozen=True)
class Block:
    """One card of the home page: `template` shown with `block` = `context`."""

    order: int
    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Tile:
    """One figure of the totals strip: `value` over `label`, linking to `url`."""

    order: int
    label: str
    value: Any
    url: str


@dataclass(frozen=True)
class Home:
    """Who the home page is for: the user and their role assignments (read once for every app)."""

    user: Any
    assignments: list[Any]

    @property
    def roles(self) -> set[str]:
        return {a.role for a in self.assignments}

    @property
    def leads_town(self) -> bool:
        """A town (subdistrict) leader or administrator: sees the whole town's figures."""
        return bool(self.roles & {Role.LEADER, Role.ADMIN})

    def division_ids(self, role: str) -> list[int]:
        """The divisions the user holds `role` over."""
        return [a.division_id for a in self.assignments if a.role == role and a.division_id]

    def department_ids(self) -> list[int]:
        """The departments of any of the user's assignments."""
        return [a.department_id for a in self.assignments if a.department_id]

    @property
    def works_for_department(self) -> bool:
        """Department staff or a professional grid worker attached to a department."""
        return bool(self.roles & {Role.DEPT_STAFF, Role.PRO_WORKER}) and bool(self.department_ids())

    @property
    def overview(self) -> bool:
        """Oversees an area (the whole town, region grids or a department's enterprises): gets the totals strip."""
        return self.leads_town or Role.GRID_LEADER in self.roles or self.works_for_department
