"""The one sweep (督办): for every flow that declares an `overdue` transition, apply that transition, in bulk,
to every open subject past its step deadline.

The transition's declared column changes (`sets`: literals, NOW, Inc) become one UPDATE … RETURNING per batch,
its `when` and sources the WHERE; the timeline rows one INSERT … SELECT; the audit records one append; the
notifications one row per person (a digest when a batch holds several of theirs), from the model's
`flow_overdue_recipients`. Safe from cron every minute and from several processes at once: the candidates are
locked FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite serialises writers) and `when` is checked again on the
locked row, so a subject is urged once however many sweeps run. Flows of one model sharing their overdue
transition are swept in the same statements."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core import audit
from gridgov.core.context import current_request_id

from .declare import NOW, Flow, Inc, Transition, flows
from .engine import event_model, typed


@dataclass
class SweepResult:
    marked: int = 0  # subjects newly marked overdue and escalated (督办)
    batches: int = 0
    notified: int = 0  # inbox entries written
    by_model: dict[str, int] = field(default_factory=dict)


@dataclass
class _Group:
    model: Any
    transition: Transition
    flows: list[Flow]


def _groups() -> list[_Group]:
    """Per model, the flows whose overdue transitions change the same columns alike (swept together)."""
    groups: dict[tuple[str, Any], _Group] = {}
    for f in flows():
        if not f.overdue:
            continue
        t = f.transition(f.overdue)
        key = (f.model.lower(), (t.name, str(t.label), t.sets, repr(t.when)))
        g = groups.get(key)
        if g is None:
            groups[key] = _Group(apps.get_model(f.model), t, [f])
        else:
            g.flows.append(f)
    return list(groups.values())


def sweep(*, acting_user: Any = None, now: dt.datetime | None = None, batch_size: int = 5000) -> SweepResult:
    """Mark every open subject of every flow past its step deadline overdue and escalate it, in bulk."""
    now = now or timezone.now()
    result = SweepResult()
    for g in _groups():
        marked = 0
        while True:
            with transaction.atomic():
                rows = _apply(g, now, batch_size)
                if rows:
                    result.notified += _written(g, rows, now, acting_user)
                    marked += len(rows)
                    result.batches += 1
            if len(rows) < batch_size:
                break
        result.marked += marked
        label = g.model._meta.label_lower
        result.by_model[label] = result.by_model.get(label, 0) + marked
    return result


def _candidates(g: _Group, now: dt.datetime) -> Q:
    model = g.model
    by_flow = Q()
    for f in g.flows:
        part = Q(stage__in=g.transition.sources if len(g.flows) == 1 else f.transition(f.overdue).sources)
        if model.FLOW_KIND_FIELD:
            part &= Q(**{model.FLOW_KIND_FIELD: f.kind})
        by_flow |= part
    q = Q(status="open", step_deadline__lt=now) & by_flow
    return q & g.transition.when if g.transition.when is not None else q


def _where(model: Any, q: Q) -> tuple[str, list[Any]]:
    """The SQL of a Q on `model`'s own table (no joins), for an UPDATE's WHERE."""
    query = model._base_manager.filter(q).query
    compiler = query.get_compiler(connection=connection)
    sql, params = query.where.as_sql(compiler, connection)
    return sql, list(params)


def _apply(g: _Group, now: dt.datetime, limit: int) -> list[dict[str, Any]]:
    """One batch: take up to `limit` candidates and apply the transition's declared changes in one
    UPDATE … RETURNING."""
    model, t = g.model, g.transition
    table = connection.ops.quote_name(model._meta.db_table)
    inner = model._base_manager.filter(_candidates(g, now)).values("pk")[:limit]
    inner_sql, inner_params = inner.query.get_compiler(connection=connection).as_sql()
    if connection.features.has_select_for_update_skip_locked:
        inner_sql += " FOR UPDATE SKIP LOCKED"
    sets, set_params = [], []
    for column, value in t.sets:
        col = connection.ops.quote_name(model._meta.get_field(column).column)
        if isinstance(value, Inc):
            sets.append(f"{col} = {col} + %s")
            set_params.append(value.by)
        else:
            sets.append(f"{col} = %s")
            set_params.append(typed(model, column, now if value is NOW else value))
    stamp = typed(model, "updated_at", now)
    recheck, recheck_params = _where(model, t.when) if t.when is not None else ("1 = 1", [])
    returning = list(dict.fromkeys((*model.FLOW_BULK_COLUMNS, "id", "number" if _has(model, "number") else "id",
                                    "title" if _has(model, "title") else "id", "stage", "version",
                                    *(c for c, _v in t.sets))))
    cols = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) if c != "queue" else c
                     for c in returning)
    sql = (f"UPDATE {table} SET {', '.join(sets)}, version = version + 1, updated_at = %s "
           f"WHERE id IN ({inner_sql}) AND {recheck} RETURNING {cols}")
    with connection.cursor() as cur:
        cur.execute(sql, [*set_params, stamp, *inner_params, *recheck_params])
        return [dict(zip(returning, row, strict=True)) for row in cur.fetchall()]


def _has(model: Any, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:
        return False
    return True


def _ids_sql(ids: list[int]) -> tuple[str, list[Any]]:
    """`IN (…)` for a batch of ids: one array parameter on PostgreSQL, a list of placeholders elsewhere."""
    if connection.vendor == "postgresql":
        return "= ANY(%s)", [ids]
    return f"IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _written(g: _Group, rows: list[dict[str, Any]], now: dt.datetime, acting_user: Any) -> int:
    """Timeline, audit and notifications of one batch (already updated)."""
    from gridgov.core.notify import notify

    model, t = g.model, g.transition
    note = model.flow_overdue_note()
    events = event_model(model)
    fk = events._meta.get_field(model.FLOW_EVENT_FK).column
    qn = connection.ops.quote_name
    data_sql = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    in_ids, id_params = _ids_sql([r["id"] for r in rows])
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {qn(events._meta.db_table)} ({qn(fk)}, time, actor_id, actor_name, transition, "
                    f"label, from_stage, to_stage, note, data) SELECT id, %s, NULL, %s, %s, %s, stage, stage, %s, "
                    f"{data_sql} FROM {qn(model._meta.db_table)} WHERE id {in_ids}",
                    [typed(events, "time", now), str(_("系统")), t.name, str(t.label), note,
                     json.dumps({"sweep": True, "urged_at": audit.jsonable(now)}), *id_params])
    actor_id = getattr(acting_user, "pk", None)
    actor = (getattr(acting_user, "username", "") or "system")[:150]
    rid = current_request_id()

    def before_after(r: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for column, value in t.sets:
            after[column] = now if value is NOW else r[column]
            if isinstance(value, Inc):
                before[column] = r[column] - value.by
            elif isinstance(value, bool):
                before[column] = not value
        before["version"], after["version"] = r["version"] - 1, r["version"]
        return before, after

    entries = []
    for r in rows:
        before, after = before_after(r)
        entries.append({"time": now, "actor_id": actor_id, "actor": actor, "request_id": rid, "action": "update",
                        "model": model._meta.label_lower, "object_id": str(r["id"]),
                        "object_repr": f"{r.get('number') or ''} {r.get('title') or ''}".strip()[:200] or str(r["id"]),
                        "before": before, "after": after})
    audit.append(entries)

    per_user: dict[int, list[dict[str, Any]]] = {}
    by_row = {r["id"]: r for r in rows}
    for row_id, people in model.flow_overdue_recipients(rows).items():
        for uid in people:
            per_user.setdefault(uid, []).append(by_row[row_id])
    singles: dict[int, list[int]] = {}
    sent = 0
    subject_type = model._meta.label_lower
    url_of = model.FLOW_URL
    for uid, items in per_user.items():
        if len(items) == 1:
            singles.setdefault(items[0]["id"], []).append(uid)
        else:
            numbers = "、".join(str(i.get("number") or i["id"]) for i in items[:10]) + ("……" if len(items) > 10 else "")
            sent += len(notify(user_ids=[uid], subject_type=subject_type, kind=t.name,
                               url=model.flow_overdue_url(), title=model.flow_overdue_digest(len(items)),
                               body=numbers))
    for row_id, uids in singles.items():
        r = by_row[row_id]
        sent += len(notify(user_ids=uids, subject_type=subject_type, subject_id=row_id, kind=t.name,
                           url=url_of.format(pk=row_id) if url_of else "", title=model.flow_overdue_title(r),
                           body=note))
    return sent
