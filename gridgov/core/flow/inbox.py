"""我的待办: all work waiting for one person, across every flow and every app, on one page and through the API.

Flows appear by their declaration: each open stage names the permission it waits for (`Stage.waits_for`) and
the subject's model says which rows a person may act on with it (`flow_scope_q`). Work that is not a flow's
stage (a point claim to confirm, a registration to approve …) comes from a `Source` an app registers. Each
source is one SELECT of the same columns; the inbox is their UNION ALL, overdue first, then by deadline, those
without one last. A page is two queries whatever its size: the union of the sort keys only (rank, deadline,
source, id: no label, title or link computed for the thousands of rows a page is chosen from), then the union
of each source's rows on the page with all their columns; the count is a third."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import BooleanField, CharField, DateTimeField, F, IntegerField, Q, QuerySet, Value, When
from django.db.models import Case as Choose
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from .declare import Flow, flows

COLUMNS = ("inbox_rank", "inbox_deadline", "inbox_id", "inbox_source", "inbox_kind", "inbox_number",
           "inbox_title", "inbox_stage", "inbox_url", "inbox_overdue")
ORDER = ("inbox_rank", "inbox_deadline", "inbox_source", "inbox_id")


@dataclass(frozen=True)
class Source:
    """Work of an app that is not a flow's stage: `rows(user)` answers a queryset annotated by
    `annotate_source` (or None when the user has none of it)."""

    name: str
    rows: Callable[[Any], QuerySet | None]


_SOURCES: dict[str, Source] = {}


def register_source(source: Source) -> Source:
    _SOURCES[source.name] = source
    return source


def _text(value: Any) -> Any:
    return value if hasattr(value, "resolve_expression") else Value(str(value), output_field=CharField())


def url_of(pattern: str) -> Any:
    """"/x/{pk}/" as an SQL expression of the row's id."""
    head, _sep, tail = pattern.partition("{pk}")
    return Concat(Value(head), Cast("pk", CharField()), Value(tail), output_field=CharField())


def annotate_source(qs: QuerySet, *, source: str, kind: Any, title: Any, url: Any, number: Any = "",
                    stage: Any = "", deadline: Any = None, overdue: Any = None, now: dt.datetime | None = None
                    ) -> QuerySet:
    """`qs` with the inbox's columns, in the inbox's order. `deadline`/`overdue`: a column name or expression
    (None: no deadline / late when past it)."""
    now = now or timezone.now()
    deadline_expr = (Value(None, output_field=DateTimeField()) if deadline is None
                     else (deadline if hasattr(deadline, "resolve_expression") else Cast(deadline, DateTimeField())))
    late = Q(**{overdue: True}) if isinstance(overdue, str) else Q(pk__in=[])
    if deadline is not None and isinstance(deadline, str):
        late |= Q(**{f"{deadline}__lt": now})
    dated = Q(**{f"{deadline}__isnull": False}) if isinstance(deadline, str) else Q(pk__in=[])
    # 0: late, 1: with a deadline, 2: without one (ordered by rank, then deadline: the same on every database).
    rank = Choose(When(late, then=Value(0)), When(dated, then=Value(1)), default=Value(2),
                  output_field=IntegerField())
    return qs.order_by().annotate(  # no ORDER BY inside a UNION's part (a model's default ordering)
        inbox_rank=rank, inbox_deadline=deadline_expr, inbox_id=Cast("pk", IntegerField()),
        inbox_source=Value(source, output_field=CharField()), inbox_kind=_text(kind),
        inbox_number=_text(number), inbox_title=_text(title), inbox_stage=_text(stage), inbox_url=url,
        inbox_overdue=Choose(When(late, then=Value(True)), default=Value(False), output_field=BooleanField()),
    ).values(*COLUMNS)


def _stage_label(flow: Flow, stages: Any) -> Any:
    """The label of the row's stage, one of `stages` of `flow`."""
    labels = {st.name: str(st.label) for st in flow.stages}
    return Choose(*[When(Q(stage=name), then=Value(labels[name])) for name in stages],
                  default=Value(""), output_field=CharField())


def flow_rows(model: Any, flow_list: list[Flow], user: Any, now: dt.datetime) -> list[QuerySet]:
    """The rows of `model` waiting for `user` in its flows: one SELECT per flow and permission it waits for
    (their stages are disjoint, so the union holds each row once). Each is a plain AND of the scope, the kind
    and the stages, which an index on them answers alone; one SELECT with an OR of them is read from the table."""
    kind_field = model.FLOW_KIND_FIELD
    scopes: dict[str, Q | None] = {}
    fields = {f.name for f in model._meta.get_fields()}
    out = []
    for f in flow_list:
        for permission, stages in f.waiting().items():
            if permission not in scopes:
                scopes[permission] = model.flow_scope_q(user, permission)
            scope = scopes[permission]
            if scope is None:
                continue
            where = Q(status="open") & Q(stage__in=stages) & scope & (Q(**{kind_field: f.kind}) if kind_field else Q())
            out.append(annotate_source(
                model._base_manager.filter(where), source=model._meta.label_lower,
                kind=str(f.label),
                title=F("title") if "title" in fields else "", number=F("number") if "number" in fields else "",
                stage=_stage_label(f, stages), url=url_of(model.FLOW_URL or "/"), deadline="step_deadline",
                overdue="overdue", now=now))
    return out


def _parts(user: Any, now: dt.datetime) -> list[QuerySet]:
    by_model: dict[str, list[Flow]] = {}
    for f in flows():
        by_model.setdefault(f.model.lower(), []).append(f)
    parts = []
    for label, flow_list in by_model.items():
        parts.extend(flow_rows(apps.get_model(label), flow_list, user, now))
    for source in _SOURCES.values():
        qs = source.rows(user)
        if qs is not None:
            parts.append(qs)
    return parts


def _union(parts: list[QuerySet], columns: tuple[str, ...]) -> QuerySet:
    chosen = [p.values(*columns) for p in parts]
    return chosen[0].union(*chosen[1:], all=True) if len(chosen) > 1 else chosen[0]


def _parts_for(user: Any) -> list[QuerySet]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return _parts(user, timezone.now())


def inbox_items(*, user: Any, offset: int = 0, limit: int = 50) -> list[dict[str, Any]]:
    """A page of the work waiting for `user`: overdue first, then by deadline, those without one last."""
    parts = _parts_for(user)
    if not parts:
        return []
    keys = [(k["inbox_source"], k["inbox_id"])
            for k in _union(parts, ORDER).order_by(*ORDER)[offset:offset + limit]]
    if not keys:
        return []
    # The page's rows with every column, one query: each source's part limited to its ids on the page (a part
    # with none is left out of the union).
    ids: dict[str, list[int]] = {}
    for source, pk in keys:
        ids.setdefault(source, []).append(pk)
    shown = [p.filter(pk__in=ids[name]) for p in parts if (name := _source_of(p)) in ids]
    rows = {(r["inbox_source"], r["inbox_id"]): r for r in _union(shown, COLUMNS)}
    return [{k.removeprefix("inbox_"): v for k, v in rows[key].items()} for key in keys if key in rows]


def _source_of(part: QuerySet) -> str:
    return str(part.query.annotations["inbox_source"].value)


def inbox_count(*, user: Any, cap: int = 1000) -> int:
    """How much work waits for `user`, counted up to `cap` (the navigation shows "99+")."""
    parts = _parts_for(user)
    if not parts:
        return 0
    return _union(parts, ("inbox_source", "inbox_id"))[: cap + 1].count()
