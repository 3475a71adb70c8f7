"""One FilterSet per list, shared by the page and the API."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gridgov.core.validators import MAX_ID
from gridgov.network.models import Division

from .models import Colour, Hazard, HazardLevel, Industry, Inspection, SafetyProfile, SupervisionClass


class _Scoped(df.FilterSet):
    def __init__(self, data: Any = None, queryset: QuerySet | None = None, *, user: Any = None, **kwargs: Any):
        super().__init__(data, queryset, **kwargs)
        if "grid" in self.filters:
            self.filters["grid"].queryset = Division.objects.restrict(user, "view").only("id", "name", "path")


def _grid(path: str) -> Any:
    def method(queryset: QuerySet, name: str, value: Division | None) -> QuerySet:
        return queryset.filter(**{f"{path}__path__startswith": value.path}) if value else queryset
    return method


class ProfileFilterSet(_Scoped):
    q = df.CharFilter(label=_("企业名称"), method="filter_q")
    grid = df.ModelChoiceFilter(label=_("网格（含下级）"), queryset=Division.objects.all(),
                                method=_grid("enterprise__grid"))
    colour = df.ChoiceFilter(label=_("风险颜色"), choices=Colour.choices)
    supervision_class = df.ChoiceFilter(label=_("监管分级"), choices=SupervisionClass.choices)
    industry = df.ChoiceFilter(label=_("行业类别"), choices=Industry.choices)
    dust = df.BooleanFilter(label=_("涉爆粉尘"))
    ammonia = df.BooleanFilter(label=_("涉氨制冷"))
    confined_space = df.BooleanFilter(label=_("有限空间"))
    hazardous_chemicals = df.BooleanFilter(label=_("危险化学品"))

    class Meta:
        model = SafetyProfile
        fields = ["q", "grid", "colour", "supervision_class", "industry", "dust", "ammonia", "confined_space",
                  "hazardous_chemicals"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(enterprise__name__contains=value) if value else queryset


class HazardFilterSet(_Scoped):
    q = df.CharFilter(label=_("隐患/企业"), method="filter_q")
    grid = df.ModelChoiceFilter(label=_("网格（含下级）"), queryset=Division.objects.all(),
                                method=_grid("profile__enterprise__grid"))
    level = df.ChoiceFilter(label=_("等级"), choices=HazardLevel.choices)
    status = df.ChoiceFilter(label=_("状态"), choices=[("open", _("未销号")), ("closed", _("已销号"))])
    overdue = df.BooleanFilter(label=_("已超期"))
    profile = df.NumberFilter(label=_("企业档案ID"), field_name="profile_id", min_value=1, max_value=MAX_ID)

    class Meta:
        model = Hazard
        fields = ["q", "grid", "level", "status", "overdue", "profile"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(title__contains=value) | Q(profile__enterprise__name__contains=value)) \
            if value else queryset


class InspectionFilterSet(_Scoped):
    state = df.ChoiceFilter(label=_("状态"), choices=Inspection.State.choices)
    kind = df.ChoiceFilter(label=_("类型"), choices=Inspection.Kind.choices)
    profile = df.NumberFilter(label=_("企业档案ID"), field_name="profile_id", min_value=1, max_value=MAX_ID)
    mine = df.BooleanFilter(label=_("我的检查"), method="filter_mine")

    class Meta:
        model = Inspection
        fields = ["state", "kind", "profile", "mine"]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any):
        super().__init__(*args, user=user, **kwargs)
        self._user = user

    def filter_mine(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        return queryset.filter(inspector_id=getattr(self._user, "pk", None)) if value else queryset
