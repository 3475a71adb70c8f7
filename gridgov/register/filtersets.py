"""One FilterSet per list, shared by the page and the API (one definition of "which rows")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters as df
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gridgov.core.validators import MAX_ID
from gridgov.network.models import Division

from .models import Enterprise, Household, Resident, ResidentTag, Sex, Tag

MAX_AGE = 150


class ScopedFilterSet(df.FilterSet):
    """A FilterSet whose record choices (the grid select of the page form, and the ids the API accepts) are
    narrowed to what `user` may view: the form must not list another town's grids."""

    def __init__(self, data: Any = None, queryset: QuerySet | None = None, *, user: Any = None, **kwargs: Any):
        super().__init__(data, queryset, **kwargs)
        if "grid" in self.filters:
            self.filters["grid"].queryset = Division.objects.restrict(user, "view").only("id", "name", "path")


def _subtree(queryset: QuerySet, name: str, value: Division | None) -> QuerySet:
    if not value:
        return queryset
    return queryset.filter(**{f"{name}__path__startswith": value.path})


class ResidentFilterSet(ScopedFilterSet):
    q = df.CharFilter(label=_("姓名/住址"), method="filter_q")
    grid = df.ModelChoiceFilter(label=_("网格（含下级）"), queryset=Division.objects.all(), method=_subtree)
    sex = df.ChoiceFilter(label=_("性别"), choices=Sex.choices)
    tag = df.ChoiceFilter(label=_("标签"), choices=Tag.choices, method="filter_tag")
    # Bounded: a birth date is computed from the age, and the calendar ends somewhere.
    age_min = df.NumberFilter(label=_("最小年龄"), method="filter_age_min", min_value=0, max_value=MAX_AGE)
    age_max = df.NumberFilter(label=_("最大年龄"), method="filter_age_max", min_value=0, max_value=MAX_AGE)
    household = df.NumberFilter(label=_("户ID"), field_name="household_id", min_value=1, max_value=MAX_ID)

    class Meta:
        model = Resident
        fields = ["q", "grid", "sex", "tag", "age_min", "age_max", "household"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(name__startswith=value) | Q(address__contains=value)) if value else queryset

    def filter_tag(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(pk__in=ResidentTag.objects.filter(tag=value).values("resident_id"))

    @staticmethod
    def _born_before(years: int) -> dt.date:
        today = dt.date.today()
        try:
            return today.replace(year=today.year - years)
        except ValueError:  # 29 Feb
            return today.replace(year=today.year - years, day=28)

    def filter_age_min(self, queryset: QuerySet, name: str, value: float) -> QuerySet:
        return queryset.filter(birth_date__lte=self._born_before(int(value)))

    def filter_age_max(self, queryset: QuerySet, name: str, value: float) -> QuerySet:
        return queryset.filter(birth_date__gt=self._born_before(int(value) + 1))


class HouseholdFilterSet(ScopedFilterSet):
    q = df.CharFilter(label=_("户编号/住址"), method="filter_q")
    grid = df.ModelChoiceFilter(label=_("网格（含下级）"), queryset=Division.objects.all(), method=_subtree)

    class Meta:
        model = Household
        fields = ["q", "grid"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(number__startswith=value) | Q(address__contains=value)) if value else queryset


class EnterpriseFilterSet(ScopedFilterSet):
    q = df.CharFilter(label=_("名称/信用代码"), method="filter_q")
    grid = df.ModelChoiceFilter(label=_("网格（含下级）"), queryset=Division.objects.all(), method=_subtree)
    industry = df.CharFilter(label=_("行业"), field_name="industry")
    scale = df.ChoiceFilter(label=_("规模"), choices=Enterprise.Scale.choices)
    is_key = df.BooleanFilter(label=_("重点企业"), field_name="is_key")
    department = df.NumberFilter(label=_("主管部门ID"), field_name="department_id", min_value=1, max_value=MAX_ID)

    class Meta:
        model = Enterprise
        fields = ["q", "grid", "industry", "scale", "is_key", "department"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(Q(name__contains=value) | Q(credit_code=value.upper()))
