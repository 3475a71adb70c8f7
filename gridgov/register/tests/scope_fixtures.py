"""Scope fixtures of the register for the scope walk (docs/scope.md): one resident, household and enterprise
in grid A, grid B and the other town, each with a name found nowhere else (the canaries)."""

from __future__ import annotations

from typing import Any

from gridgov.core.validators import (
    credit_code_check_char,
    org_code_check_char,
    parse_resident_id,
    resident_id_check_char,
)
from gridgov.network.models import Division
from gridgov.register.models import Enterprise, Household, ImportRun, Resident, ResidentTag

_PLACES = {"grid_a": ("甲", "A"), "grid_b": ("乙", "B"), "other_town": ("丙", "C")}


def _credit_code(n: int) -> str:
    org8 = f"MA{n:06d}"
    first17 = "91370211" + org8 + org_code_check_char(org8)
    return first17 + credit_code_check_char(first17)


def _grid(world: Any, position: str) -> Division:
    return {"grid_a": world.grid_a, "grid_b": world.grid_b, "other_town": world.other_grid}[position]


def scope_fixtures(world: Any) -> dict[str, Any]:
    dept_for = {"grid_a": world.department, "grid_b": None, "other_town": world.other_department}
    households, residents, enterprises = {}, {}, {}
    for i, (position, (mark, code)) in enumerate(_PLACES.items(), start=1):
        grid = _grid(world, position)
        households[position] = Household.objects.create(
            number=f"SCOPE-{code}01", address=f"走查{mark}户住址", grid=grid, town=grid.town)
        first17 = f"3702111980010{i}00{i}"
        id_number = first17 + resident_id_check_char(first17)
        birth, sex = parse_resident_id(id_number)
        residents[position] = r = Resident.objects.create(
            name=f"走查{mark}居民", id_number=id_number, sex=sex, birth_date=birth, phone=f"1380000000{i}",
            household=households[position], relation="head", address=f"走查{mark}户住址", grid=grid,
            town=grid.town)
        ResidentTag.objects.create(resident=r, tag="dibao")
        lat, lon = {"grid_a": world.point_a, "grid_b": world.point_b, "other_town": world.point_other}[position]
        enterprises[position] = Enterprise.objects.create(
            name=f"走查{mark}企业有限公司", credit_code=_credit_code(i), industry="制造业", scale="small",
            legal_representative=f"走查{mark}法人", legal_rep_phone=f"1390000000{i}", address=f"走查{mark}企业地址",
            lat=lat, lon=lon, grid=grid, town=grid.town, department=dept_for[position])
    owners = {"grid_a": world.worker_a, "grid_b": world.worker_b, "other_town": world.other_leader}
    imports = {position: ImportRun.objects.create(
        user=owners[position], kind="residents", file_name=f"走查{mark}导入.xlsx", total_rows=1, error_count=1,
        errors=[[2, "身份证号", "", "身份证号校验位错误"]]) for position, (mark, _code) in _PLACES.items()}
    return {"residents": residents, "households": households, "enterprises": enterprises,
            "household": households, "imports": imports}
