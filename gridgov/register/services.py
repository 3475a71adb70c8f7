"""Writes to the register. Every function: keyword-only, acting_user, one transaction, audited, and the
result re-checked against the actor's scope."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gridgov.core import audit
from gridgov.core.bulk import fast_insert
from gridgov.core.errors import PermissionDenied, ValidationFailed
from gridgov.core.masking import mask
from gridgov.core.scope import get_scoped, scope_q
from gridgov.core.services import delete_audited, save_new, service, update_versioned
from gridgov.core.tabular import Table, open_table
from gridgov.network.models import Division
from gridgov.network.selectors import locate

from .columns import Kind, kind_of
from .models import Enterprise, Household, ImportRun, Resident, ResidentTag
from .validation import (
    BulkLookups,
    DbLookups,
    Errors,
    add_error,
    choice_value,
    clean_enterprise,
    clean_household,
    clean_resident,
    clean_resident_id,
    parse_tags,
    raise_if,
)


def _grid_for(user: Any, grid: Any) -> Division:
    """The base grid a record goes into: visible to the actor. The action on the record itself (add, change)
    is checked after the write, when the row is read back through restrict()."""
    found = DbLookups(user).grid(grid)
    if isinstance(found, str):
        raise ValidationFailed({"grid": [found]})
    return found


def _household_for(user: Any, household: Any, town: Division) -> int | None:
    found = DbLookups(user).household(household, town.pk)
    if isinstance(found, str):
        raise ValidationFailed({"household": [found]})
    return found


def _set_tags(resident: Resident, tags: list[str] | None) -> None:
    if tags is None:
        return
    tags, bad = parse_tags(tags)
    if bad:
        raise ValidationFailed({"tags": [_("未知标签：%(t)s") % {"t": "、".join(bad)}]})
    ResidentTag.objects.filter(resident=resident).exclude(tag__in=tags).delete()
    have = set(ResidentTag.objects.filter(resident=resident).values_list("tag", flat=True))
    ResidentTag.objects.bulk_create([ResidentTag(resident=resident, tag=t) for t in set(tags) - have])


RESIDENT_FIELDS = {"name", "id_number", "phone", "household", "relation", "address", "grid", "tags"}


def _unknown(data: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationFailed({f: [_("未知字段")] for f in sorted(unknown)})


@service
def resident_create(*, acting_user: Any, data: dict[str, Any]) -> Resident:
    _unknown(data, RESIDENT_FIELDS)
    r, tags, errors = clean_resident(data, DbLookups(acting_user))
    raise_if(errors, Resident)
    save_new(r, acting_user=acting_user)
    _set_tags(r, tags)
    return r


@service
def resident_update(*, acting_user: Any, resident: Resident, data: dict[str, Any],
                    expected_version: int | None = None) -> Resident:
    _unknown(data, RESIDENT_FIELDS)
    r = get_scoped(Resident.objects, acting_user, "change", pk=resident.pk)
    changes: dict[str, Any] = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()
                               if k in {"name", "id_number", "phone", "relation", "address"}}
    if "grid" in data:
        grid = _grid_for(acting_user, data["grid"])
        if grid.town_id != r.town_id:
            raise ValidationFailed({"grid": [_("不能把居民迁到其他镇街的网格")]})
        changes["grid"] = grid
    if "household" in data:
        changes["household_id"] = _household_for(acting_user, data["household"], r.town)
    if "relation" in changes and changes["relation"]:
        changes["relation"] = choice_value(changes["relation"], Resident.Relation) or changes["relation"]
    if "id_number" in changes:
        errors: Errors = {}
        number, birth, sex = clean_resident_id(changes["id_number"], errors)
        if not errors and DbLookups(acting_user).resident_id_taken(r.town_id, number, exclude_pk=r.pk):
            add_error(errors, "id_number", _("该身份证号已在本镇街登记"))
        raise_if(errors, Resident)
        changes.update(id_number=number, birth_date=birth, sex=sex)
    update_versioned(r, changes, expected_version=expected_version, acting_user=acting_user)
    _set_tags(r, data.get("tags"))
    return r


@service
def resident_delete(*, acting_user: Any, resident: Resident) -> None:
    r = get_scoped(Resident.objects, acting_user, "delete", pk=resident.pk)
    delete_audited(r, acting_user=acting_user)


HOUSEHOLD_FIELDS = {"number", "address", "grid"}


@service
def household_create(*, acting_user: Any, data: dict[str, Any]) -> Household:
    _unknown(data, HOUSEHOLD_FIELDS)
    h, errors = clean_household(data, DbLookups(acting_user))
    raise_if(errors, Household)
    return save_new(h, acting_user=acting_user)


@service
def household_update(*, acting_user: Any, household: Household, data: dict[str, Any],
                     expected_version: int | None = None) -> Household:
    _unknown(data, HOUSEHOLD_FIELDS)
    h = get_scoped(Household.objects, acting_user, "change", pk=household.pk)
    changes = {k: v for k, v in data.items() if k in {"number", "address"}}
    if "grid" in data:
        grid = _grid_for(acting_user, data["grid"])
        if grid.town_id != h.town_id:
            raise ValidationFailed({"grid": [_("不能把户迁到其他镇街的网格")]})
        changes["grid"] = grid
    if "number" in changes and Household.objects.filter(town_id=h.town_id, number=changes["number"]).exclude(
            pk=h.pk).exists():
        raise ValidationFailed({"number": [_("户编号已存在")]})
    return update_versioned(h, changes, expected_version=expected_version, acting_user=acting_user)


ENTERPRISE_FIELDS = {"name", "credit_code", "industry", "scale", "legal_representative", "legal_rep_phone",
                     "address", "lat", "lon", "crs", "department", "is_key"}


def _located_grid(acting_user: Any, data: dict[str, Any]) -> Division:
    try:
        lat, lon = float(data.get("lat")), float(data.get("lon"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationFailed({"lat": [_("必须提供有效的经纬度")]}) from None
    grid = locate(lat=lat, lon=lon, crs=data.get("crs") or "wgs84")
    return _grid_for(acting_user, grid.pk)


def _department_for(user: Any, department: Any, town_id: int) -> int | None:
    found = DbLookups(user).department(department, town_id)
    if isinstance(found, str):
        raise ValidationFailed({"department": [found]})
    return found


def _check_unique_code(e: Enterprise) -> None:
    if DbLookups(None).credit_code_taken(e.town_id, e.credit_code, exclude_pk=e.pk):
        raise ValidationFailed({"credit_code": [_("该统一社会信用代码已在本镇街登记")]})


@service
def enterprise_create(*, acting_user: Any, data: dict[str, Any]) -> Enterprise:
    _unknown(data, ENTERPRISE_FIELDS)
    e, errors = clean_enterprise(data, DbLookups(acting_user))
    raise_if(errors, Enterprise)
    return save_new(e, acting_user=acting_user)


@service
def enterprise_update(*, acting_user: Any, enterprise: Enterprise, data: dict[str, Any],
                      expected_version: int | None = None) -> Enterprise:
    _unknown(data, ENTERPRISE_FIELDS)
    e = get_scoped(Enterprise.objects, acting_user, "change", pk=enterprise.pk)
    changes = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()
               if k in {"name", "credit_code", "industry", "scale", "legal_representative", "legal_rep_phone",
                        "address", "is_key"}}
    if isinstance(changes.get("credit_code"), str):  # anything else is refused by the model's validation
        changes["credit_code"] = changes["credit_code"].upper()
    if "lat" in data or "lon" in data:
        merged = {"lat": data.get("lat", e.lat), "lon": data.get("lon", e.lon), "crs": data.get("crs")}
        grid = _located_grid(acting_user, merged)
        if grid.town_id != e.town_id:
            raise ValidationFailed({"lat": [_("新位置不在本镇街")]})
        lat, lon = float(merged["lat"]), float(merged["lon"])
        if data.get("crs") == "gcj02":
            from gridgov.core.geo import gcj02_to_wgs84

            lat, lon = gcj02_to_wgs84(lat, lon)
        changes.update(lat=lat, lon=lon, grid=grid)
    if "department" in data:
        changes["department_id"] = _department_for(acting_user, data["department"], e.town_id)
    if "credit_code" in changes:
        _check_unique_code(Enterprise(pk=e.pk, town_id=e.town_id, credit_code=changes["credit_code"]))
    return update_versioned(e, changes, expected_version=expected_version, acting_user=acting_user)


# ------------------------------------------------------------------------------------------------ imports

IMPORT_BATCH = 2000
MAX_STORED_ERRORS = 10_000


class _Rejected(Exception):
    """Raised inside the import's savepoint to undo every row of a file with errors."""


