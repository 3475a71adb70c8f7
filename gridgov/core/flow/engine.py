"""One mechanism for every flow: `start` opens a subject in its flow's first stage, `fire` runs one
transition. Each in one transaction: the optimistic version check (a stale version is a 409 Conflict naming
the current stage), the row, its timeline entry, the audit record, and the notifications, sent on after
commit. Working-time deadlines come from the stage's `Limit`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core import audit
from gridgov.core.errors import Conflict, PermissionDenied, ValidationFailed
from gridgov.core.files import files_rolled_back
from gridgov.core.services import service

from .declare import NOW, Ctx, Flow, Inc, Transition, flow_for


def flow_of(obj: Any) -> Flow:
    return flow_for(obj.flow_kind())


def event_model(model: Any) -> Any:
    return apps.get_model(model.FLOW_EVENT_MODEL)


def conflict_for(model: Any, pk: Any) -> Conflict:
    """The 409 of a stale write: the current version and stage, for the page to show."""
    fields = ["version", "stage", *([model.FLOW_KIND_FIELD] if model.FLOW_KIND_FIELD else [])]
    row = model._base_manager.filter(pk=pk).values(*fields).first() or {}
    stage = row.get("stage", "")
    kind = row.get(model.FLOW_KIND_FIELD) if model.FLOW_KIND_FIELD else model.FLOW_KIND
    label = str(flow_for(kind).stage(stage).label) if row else ""
    return Conflict(_("%(what)s已被他人处理（当前环节：%(s)s），请刷新后重试") % {"what": model._meta.verbose_name, "s": label},
                    current_version=row.get("version"), current_stage=stage, current_stage_label=label)


def enter_stage(obj: Any, stage_name: str, now: dt.datetime) -> None:
    """Set stage, status and the step deadline of the stage entered."""
    stage = flow_of(obj).stage(stage_name)
    previous_step_deadline = obj.step_deadline
    obj.stage = stage.name
    obj.status = "closed" if stage.closed else "open"
    if stage.limit is not None:
        obj.step_deadline, _prov = stage.limit.after(now, obj)
    elif stage.on_clock:
        obj.step_deadline = obj.flow_clock()
    else:
        obj.step_deadline = None
    # `overdue` (督办) belongs to a step: a stage with its own limit starts a fresh clock, on time, and the sweep
    # urges it again when that one lapses, even when the new deadline happens to equal the old one. A stage on
    # the subject's clock keeps the mark unless its deadline moved.
    if stage.closed or stage.limit is not None or obj.step_deadline != previous_step_deadline:
        obj.overdue = False


INTEGER = re.compile(r"-?\d{1,18}")
INTEGER_KINDS = frozenset({"int", "rating", "department", "user", "key"})


def clean_inputs(t: Transition, data: dict[str, Any]) -> dict[str, Any]:
    """The transition's inputs, typed; every refused one is named at once (a form names them all together)."""
    known = {i.name: i for i in t.inputs}
    unknown = set(data) - set(known)
    if unknown:
        raise ValidationFailed({k: [_("未知字段")] for k in sorted(unknown)})
    out: dict[str, Any] = {}
    errors: dict[str, list[Any]] = {}
    for name, spec in known.items():
        value = data.get(name)
        if spec.kind == "text" and isinstance(value, str):
            value = value.strip()  # a reply of spaces tells nobody anything: it is no reply
        # The reason alone: the page and the API put the field's label before it ("延期时长：应为整数").
        if value in (None, ""):
            if spec.required:
                errors[name] = [_("必填")]
            continue
        if spec.kind in INTEGER_KINDS:
            # An integer, or its digits as a form sends them (a 64-bit key at most); not 1.7 read as 1, nor
            # true read as 1.
            if isinstance(value, bool) or not isinstance(value, int | str) or not INTEGER.fullmatch(str(value).strip()):
                errors[name] = [_("应为整数")]
                continue
            value = int(value)
            if spec.kind == "rating" and not 1 <= value <= 5:
                errors[name] = [_("评价只能是 1 到 5")]
                continue
        if spec.kind == "choice" and value not in spec.choices:
            errors[name] = [_("请选择有效的选项")]
            continue
        if spec.kind == "bool":
            value = value in (True, "true", "1", "on", 1)
        out[name] = value
    if errors:
        raise ValidationFailed(errors)
    return out


def apply_sets(obj: Any, t: Transition, now: dt.datetime) -> None:
    """A transition's declared column changes on one row (the sweep applies the same ones in SQL)."""
    for column, value in t.sets:
        if value is NOW:
            setattr(obj, column, now)
        elif isinstance(value, Inc):
            setattr(obj, column, (getattr(obj, column) or 0) + value.by)
        else:
            setattr(obj, column, value)


def matches(obj: Any, q: Any) -> bool:
    """Whether `obj` (loaded) meets a transition's `when`: plain equality lookups, AND/OR/NOT."""
    if q is None:
        return True
    results = []
    for child in q.children:
        if hasattr(child, "children"):
            results.append(matches(obj, child))
        else:
            key, value = child
            results.append(getattr(obj, key.removesuffix("__exact")) == value)
    ok = all(results) if q.connector == "AND" else any(results)
    return not ok if q.negated else ok


