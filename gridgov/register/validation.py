"""Per-record validation of the register, shared by the single-record services and the file imports.

Each `clean_<model>(data, lookups)` turns one record's input (a form, a JSON body or a spreadsheet row) into an
unsaved model instance plus an `errors` dict {field: [reasons in zh-Hans]}. How grids, households, departments
and duplicates are found is the `Lookups`' business: `DbLookups` asks the database for each record (one
record at a time), `BulkLookups` loads what an import needs into dicts once, so 100,000 rows cost no
per-row queries.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gridgov.core.errors import ValidationFailed
from gridgov.core.scope import resource_of, scope_q
from gridgov.core.validators import parse_resident_id, validate_credit_code, validate_mobile
from gridgov.network.models import Department, Division, Level

from .models import Enterprise, Household, Resident, Tag

Errors = dict[str, list[str]]

_SPLIT = re.compile(r"[、,，;；/|\s]+")
_TRUE = {"1", "是", "y", "yes", "true", "t", "√", "✔"}
_FALSE = {"", "0", "否", "n", "no", "false", "f"}


def add_error(errors: Errors, name: str, reason: str) -> None:
    errors.setdefault(name, []).append(reason)


def raise_if(errors: Errors, model: type[models.Model]) -> None:
    """Turn collected errors into one ValidationFailed whose message names the first field in zh-Hans."""
    if not errors:
        return
    labels = {f.name: str(f.verbose_name) for f in model._meta.fields}
    labels.update(tags=_("标签"), location=_("位置"), grid_code=_("网格代码"))
    first, reasons = next(iter(errors.items()))
    raise ValidationFailed(errors, message=_("%(field)s：%(reason)s") % {
        "field": labels.get(first, first), "reason": reasons[0]})


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value).strip()


def _check_lengths(obj: models.Model, names: tuple[str, ...], errors: Errors) -> None:
    for name in names:
        f = obj._meta.get_field(name)
        value = getattr(obj, name)
        if f.max_length and value and len(value) > f.max_length:  # type: ignore[attr-defined]
            add_error(errors, name, _("不能超过 %(n)d 个字") % {"n": f.max_length})  # type: ignore[attr-defined]


@functools.cache
def _choice_table(choices: type[models.Choices], language: str | None) -> dict[str, str]:
    """Code → code and label → code, with the Chinese labels always accepted (files are written in Chinese
    whatever the user's page language)."""
    with translation.override("zh-hans"):
        table = {str(label): value for value, label in choices.choices}
    table.update({str(label): value for value, label in choices.choices})
    table.update({value: value for value in choices.values})
    return table


def choice_value(raw: Any, choices: type[models.Choices]) -> str | None:
    """A choice given as its code ("head") or its label ("户主"); None if it is neither. Tables are built once
    per language: this runs for every row of an import."""
    text = "" if raw is None else str(raw).strip()
    return _choice_table(choices, get_language()).get(text)


def parse_tags(raw: Any) -> tuple[list[str], list[str]]:
    """Tags from a list or a "低保、独居老人" cell: (known tag codes, unknown words)."""
    items = raw if isinstance(raw, list | tuple) else _SPLIT.split(str(raw or ""))
    good: list[str] = []
    bad: list[str] = []
    table = _choice_table(Tag, get_language())
    for item in items:
        item = str(item).strip()
        if not item:
            continue
        code = table.get(item)
        if code is None:
            bad.append(item)
        elif code not in good:
            good.append(code)
    return good, bad


def parse_bool(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = str(raw or "").strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


# -------------------------------------------------------------------------------------------- lookups

class Lookups:
    """How validation finds related rows. Methods return the row or a reason (str) why it cannot be used."""

    def __init__(self, user: Any):
        self.user = user

    def grid(self, ref: Any, *, by: str = "pk") -> Division | str:
        raise NotImplementedError

    def household(self, ref: Any, town_id: int, *, by: str = "pk") -> int | str | None:
        raise NotImplementedError

    def department(self, ref: Any, town_id: int, *, by: str = "pk") -> int | str | None:
        raise NotImplementedError

    def resident_id_taken(self, town_id: int, id_number: str, exclude_pk: Any = None) -> bool:
        raise NotImplementedError

    def household_number_taken(self, town_id: int, number: str, exclude_pk: Any = None) -> bool:
        raise NotImplementedError

    def credit_code_taken(self, town_id: int, code: str, exclude_pk: Any = None) -> bool:
        raise NotImplementedError

    def locate(self, lat: float, lon: float) -> int | None:
        from gridgov.network.selectors import locator_cache

        return locator_cache.get().locate(lat, lon)


def _grid_reason(found: Division | None) -> Division | str:
    if found is None:
        return _("网格不存在或不在您的管辖范围内")
    if found.level != Level.BASE_GRID:
        return _("只能登记到基础网格")
    return found


class DbLookups(Lookups):
    """One record at a time: each question is one query. The grid must be visible to the actor; what the
    actor may do there is checked after the write, when the row is read back through restrict()."""

    def grid(self, ref: Any, *, by: str = "pk") -> Division | str:
        ref = getattr(ref, "pk", ref)
        if not ref:
            return _("必须选择所属网格")
        qs = Division.objects.restrict(self.user, "view")
        if by == "code":
            found = qs.filter(code=str(ref)).first()
        else:
            found = qs.filter(pk=ref).first() if str(ref).isdigit() else None
        return _grid_reason(found)

    def household(self, ref: Any, town_id: int, *, by: str = "pk") -> int | str | None:
        ref = getattr(ref, "pk", ref)
        if not ref:
            return None
        qs = Household.objects.restrict(self.user, "view")
        if by == "number":
            found = qs.filter(town_id=town_id, number=str(ref)).first()
        else:
            found = qs.filter(pk=ref).first() if str(ref).isdigit() else None
        if found is None or found.town_id != town_id:
            return _("所属户不存在或不属于本镇街")
        return found.pk

    def department(self, ref: Any, town_id: int, *, by: str = "pk") -> int | str | None:
        ref = getattr(ref, "pk", ref)
        if not ref:
            return None
        if by == "code":
            found = Department.objects.filter(town_id=town_id).filter(Q(code=str(ref)) | Q(name=str(ref))).first()
        else:
            found = Department.objects.filter(pk=ref).first() if str(ref).isdigit() else None
        if found is None or found.town_id != town_id:
            return _("主管部门不存在或不属于本镇街")
        return found.pk

    def resident_id_taken(self, town_id: int, id_number: str, exclude_pk: Any = None) -> bool:
        return Resident.objects.filter(town_id=town_id, id_number=id_number).exclude(pk=exclude_pk).exists()

    def household_number_taken(self, town_id: int, number: str, exclude_pk: Any = None) -> bool:
        return Household.objects.filter(town_id=town_id, number=number).exclude(pk=exclude_pk).exists()

    def credit_code_taken(self, town_id: int, code: str, exclude_pk: Any = None) -> bool:
        return Enterprise.objects.filter(town_id=town_id, credit_code=code).exclude(pk=exclude_pk).exists()


def addable_grids_q(user: Any, model: type[models.Model], action: str = "add") -> Q | None:
    """Base grids where `user` may `action` rows of `model` (a grid-scoped model): the model's scope
    translated onto the division tree. None means none at all."""
    q = scope_q(model, user, action)
    if q is None:
        return None
    grants = user.grants(action, resource_of(model))
    if any(g.kind == "all" for g in grants):
        return Q()
    paths = [g.value for g in grants if g.kind == "division"]
    if not paths:
        return None
    out = Q()
    for i, p in enumerate(paths):
        out = Q(path__startswith=p) if i == 0 else out | Q(path__startswith=p)
    return out


@dataclass
class BulkLookups(Lookups):
    """Everything an import of `model` rows needs, loaded once. Only base grids where the actor may add rows
    are known, so a grid elsewhere (another town, a neighbour's grid) is rejected like an unknown code."""

    user: Any
    model: type[models.Model]
    grids_by_code: dict[str, Division] = field(default_factory=dict)
    grids_by_pk: dict[int, Division] = field(default_factory=dict)
    _households: dict[int, dict[str, int]] = field(default_factory=dict)
    _departments: dict[int, dict[str, int]] = field(default_factory=dict)
    _taken: dict[int, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        q = addable_grids_q(self.user, self.model)
        if q is not None:
            grids = Division.objects.filter(level=Level.BASE_GRID).filter(q).only(
                "id", "code", "name", "path", "town_id", "level")
            for g in grids:
                self.grids_by_code[g.code] = g
                self.grids_by_pk[g.pk] = g

    @property
    def town_ids(self) -> set[int]:
        return {g.town_id for g in self.grids_by_pk.values()}

    def grid(self, ref: Any, *, by: str = "pk") -> Division | str:
        ref = getattr(ref, "pk", ref)
        if not ref:
            return _("必须填写网格代码") if by == "code" else _("必须选择所属网格")
        found = self.grids_by_code.get(str(ref)) if by == "code" else self.grids_by_pk.get(int(ref)) \
            if str(ref).isdigit() else None
        if found is None:
            return _("网格代码“%(c)s”不存在或不在您的管辖范围内") % {"c": ref} if by == "code" else \
                _("网格不存在或不在您的管辖范围内")
        return found

    def household(self, ref: Any, town_id: int, *, by: str = "pk") -> int | str | None:
        if not ref:
            return None
        if town_id not in self._households:
            rows = Household.objects.restrict(self.user, "view").filter(town_id=town_id).values_list(
                "number", "pk")
            self._households[town_id] = dict(rows)
        table = self._households[town_id]
        pk = table.get(str(ref)) if by == "number" else (int(ref) if str(ref).isdigit() and int(ref) in
                                                          table.values() else None)
        if pk is None:
            return _("户编号“%(n)s”不存在或不属于本镇街") % {"n": ref} if by == "number" else \
                _("所属户不存在或不属于本镇街")
        return pk

    def department(self, ref: Any, town_id: int, *, by: str = "pk") -> int | str | None:
        if not ref:
            return None
        if town_id not in self._departments:
            table: dict[str, int] = {}
            for pk, code, name in Department.objects.filter(town_id=town_id).values_list("pk", "code", "name"):
                table[code] = table[name] = pk
                table[str(pk)] = pk
            self._departments[town_id] = table
        pk = self._departments[town_id].get(str(ref))
        return _("主管部门“%(d)s”不存在或不属于本镇街") % {"d": ref} if pk is None else pk

    def _taken_in(self, town_id: int) -> set[str]:
        if town_id not in self._taken:
            if self.model is Resident:
                col = "id_number"
            elif self.model is Household:
                col = "number"
            else:
                col = "credit_code"
            self._taken[town_id] = set(self.model._default_manager.filter(town_id=town_id)
                                       .values_list(col, flat=True).iterator(chunk_size=5000))
        return self._taken[town_id]

    def resident_id_taken(self, town_id: int, id_number: str, exclude_pk: Any = None) -> bool:
        return id_number in self._taken_in(town_id)

    def household_number_taken(self, town_id: int, number: str, exclude_pk: Any = None) -> bool:
        return number in self._taken_in(town_id)

    def credit_code_taken(self, town_id: int, code: str, exclude_pk: Any = None) -> bool:
        return code in self._taken_in(town_id)


# ----------------------------------------------------------------------------------------- validators

def clean_resident_id(value: str, errors: Errors) -> tuple[str, Any, str]:
    """(normalised ID, birth date, sex) of a GB 11643 number; errors name the reason."""
    value = (value or "").strip().upper()
    if not value:
        add_error(errors, "id_number", _("必填"))
        return value, None, ""
    try:
        birth, sex = parse_resident_id(value)
    except DjangoValidationError as exc:
        add_error(errors, "id_number", exc.messages[0])
        return value, None, ""
    return value, birth, sex


def clean_phone(value: str, errors: Errors, name: str = "phone") -> str:
    value = (value or "").strip()
    if value:
        try:
            validate_mobile(value)
        except DjangoValidationError as exc:
            add_error(errors, name, exc.messages[0])
    return value


def clean_resident(data: dict[str, Any], lookups: Lookups, *, grid_by: str = "pk",
                   household_by: str = "pk") -> tuple[Resident, list[str], Errors]:
    """A new resident from `data` (name, id_number, phone, household, relation, address, grid, tags).

    Sex and birth date come from the ID; the ID must be new in the grid's town; the household must be of
    the same town."""
    errors: Errors = {}
    r = Resident(name=_text(data, "name"), phone=clean_phone(_text(data, "phone"), errors),
                 address=_text(data, "address"))
    if not r.name:
        add_error(errors, "name", _("必填"))
    r.id_number, birth, sex = clean_resident_id(_text(data, "id_number"), errors)
    if birth is not None:
        r.birth_date, r.sex = birth, sex
    relation = data.get("relation") or ""
    if relation:
        value = choice_value(relation, Resident.Relation)
        if value is None:
            add_error(errors, "relation", _("取值应为：%(c)s") % {
                "c": "、".join(str(label) for _v, label in Resident.Relation.choices)})
        else:
            r.relation = value
    grid = lookups.grid(data.get("grid"), by=grid_by)
    if isinstance(grid, str):
        add_error(errors, "grid", grid)
    else:
        r.grid_id, r.town_id = grid.pk, grid.town_id
        household = lookups.household(data.get("household"), grid.town_id, by=household_by)
        if isinstance(household, str):
            add_error(errors, "household", household)
        else:
            r.household_id = household
        if birth is not None and lookups.resident_id_taken(grid.town_id, r.id_number):
            add_error(errors, "id_number", _("该身份证号已在本镇街登记"))
    tags, bad = parse_tags(data.get("tags") or [])
    if bad:
        add_error(errors, "tags", _("未知标签：%(t)s") % {"t": "、".join(bad)})
    _check_lengths(r, ("name", "address"), errors)
    return r, tags, errors


def clean_household(data: dict[str, Any], lookups: Lookups, *, grid_by: str = "pk") -> tuple[Household, Errors]:
    errors: Errors = {}
    h = Household(number=_text(data, "number"), address=_text(data, "address"))
    if not h.number:
        add_error(errors, "number", _("必填"))
    if not h.address:
        add_error(errors, "address", _("必填"))
    grid = lookups.grid(data.get("grid"), by=grid_by)
    if isinstance(grid, str):
        add_error(errors, "grid", grid)
    else:
        h.grid_id, h.town_id = grid.pk, grid.town_id
        if h.number and lookups.household_number_taken(grid.town_id, h.number):
            add_error(errors, "number", _("户编号已存在"))
    _check_lengths(h, ("number", "address"), errors)
    return h, errors


def clean_location(data: dict[str, Any], errors: Errors) -> tuple[float, float] | None:
    """WGS-84 (lat, lon) from `lat`, `lon` and `crs` (wgs84 or gcj02, from Chinese map apps)."""
    try:
        lat, lon = float(data.get("lat")), float(data.get("lon"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        add_error(errors, "lat", _("必须提供有效的经纬度"))
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        add_error(errors, "lat", _("坐标超出经纬度范围"))
        return None
    crs = str(data.get("crs") or "wgs84").strip().lower().replace("-", "")
    if crs == "gcj02":
        from gridgov.core.geo import gcj02_to_wgs84

        lat, lon = gcj02_to_wgs84(lat, lon)
    elif crs != "wgs84":
        add_error(errors, "crs", _("坐标系只能是 wgs84 或 gcj02"))
        return None
    return lat, lon


def clean_enterprise(data: dict[str, Any], lookups: Lookups, *, department_by: str = "pk") -> tuple[
        Enterprise, Errors]:
    """A new enterprise: credit code checked (GB 32100) and new in the town; the grid found from the
    location (a point outside every grid, or in a grid the actor cannot reach, is an error)."""
    errors: Errors = {}
    e = Enterprise(name=_text(data, "name"), credit_code=_text(data, "credit_code").upper(),
                   industry=_text(data, "industry"),
                   legal_representative=_text(data, "legal_representative"),
                   legal_rep_phone=clean_phone(_text(data, "legal_rep_phone"), errors, "legal_rep_phone"),
                   address=_text(data, "address"))
    for name in ("name", "industry", "legal_representative", "address"):
        if not getattr(e, name):
            add_error(errors, name, _("必填"))
    if not e.credit_code:
        add_error(errors, "credit_code", _("必填"))
    else:
        try:
            validate_credit_code(e.credit_code)
        except DjangoValidationError as exc:
            add_error(errors, "credit_code", exc.messages[0])
    scale = choice_value(data.get("scale"), Enterprise.Scale)
    if scale is None:
        add_error(errors, "scale", _("取值应为：%(c)s") % {
            "c": "、".join(str(label) for _v, label in Enterprise.Scale.choices)})
    else:
        e.scale = scale
    is_key = parse_bool(data.get("is_key"))
    if is_key is None:
        add_error(errors, "is_key", _("应填“是”或“否”"))
    else:
        e.is_key = is_key
    point = clean_location(data, errors)
    if point is not None:
        e.lat, e.lon = point
        pk = lookups.locate(*point)
        if pk is None:
            add_error(errors, "location", _("该位置不在本辖区任何网格内（超出辖区范围）"))
        else:
            grid = lookups.grid(pk)
            if isinstance(grid, str):
                add_error(errors, "grid", _("该位置所在的网格不在您的管辖范围内"))
            else:
                e.grid_id, e.town_id = grid.pk, grid.town_id
                department = lookups.department(data.get("department"), grid.town_id, by=department_by)
                if isinstance(department, str):
                    add_error(errors, "department", department)
                else:
                    e.department_id = department
                if e.credit_code and "credit_code" not in errors and lookups.credit_code_taken(
                        grid.town_id, e.credit_code):
                    add_error(errors, "credit_code", _("该统一社会信用代码已在本镇街登记"))
    _check_lengths(e, ("name", "industry", "legal_representative", "address"), errors)
    return e, errors