@dataclass
class ImportResult:
    kind: str
    total_rows: int = 0
    imported: int = 0
    errors: list[list[Any]] = field(default_factory=list)  # [row, column header, value, reason]
    error_count: int = 0
    partial: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    run: ImportRun | None = None

    @property
    def rejected(self) -> bool:
        """Bad rows and all-or-nothing mode: nothing was imported."""
        return self.error_count > 0 and not self.partial


def _cell_for_report(kind: Kind, key: str, value: str) -> str:
    """Personal fields are masked in the stored report: the importer has the file and the row number."""
    masker = {"id_number": "id", "phone": "phone", "legal_rep_phone": "phone"}.get(key)
    return mask(masker, value) if masker and value else value


def _insert_batch(kind: Kind, batch: list[tuple[Any, list[str]]], acting_user: Any) -> int:
    model = kind.model
    objs = [obj for obj, _tags in batch]
    fast_insert(model, objs)
    if model is Resident:
        fast_insert(ResidentTag, [ResidentTag(resident_id=obj.pk, tag=t) for obj, tags in batch for t in tags],
                    returning=False)
    # The scope re-check of every write, once per batch: each new row must be one the actor may add.
    pks = [obj.pk for obj in objs]
    if model._default_manager.restrict(acting_user, "add").filter(pk__in=pks).count() != len(pks):
        raise PermissionDenied()
    audit.record_many(objs, "create", actor=acting_user)
    audit.flush()
    return len(objs)