@files_rolled_back
@service
def fire(*, subject: Any, transition: str, acting_user: Any, expected_version: int | None = None,
         note: str = "", data: dict[str, Any] | None = None, photos: Sequence[Any] = (),
         system: bool = False, actor_name: str = "") -> Any:
    """Fire one transition on `subject` for `acting_user`. Exactly one of two concurrent calls on the same
    version succeeds; the other raises Conflict carrying the current stage. `system`: the caller has
    authorised the act itself (the sweep, a merge, a follow link's token). `actor_name`: who acted without an
    account, for the timeline; else 系统."""
    obj = subject
    model = type(obj)
    flow = flow_of(obj)
    t = flow.transition(transition)
    if expected_version is not None and expected_version != obj.version:
        raise conflict_for(model, obj.pk)
    if obj.stage not in t.sources or not matches(obj, t.when):
        raise conflict_for(model, obj.pk) if expected_version is not None else ValidationFailed(
            {"transition": [_("当前环节（%(s)s）不能执行“%(t)s”") % {"s": flow.stage(obj.stage).label, "t": t.label}]})
    if t.system and not system:
        raise PermissionDenied()
    if not system and not t.allowed(obj, acting_user):
        raise PermissionDenied()
    note = (note or "").strip()
    missing_note = {"note": [_("请填写%(t)s的说明") % {"t": t.label}]} if t.note_required and not note else {}
    try:
        inputs = clean_inputs(t, dict(data or {}))
    except ValidationFailed as exc:  # named together with a missing note, in the form's order
        raise ValidationFailed({**exc.errors, **missing_note}) from None
    if missing_note:
        raise ValidationFailed(missing_note)

    before = audit.snapshot(obj)
    now = timezone.now()
    from_stage = obj.stage
    ctx = Ctx(obj=obj, user=acting_user, transition=t, now=now, data=inputs, note=note,
              prev_step_deadline=obj.step_deadline)
    obj.flow_before(ctx)
    if t.target is not None:
        enter_stage(obj, t.target, now)
    apply_sets(obj, t, now)
    for effect in t.effects:
        effect(ctx)

    values = {name: getattr(obj, name) for name in model.flow_mutable()}
    rows = model._base_manager.filter(pk=obj.pk, version=obj.version).update(
        version=F("version") + 1, updated_at=now, **values)
    if rows == 0:
        raise conflict_for(model, obj.pk)
    obj.version += 1
    obj.updated_at = now
    acted = getattr(acting_user, "pk", None)
    event = event_model(model).objects.create(
        **{model.FLOW_EVENT_FK: obj}, time=now, actor=acting_user if acted else None,
        actor_name=str(acting_user) if acted else (actor_name or _("系统")),
        transition=t.name, label=t.label, from_stage=from_stage, to_stage=obj.stage, note=note,
        data=audit.jsonable({**inputs, **ctx.event_data}))
    obj.flow_after(ctx, event, photos)
    audit.record(obj, "update", before)
    obj.flow_notify(ctx, event)
    return obj


def start(*, subject: Any, acting_user: Any, label: str, transition: str = "start", note: str = "",
          data: dict[str, Any] | None = None, actor_name: str = "", now: dt.datetime | None = None,
          notify: bool = True) -> Any:
    """Open `subject` (unsaved, its own fields set and checked) in its flow's first stage: the stage and its
    step deadline, its number, the row (one INSERT on PostgreSQL, whose id is taken from the sequence first),
    its first timeline entry, the audit record, and the flow's `start_notify` groups told. Call inside a
    service's transaction. Returns the timeline entry."""
    obj = subject
    model = type(obj)
    flow = flow_of(obj)
    now = now or timezone.now()
    if not obj.stage:
        enter_stage(obj, flow.initial, now)
    prefix = obj.flow_number_prefix(now)
    if prefix and connection.vendor == "postgresql":
        # The number is made from the id: take the id first, so the row is written once.
        with connection.cursor() as cur:
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [model._meta.db_table])
            obj.pk = cur.fetchone()[0]
        obj.number = f"{prefix}{obj.pk:06d}"
        obj.save(force_insert=True)
    else:
        obj.save(force_insert=True)
        if prefix:
            obj.number = f"{prefix}{obj.pk:06d}"
            model._base_manager.filter(pk=obj.pk).update(number=obj.number)
    actor = acting_user if getattr(acting_user, "pk", None) else None
    event = event_model(model)(**{model.FLOW_EVENT_FK: obj}, time=now, actor=actor,
                               actor_name=actor_name or (str(actor) if actor else _("系统")),
                               transition=transition,
                               label=label, from_stage="", to_stage=obj.stage, note=note, data=data or {})
    event.save(force_insert=True)
    audit.record(obj, "create", actor=actor)
    if notify and flow.start_notify:
        obj.flow_notify_start(event, acting_user, flow.start_notify)
    return event


def typed(model: Any, column: str, value: Any) -> Any:
    """A Python value as the database takes it for `column` of `model` (raw SQL of the sweep)."""
    field = model._meta.get_field(column)
    return field.get_db_prep_value(value, connection, prepared=False)
