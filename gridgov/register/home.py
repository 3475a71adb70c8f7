"""Home page blocks of the register: a grid worker's grids with 登记 buttons, a grid leader's grids, the
enterprises a department supervises; and the register's figures in the totals strip."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from gridgov.accounts.homepage import (
    DEPARTMENT,
    ENTERPRISES,
    HOUSEHOLDS,
    KEY_ENTERPRISES,
    LED_GRIDS,
    MY_GRIDS,
    RESIDENTS,
    Block,
    Home,
    Tile,
)
from gridgov.accounts.roles import Role

from . import selectors


def blocks(home: Home) -> list[Block]:
    out = []
    roles = home.roles
    if Role.GRID_WORKER in roles:
        grids = selectors.home_grids(user=home.user, division_ids=home.division_ids(Role.GRID_WORKER))
        out.append(Block(MY_GRIDS, "register/home/my_grids.html", {"grids": grids}))
    if Role.GRID_LEADER in roles:
        paths = [a.division.path for a in home.assignments if a.role == Role.GRID_LEADER and a.division_id]
        out.append(Block(LED_GRIDS, "register/home/led_grids.html",
                         {"grids": selectors.home_grids_under(user=home.user, paths=paths)}))
    if home.works_for_department:
        out.append(Block(DEPARTMENT, "register/home/department.html", selectors.home_department_enterprises(
            user=home.user, department_ids=home.department_ids())))
    return out


def tiles(home: Home) -> list[Tile]:
    counts = selectors.home_counts(user=home.user, key_enterprises=home.leads_town)
    url = {"residents": reverse("register:resident_list"), "households": reverse("register:household_list"),
           "enterprises": reverse("register:enterprise_list")}
    shown = [(RESIDENTS, "residents", _("居民"), url["residents"]),
             (HOUSEHOLDS, "households", _("户"), url["households"]),
             (ENTERPRISES, "enterprises", _("企业"), url["enterprises"]),
             (KEY_ENTERPRISES, "key_enterprises", _("重点企业"), url["enterprises"] + "?is_key=true")]
    return [Tile(order, label, counts[key], link) for order, key, label, link in shown if key in counts]