def _clean_row(kind: Kind, data: dict[str, Any], lookups: BulkLookups) -> tuple[Any, list[str], Errors]:
    if kind.model is Resident:
        return clean_resident(data, lookups, grid_by="code", household_by="number")
    if kind.model is Household:
        obj, errors = clean_household(data, lookups, grid_by="code")
    else:
        obj, errors = clean_enterprise(data, lookups, department_by="code")
    return obj, [], errors


def register_import(*, acting_user: Any, kind: str, file: Any, partial: bool = False) -> ImportResult:
    """Import a .xlsx or .csv file of residents, households or enterprises (see columns.py for the headers).

    File-level problems (too large, wrong type, corrupt, missing columns) raise before any row is read.
    Each row is validated like a single record; the report names row, column and reason. All or nothing by
    default: with any bad row nothing is imported. `partial=True` imports the good rows only. A row is
    never half imported. Rows go in with bulk inserts of IMPORT_BATCH inside one transaction, audited."""
    spec = kind_of(kind)
    if scope_q(spec.model, acting_user, "add") is None:
        raise PermissionDenied(_("无权导入%(what)s") % {"what": spec.label})
    table = open_table(file)
    columns, ignored = spec.map_header(table.header)
    return _run_import(acting_user=acting_user, spec=spec, table=table, columns=columns, ignored=ignored,
                       partial=partial, file_name=os.path.basename(str(getattr(file, "name", file))))


@service
def _run_import(*, acting_user: Any, spec: Kind, table: Table, columns: dict[str, int], ignored: list[str],
                partial: bool, file_name: str) -> ImportResult:
    result = ImportResult(kind=spec.name, partial=partial, ignored_columns=ignored)
    lookups = BulkLookups(acting_user, spec.model)
    first_seen: dict[tuple[Any, ...], int] = {}
    batch: list[tuple[Any, list[str]]] = []
    positions = list(columns.items())
    try:
        with transaction.atomic():  # a savepoint: a rejected file leaves nothing behind
            for row_no, cells in table.rows:
                result.total_rows += 1
                data = {key: (cells[i] if i < len(cells) else "") for key, i in positions}
                obj, tags, errors = _clean_row(spec, data, lookups)
                if not errors:
                    key = spec.duplicate_key(obj)
                    seen = first_seen.get(key)
                    if seen is not None:
                        add_error(errors, spec.duplicate_field, _("与第 %(n)d 行重复") % {"n": seen})
                    else:
                        first_seen[key] = row_no
                if errors:
                    for name, reasons in errors.items():
                        col = spec.error_columns.get(name, name)
                        for reason in reasons:
                            result.error_count += 1
                            if len(result.errors) < MAX_STORED_ERRORS:
                                result.errors.append([row_no, spec.header_of(name), _cell_for_report(
                                    spec, col, str(data.get(col, ""))), reason])
                    continue
                if result.error_count and not partial:
                    continue  # the file will be rejected: keep validating for the report, stop writing
                batch.append((obj, tags))
                if len(batch) >= IMPORT_BATCH:
                    result.imported += _insert_batch(spec, batch, acting_user)
                    batch = []
            if result.error_count and not partial:
                raise _Rejected()
            if batch:
                result.imported += _insert_batch(spec, batch, acting_user)
    except _Rejected:
        result.imported = 0
    except IntegrityError:
        # Someone registered the same ID (or code) while this file was being read: report, import nothing.
        raise ValidationFailed({"file": [_("导入期间有相同记录被他人登记，请重新导入")]}) from None
    result.run = ImportRun.objects.create(
        user=acting_user, kind=spec.name, file_name=str(file_name)[-200:], partial=partial,
        total_rows=result.total_rows, imported=result.imported, error_count=result.error_count,
        errors=result.errors)
    return result


def resident_import(*, acting_user: Any, file: Any, partial: bool = False) -> ImportResult:
    return register_import(acting_user=acting_user, kind="residents", file=file, partial=partial)


def household_import(*, acting_user: Any, file: Any, partial: bool = False) -> ImportResult:
    return register_import(acting_user=acting_user, kind="households", file=file, partial=partial)


def enterprise_import(*, acting_user: Any, file: Any, partial: bool = False) -> ImportResult:
    return register_import(acting_user=acting_user, kind="enterprises", file=file, partial=partial)
