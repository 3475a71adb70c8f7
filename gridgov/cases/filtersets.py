"""One FilterSet for case lists, shared by the pages and the API (one definition of "which rows")."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django import forms
from django.db.models import Q, QuerySet
from django.forms import NullBooleanSelect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import ProCategory
from gridgov.network.models import Department, Division

from .engine import iter_stage_choices
from .models import Case, Category, Channel, Kind, Status, Tree

QUEUES = [
    ("file", _("待立案/待受理"), "dispatch"),
    ("dispatch", _("待派遣"), "dispatch"),
    ("handle", _("待处置"), "handle"),
    ("verify", _("待核查"), "verify"),
    ("reply", _("待答复"), "handle"),
    ("rate", _("待评价"), "rate"),
    ("callback", _("待回访"), "dispatch"),
]
QUEUE_ACTION = {name: action for name, _label, action in QUEUES}


class EitherOrBoth(NullBooleanSelect):
    """全部 / 是 / 否: Django's own empty choice reads 未知 (unknown), which a dispatcher takes for "cases whose
    lateness is unknown", not "all of them"."""

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("", _("全部")), ("true", _("是")), ("false", _("否"))]

    def format_value(self, value: Any) -> list[str]:  # a list, as Select's: a string would match "" too
        shown = super().format_value(value)
        return ["" if shown == "unknown" else shown]


def category_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """The category trees as grouped choices (事件, 部件), each 小类 indented under its 大类; inactive ones too, so
    past cases can still be found by them. One query, evaluated only when the form renders or a value comes."""
    groups: dict[str, list[tuple[int, str]]] = {t: [] for t in Tree.values}
    for pk, tree, code, name, parent in (Category.objects.order_by("tree", "code")
                                         .values_list("pk", "tree", "code", "name", "parent_id")):
        indent = "\N{IDEOGRAPHIC SPACE}" if parent else ""  # the 小类 under its 大类
        groups.setdefault(tree, []).append((pk, f"{indent}{code} {name}"))
    return [(str(Tree(t).label), rows) for t, rows in groups.items() if rows]


def queue_q(queue: str) -> Q:
    """Open cases in a work queue (`Case.queue`, generated from the flows' stages)."""
    return Q(queue=queue, status=Status.OPEN)


def overdue_q(now=None) -> Q:
    return Q(status=Status.OPEN, step_deadline__lt=now or timezone.now())


class CaseFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        after, before = data.get("created_after"), data.get("created_before")
        if after and before and after > before:  # refused: an empty list would read as "no cases then"
            self.add_error("created_before", _("上报止不能早于上报起"))
        return data


class CaseFilterSet(df.FilterSet):
    """Pass `user`: the grid and department choices (page form and accepted API ids) are narrowed to what they
    may view."""

    q = df.CharFilter(label=_("编号/标题"), method="filter_q")
    kind = df.ChoiceFilter(label=_("类型"), choices=Kind.choices)
    queue = df.ChoiceFilter(label=_("工作队列"), choices=[(n, lbl) for n, lbl, _a in QUEUES], method="filter_queue")
    stage = df.ChoiceFilter(label=_("环节"), choices=iter_stage_choices)
    status = df.ChoiceFilter(label=_("状态"), choices=Status.choices)
    category = df.ChoiceFilter(label=_("类别（大类含小类）"), choices=category_choices, method="filter_category")
    grid = df.ModelChoiceFilter(label=_("网格（含下级）"), queryset=Division.objects.all(), method="filter_grid")
    department = df.ModelChoiceFilter(label=_("责任部门"), queryset=Department.objects.all())
    pro_category = df.ChoiceFilter(label=_("专业类别"), choices=ProCategory.choices)
    channel = df.ChoiceFilter(label=_("来源渠道"), choices=Channel.choices)
    overdue = df.BooleanFilter(label=_("已超期"), method="filter_overdue", widget=EitherOrBoth)
    created_after = df.DateFilter(label=_("上报起"), field_name="created_at", lookup_expr="date__gte",
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    created_before = df.DateFilter(label=_("上报止"), field_name="created_at", lookup_expr="date__lte",
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    class Meta:
        model = Case
        form = CaseFilterForm
        fields = ["q", "kind", "queue", "stage", "status", "category", "grid", "department", "pro_category",
                  "channel", "overdue", "created_after", "created_before"]

    def __init__(self, data: Any = None, queryset: QuerySet | None = None, *, user: Any = None, **kwargs: Any):
        super().__init__(data, queryset, **kwargs)
        self.filters["grid"].queryset = Division.objects.restrict(user, "view").only("id", "name", "path")
        self.filters["department"].queryset = Department.objects.restrict(user, "view").only("id", "name")

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number=value.upper()) | Q(title__contains=value))

    def filter_queue(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(queue_q(value)) if value else queryset

    def filter_category(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(Q(category_id=int(value)) | Q(category__parent_id=int(value)))

    def filter_grid(self, queryset: QuerySet, name: str, value: Division | None) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(grid_id__in=Division.objects.filter(path__startswith=value.path).values("id"))

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())
