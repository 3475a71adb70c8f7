"""Reads of the register, restricted to the user's scope; masking decided here for page and API alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.errors import PermissionDenied, ValidationFailed
from gridgov.core.masking import mask
from gridgov.core.paging import load_only
from gridgov.core.pii import log_access, may_unmask
from gridgov.core.scope import can, get_scoped, scope_q
from gridgov.core.tabular import CONTENT_TYPES, Export, check_format, write_rows
from gridgov.network.models import Division, Level

from .columns import kind_of, template_rows
from .filtersets import EnterpriseFilterSet, HouseholdFilterSet, ResidentFilterSet
from .models import Enterprise, Household, ImportRun, Resident, ResidentTag


def _filtered(filterset_class: type, queryset: QuerySet, filters: Any, user: Any) -> QuerySet:
    fs = filterset_class(filters or {}, queryset=queryset, user=user)
    if not fs.is_valid():
        raise ValidationFailed({k: [str(m) for m in v] for k, v in fs.errors.items()})
    return fs.qs


def resident_list(*, user: Any, filters: Any = None, fields: Sequence[str] = ()) -> QuerySet[Resident]:
    """Residents the user may see, filtered, with their tags. `fields`: read only these (a list page's
    columns), else every field."""
    # The grid's polygon is never shown in a list and can be large: leave it in the database.
    qs = (Resident.objects.restrict(user, "view").select_related("grid", "household").defer("grid__polygon")
          .prefetch_related(Prefetch("tag_rows", queryset=ResidentTag.objects.only("resident_id", "tag"),
                                     to_attr="tag_list"))
          .order_by("-id"))
    return _filtered(ResidentFilterSet, load_only(qs, fields) if fields else qs, filters, user)


def resident_get(*, user: Any, pk: Any, action: str = "view") -> Resident:
    return get_scoped(Resident.objects.select_related("grid", "household", "town").prefetch_related("tag_rows"),
                      user, action, pk=pk)


def household_list(*, user: Any, filters: Any = None, fields: Sequence[str] = ()) -> QuerySet[Household]:
    qs = Household.objects.restrict(user, "view").select_related("grid").order_by("number")
    return _filtered(HouseholdFilterSet, load_only(qs, fields) if fields else qs, filters, user)


def household_get(*, user: Any, pk: Any, action: str = "view") -> Household:
    return get_scoped(Household.objects.select_related("grid", "town"), user, action, pk=pk)


def household_members(*, user: Any, household: Household) -> QuerySet[Resident]:
    return Resident.objects.restrict(user, "view").filter(household=household).prefetch_related("tag_rows")


def enterprise_list(*, user: Any, filters: Any = None, fields: Sequence[str] = ()) -> QuerySet[Enterprise]:
    qs = Enterprise.objects.restrict(user, "view").select_related("grid", "department").order_by("-id")
    return _filtered(EnterpriseFilterSet, load_only(qs, fields) if fields else qs, filters, user)


def enterprise_get(*, user: Any, pk: Any, action: str = "view") -> Enterprise:
    return get_scoped(Enterprise.objects.select_related("grid", "department", "town"), user, action, pk=pk)


def pii_view(obj: Any, *, user: Any, unmask: bool = False, reason: str = "") -> dict[str, str]:
    """The personal fields of one record as this user may see them. Unmasking is allowed only to roles with
    `view_pii` over the record and is written to the access log."""
    fields: dict[str, str] = getattr(type(obj), "pii_fields", {})
    model = type(obj)
    if unmask and may_unmask(user, model) and model.objects.restrict(user, "view_pii").filter(pk=obj.pk).exists():
        log_access(user, kind="view", model=model, object_id=obj.pk, fields=list(fields), reason=reason)
        return {f: getattr(obj, f) for f in fields}
    return {f: mask(kind, getattr(obj, f)) for f, kind in fields.items()}


def masked(obj: Any) -> dict[str, str]:
    """Masked personal fields (lists always show these)."""
    return {f: mask(kind, getattr(obj, f)) for f, kind in getattr(type(obj), "pii_fields", {}).items()}


# ----------------------------------------------------------------------------------------------- exports

_EXPORT_QS = {
    "residents": lambda: Resident.objects.select_related("grid", "household").prefetch_related("tag_rows"),
    "households": lambda: Household.objects.select_related("grid"),
    "enterprises": lambda: Enterprise.objects.select_related("grid", "department"),
}
_FILTERSETS = {"residents": ResidentFilterSet, "households": HouseholdFilterSet, "enterprises": EnterpriseFilterSet}
# Personal data in an export besides the masked fields (logged with every export).
_PERSONAL = {"residents": ("name", "address"), "households": ("address",), "enterprises": ("legal_representative",)}
_EXPORT_ORDER = {"residents": "-id", "households": "number", "enterprises": "-id"}


def export_list(*, user: Any, kind: str, filters: Any = None, fmt: str = "xlsx", unmask: bool = False,
                reason: str = "") -> Export:
    """The rows of a list page (same FilterSet) that `user` may export, as .xlsx or .csv.

    Personal fields are masked unless `unmask` is asked for with a reason by a role with `view_pii` over
    every exported row. Every export is written to the access log with its count and fields."""
    spec = kind_of(kind)
    fmt = check_format(fmt)
    model = spec.model
    if not can(user, "export", model):
        raise PermissionDenied(_("无权导出%(what)s") % {"what": spec.label})
    base = _EXPORT_QS[kind]().restrict(user, "export").order_by(_EXPORT_ORDER[kind])
    qs = _filtered(_FILTERSETS[kind], base, filters, user)
    pii_fields: dict[str, str] = getattr(model, "pii_fields", {})
    if unmask and pii_fields:
        if not reason.strip():
            raise ValidationFailed({"reason": [_("导出明文个人信息必须填写事由")]})
        q = scope_q(model, user, "view_pii")
        if q is None or (q and qs.exclude(q).exists()):
            raise PermissionDenied(_("您无权查看其中部分记录的个人信息明文，请改为脱敏导出或缩小范围"))
    count = qs.count()
    fields = list(_PERSONAL[kind]) + [f if unmask else f"{f}(masked)" for f in pii_fields]
    log_access(user, kind="export", model=model, fields=fields, count=count,
               reason=reason.strip() or str(_("脱敏导出")))

    def pii(obj: Any) -> dict[str, str]:
        return {f: getattr(obj, f) for f in pii_fields} if unmask else masked(obj)

    rows = (spec.export_row(obj, pii(obj)) for obj in qs.iterator(chunk_size=2000))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return Export(filename=f"{kind}-{stamp}.{fmt}", content_type=CONTENT_TYPES[fmt], count=count,
                  unmasked=bool(unmask and pii_fields),
                  chunks=write_rows(fmt, list(spec.export_header), rows, sheet_title=str(spec.label)))


def import_template(*, kind: str, fmt: str = "xlsx") -> Export:
    """The empty import file of a kind: the header, one example row and (in .xlsx) a sheet explaining each
    column."""
    spec = kind_of(kind)
    fmt = check_format(fmt)
    header, example, notes = template_rows(spec)
    extra = {str(_("填写说明")): notes} if fmt == "xlsx" else None
    kwargs: dict[str, Any] = {"sheet_title": str(spec.label), "extra_sheets": extra} if fmt == "xlsx" else {}
    return Export(filename=f"{kind}-template.{fmt}", content_type=CONTENT_TYPES[fmt], count=0, unmasked=False,
                  chunks=write_rows(fmt, header, example, **kwargs))


def import_run_get(*, user: Any, pk: Any) -> ImportRun:
    """An import run of the user's own (the report holds rows of their file)."""
    return get_scoped(ImportRun.objects, user, "view", pk=pk)


