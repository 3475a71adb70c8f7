"""Test personas (the people of the article) on a small world of two towns.

Town 泊里镇 has village 董家口村 with region grid 1 holding base grids A and B; town 辛安街道 has one community
with one region and one base grid. Personas: grid worker of grid A, grid worker of grid B, grid leader of
region 1, a department clerk of 泊里镇's 应急管理办公室, the town leader of 泊里镇, the leader of 辛安街道, an
administrator of 泊里镇, a resident with no staff role.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from gridgov.accounts.models import RoleAssignment, User
from gridgov.accounts.roles import Role
from gridgov.network.models import Department, Division, GeoState, GridType, Level

PASSWORD = "gridgov-test-1"


def square(lon: float, lat: float, size: float) -> str:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _node(parent: Division | None, level: int, code: str, name: str, polygon: str = "",
          grid_type: str = "") -> Division:
    d = Division(parent=parent, level=level, code=code, name=name, polygon=polygon, grid_type=grid_type,
                 path=(parent.path if parent else "") + code + "/")
    if parent is not None and level > Level.TOWN:
        d.town = parent if parent.level == Level.TOWN else parent.town
    d.save()
    if level == Level.TOWN:
        d.town = d
        d.save(update_fields=["town"])
    return d


@dataclass
class World:
    district: Division
    town: Division
    village: Division
    region: Division
    grid_a: Division
    grid_b: Division
    other_town: Division
    other_grid: Division
    department: Department
    other_department: Department
    people: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        people = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        raise AttributeError(name)

    # Points inside each base grid (lat, lon).
    point_a = (35.905, 120.005)
    point_b = (35.905, 120.015)
    point_other = (36.005, 120.105)
    point_outside = (30.0, 110.0)


def _user(username: str, display: str, kind: str = User.Kind.STAFF, town: Division | None = None) -> User:
    u = User(username=username, display_name=display, kind=kind, town=town)
    u.set_password(PASSWORD)
    u.save()
    return u


def build_world() -> World:
    district = _node(None, Level.DISTRICT, "370211", "黄岛区")
    town = _node(district, Level.TOWN, "370211107000", "泊里镇")
    village = _node(town, Level.VILLAGE, "370211107201", "董家口村")
    region = _node(village, Level.REGION_GRID, "370211107201001", "第一片区网格", square(120.0, 35.9, 0.02))
    grid_a = _node(region, Level.BASE_GRID, "370211107201001001", "网格A", square(120.0, 35.9, 0.01),
                   GridType.RURAL)
    grid_b = _node(region, Level.BASE_GRID, "370211107201001002", "网格B", square(120.01, 35.9, 0.01),
                   GridType.URBAN)
    other_town = _node(district, Level.TOWN, "370211004000", "辛安街道")
    other_village = _node(other_town, Level.VILLAGE, "370211004001", "辛安社区")
    other_region = _node(other_village, Level.REGION_GRID, "370211004001001", "辛安第一片区",
                         square(120.1, 36.0, 0.01))
    other_grid = _node(other_region, Level.BASE_GRID, "370211004001001001", "辛安网格1",
                       square(120.1, 36.0, 0.01), GridType.URBAN)
    GeoState.objects.update_or_create(pk=1, defaults={"version": 1})
    department = Department.objects.create(town=town, code="D01", name="应急管理办公室")
    other_department = Department.objects.create(town=other_town, code="D01", name="辛安应急办")
    w = World(district, town, village, region, grid_a, grid_b, other_town, other_grid, department,
              other_department)

    def staff(key: str, display: str, role: str, division: Division | None = None,
              department: Department | None = None, category: str = "") -> None:
        u = _user(key, display, town=(division.town if division and division.town else town))
        RoleAssignment.objects.create(user=u, role=role, division=division, department=department,
                                      category=category)
        w.people[key] = u

    staff("worker_a", "网格员甲", Role.GRID_WORKER, grid_a)
    staff("worker_b", "网格员乙", Role.GRID_WORKER, grid_b)
    staff("grid_leader", "网格长丙", Role.GRID_LEADER, region)
    staff("clerk", "部门科员丁", Role.DEPT_STAFF, department=department)
    staff("leader", "镇领导戊", Role.LEADER, town)
    staff("other_leader", "辛安领导己", Role.LEADER, other_town)
    staff("admin", "管理员庚", Role.ADMIN, town)
    w.people["resident"] = _user("resident", "居民辛", kind=User.Kind.RESIDENT, town=town)
    return w
