"""Reads of the register, restricted to the user's scope; masking decided here for page and API alike."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gridgov.core.errors import ValidationFailed
from gridgov.core.masking import mask
from gridgov.core.pii import log_access, may_unmask
from gridgov.core.scope import get_scoped

from .filtersets import EnterpriseFilterSet, HouseholdFilterSet, ResidentFilterSet
from .models import Enterprise, Household, Resident


def _filtered(filterset_class: type, queryset: QuerySet, filters: Any, user: Any) -> QuerySet:
    fs = filterset_class(filters or {}, queryset=queryset, user=user)
    if not fs.is_valid():
        raise ValidationFailed({k: [str(m) for m in v] for k, v in fs.errors.items()})
    return fs.qs


def resident_list(*, user: Any, filters: Any = None) -> QuerySet[Resident]:
    qs = (Resident.objects.restrict(user, "view").select_related("grid", "household")
          .prefetch_related("tag_rows").order_by("-id"))
    return _filtered(ResidentFilterSet, qs, filters, user)


def resident_get(*, user: Any, pk: Any, action: str = "view") -> Resident:
    return get_scoped(Resident.objects.select_related("grid", "household", "town").prefetch_related("tag_rows"),
                      user, action, pk=pk)


def household_list(*, user: Any, filters: Any = None) -> QuerySet[Household]:
    qs = Household.objects.restrict(user, "view").select_related("grid").order_by("number")
    return _filtered(HouseholdFilterSet, qs, filters, user)


def household_get(*, user: Any, pk: Any, action: str = "view") -> Household:
    return get_scoped(Household.objects.select_related("grid", "town"), user, action, pk=pk)


def household_members(*, user: Any, household: Household) -> QuerySet[Resident]:
    return Resident.objects.restrict(user, "view").filter(household=household).prefetch_related("tag_rows")


def enterprise_list(*, user: Any, filters: Any = None) -> QuerySet[Enterprise]:
    qs = Enterprise.objects.restrict(user, "view").select_related("grid", "department").order_by("-id")
    return _filtered(EnterpriseFilterSet, qs, filters, user)


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