def import_report(*, user: Any, pk: Any, fmt: str = "xlsx") -> Export:
    """The per-row error report of an import: row, column, value (personal fields masked), reason."""
    run = import_run_get(user=user, pk=pk)
    fmt = check_format(fmt)
    header = [str(_("行号")), str(_("列")), str(_("内容")), str(_("原因"))]
    return Export(filename=f"{run.kind}-import-{run.pk}-errors.{fmt}", content_type=CONTENT_TYPES[fmt],
                  count=len(run.errors), unmasked=False,
                  chunks=write_rows(fmt, header, run.errors, **({"sheet_title": str(_("错误报告"))}
                                                                if fmt == "xlsx" else {})))


# The home page (register/home.py): in a fixed number of queries whatever the size of the register.

def _count_of(model: Any, field: str = "grid") -> Any:
    from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    sub = (model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field)
           .annotate(c=Count("pk")).values("c"))
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def grids_with_counts(qs: QuerySet[Division]) -> QuerySet[Division]:
    """Base grids with their numbers of residents, households and enterprises (one query)."""
    return (qs.filter(level=Level.BASE_GRID).select_related("parent")
            .annotate(n_residents=_count_of(Resident), n_households=_count_of(Household),
                      n_enterprises=_count_of(Enterprise)).order_by("path"))


def home_grids(*, user: Any, division_ids: Sequence[int]) -> list[Division]:
    """The base grids among `division_ids` that the user may see, with their register counts."""
    return list(grids_with_counts(Division.objects.restrict(user, "view").filter(pk__in=division_ids)))


def home_grids_under(*, user: Any, paths: Sequence[str]) -> list[Division]:
    """The base grids under any of `paths` that the user may see, with their register counts."""
    from django.db.models import Q

    if not paths:
        return []
    cond = Q()
    for p in paths:
        cond |= Q(path__startswith=p)
    return list(grids_with_counts(Division.objects.restrict(user, "view").filter(cond)))


def home_department_enterprises(*, user: Any, department_ids: Sequence[int], first: int = 10) -> dict[str, Any]:
    """The enterprises that the user's departments supervise: how many, how many key ones, the `first` few."""
    qs = (Enterprise.objects.restrict(user, "view").filter(department_id__in=department_ids)
          .select_related("grid").order_by("-is_key", "name"))
    return {"count": qs.count(), "key": qs.filter(is_key=True).count(), "enterprises": list(qs[:first])}


def home_counts(*, user: Any, key_enterprises: bool = False) -> dict[str, int]:
    """Residents, households and enterprises the user may see (only the kinds they may see at all: a
    department clerk gets no resident figure showing a misleading 0); with the key enterprises if asked."""
    out = {name: model.objects.restrict(user, "view").count()
           for name, model in (("residents", Resident), ("households", Household), ("enterprises", Enterprise))
           if can(user, "view", model)}
    if key_enterprises:
        out["key_enterprises"] = Enterprise.objects.restrict(user, "view").filter(is_key=True).count()
    return out
