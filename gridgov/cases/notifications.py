"""Notifications of cases: who is told of what (recipient groups, titles in the reader's language), on the
channels of gridgov.core.notify (an inbox row per recipient written in the transition's transaction; SMS,
e-mail … after commit). The backends' old dotted paths here (`gridgov.cases.notifications.sms_backend` …)
stay valid in settings.

People without an account whom a case concerns — a 12345 caller named on the complaint, a visitor who left a
mobile, a caller following the case — are reached by a `ContactNotice` whose `url` is that person's own follow
link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from gridgov.accounts.models import RoleAssignment
from gridgov.accounts.roles import Role
from gridgov.core.notify import (  # noqa: F401  (the channels, re-exported under their old paths)
    OUTBOX,
    Contact,
    ContactNotice,
    _backends,
    _deliver,
    console_backend,
    email_backend,
    outbox_backend,
    send_after_commit,
    sms_backend,
)


def recipients_sql(case: Any, groups: Iterable[str]) -> tuple[str, list[Any]]:
    """The people concerned with `case` for each group named by a transition, as one SQL query of user ids
    (`user_id` column; a user may appear more than once). `recipients` runs it; the intake inserts its
    notifications straight from it, in the statement that writes the case."""
    from gridgov.network.models import Division

    from .models import CaseFollower

    groups = set(groups)
    ra, div = RoleAssignment._meta.db_table, Division._meta.db_table
    parts: list[str] = []
    params: list[Any] = []
    direct: list[int] = []
    roles: list[str] = []
    if "reporter" in groups:
        if case.reporter_id:
            direct.append(case.reporter_id)
        parts.append(f"SELECT user_id FROM {CaseFollower._meta.db_table} WHERE case_id = %s AND user_id IS NOT NULL")
        params.append(case.pk)
    if "handlers" in groups:
        if case.assignee_id:
            direct.append(case.assignee_id)
        if case.department_id:
            roles.append("(department_id = %s AND role = %s)")
            params += [case.department_id, Role.DEPT_STAFF]
        if case.pro_category:
            roles.append(f"(role = %s AND category = %s AND division_id IN (SELECT id FROM {div} WHERE town_id = %s))")
            params += [Role.PRO_WORKER, case.pro_category, case.town_id]
    for group, role, division in (("dispatchers", Role.ADMIN, case.town_id), ("grid", Role.GRID_WORKER, case.grid_id),
                                  ("leaders", Role.LEADER, case.town_id)):
        if group in groups:
            roles.append("(role = %s AND division_id = %s)")
            params += [role, division]
    if roles:
        parts.append(f"SELECT user_id FROM {ra} WHERE " + " OR ".join(roles))
    for uid in direct:
        parts.append("SELECT %s AS user_id")
        params.append(uid)
    if not parts:
        return f"SELECT user_id FROM {ra} WHERE 1 = 0", []
    return " UNION ALL ".join(parts), params


def recipients(case: Any, groups: Iterable[str]) -> set[int]:
    """User ids of the people concerned with `case` for each group named by a transition."""
    sql, params = recipients_sql(case, groups)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


# -- Titles: written in the language of whoever acted, shown in the reader's ----------------------------
# The inbox row keeps the title as it was written (what the external channels sent); the inbox reads it
# back through `localize`, which names the kinds it knows again in the reader's language from the case.

def report_title(case: Any) -> str:
    return _("新上报 %(n)s：%(t)s") % {"n": case.number, "t": case.title}


def transition_title(case: Any, label: Any) -> str:
    return _("%(n)s %(t)s：%(s)s") % {"n": case.number or case.pk, "t": label, "s": case.title}


def urge_title(case: Any) -> str:
    return _("督办 %(n)s：%(t)s 已超期") % {"n": case.number or case.pk, "t": case.title}


def urge_digest_title(count: int) -> str:
    return _("督办：%(n)d 件案卷已超期") % {"n": count}


def urge_note() -> str:
    return _("已超过本环节办理时限，系统自动督办")


def localize(rows: Iterable[Any]) -> list[Any]:
    """Inbox rows (their case loaded) with the title, and the sweep's own note, in the reader's language.
    A kind this does not know keeps what was written."""
    from . import engine

    out = []
    for n in rows:
        case = n.case
        if n.kind == "urge":
            if case is not None:
                n.title, n.body = urge_title(case), urge_note()
            elif (m := re.search(r"\d+", n.title)) is not None:  # a digest: its count is the title's number
                n.title = urge_digest_title(int(m.group()))
        elif case is not None and n.kind == "report":
            n.title = report_title(case)
        elif case is not None:
            label = next((t.label for t in engine.flow_for(case.kind).transitions if t.name == n.kind), None)
            if label is not None:
                n.title = transition_title(case, label)
        n.title = n.title[:120]
        out.append(n)
    return out


def notify(*, user_ids: Iterable[int], case: Any, kind: str, title: str, body: str = "",
           exclude: int | None = None, url: str = "") -> list[Any]:
    """Inbox rows for `user_ids` (sent on after commit); they link to `case`, else to `url`."""
    from gridgov.core.notify import notify as core_notify

    url = f"/cases/{case.pk}/" if case is not None else url
    return core_notify(user_ids=user_ids, subject=case, subject_type="cases.case", kind=kind, title=title,
                       body=body, exclude=exclude, url=url)


def complainant(case: Any) -> list[tuple[Contact, str]]:
    """The complainant, when known only by the mobile given with the report (no query)."""
    if case.reporter_phone and (case.reporter_id is None or case.channel == "hotline"):
        return [(Contact(case.reporter_phone, case.reporter_name), case.follow_token)]
    return []


def contacts(case: Any) -> list[tuple[Contact, str]]:
    """The people without an account a case's news goes to, each with their own follow link's token: the
    complainant known by the mobile given with the report (a 12345 caller, a visitor without an account),
    and the callers following it. One query."""
    from .models import CaseFollower

    out = complainant(case)
    rows = CaseFollower.objects.filter(case=case, user=None).exclude(phone="").values_list("phone", "name", "token")
    out += [(Contact(phone, name), token) for phone, name, token in rows if token]
    return out


def notify_contacts(*, case: Any, kind: str, title: str, body: str = "",
                    to: list[tuple[Contact, str]] | None = None) -> list[ContactNotice]:
    """Tell `to` (default: everyone `contacts(case)` names) after commit, each with their follow link."""
    notices = [ContactNotice(recipient=c, title=title[:120], body=body, url=f"/cases/follow/{token}/",
                             ref=f"c{case.pk}-{kind}-{i}", kind=kind)
               for i, (c, token) in enumerate(contacts(case) if to is None else to)]
    if notices:
        backends = _backends()
        transaction.on_commit(lambda: _deliver(notices, backends))
    return notices


def _with_deadline(event: Any) -> str:
    """The note, and the handling deadline the step set (派遣, 改派, 返工, 批准延期, 恢复办理): the unit reads
    in its inbox until when it has, without opening the case."""
    import datetime as dt

    from django.utils import timezone

    when = (event.data or {}).get("deadline") if isinstance(event.data, dict) else None
    if isinstance(when, str):
        try:
            when = dt.datetime.fromisoformat(when)
        except ValueError:
            when = None
    if not isinstance(when, dt.datetime):
        return event.note
    line = _("处置时限：%(d)s") % {"d": timezone.localtime(when).strftime("%Y-%m-%d %H:%M")}
    return f"{event.note}\n{line}" if event.note else line


def _with_rating(case: Any, event: Any, body: str) -> str:
    """A complainant's rating in the inbox: the score, and on a 差评 the call-back due and by when, so the
    指挥中心 sees a 回访 is theirs to make without opening the case."""
    from django.utils import timezone

    data = event.data if isinstance(event.data, dict) else {}
    if event.transition != "rate" or data.get("rating") is None:
        return body
    lines = [_("满意度：%(r)s / 5") % {"r": data["rating"]}]
    if data.get("callback") and case.step_deadline:
        lines.append(_("差评，请于 %(d)s 前回访诉求人") % {
            "d": timezone.localtime(case.step_deadline).strftime("%Y-%m-%d %H:%M")})
    return "\n".join([*lines, body] if body else lines)


def notify_transition(*, case: Any, transition: Any, event: Any, actor: Any, extra: list[Any]) -> None:
    if not transition.notify and not extra:
        return
    ids = recipients(case, transition.notify) | set(extra)
    title = transition_title(case, transition.label)
    body = _with_rating(case, event, _with_deadline(event))
    notify(user_ids=ids, case=case, kind=transition.name, title=title, body=body, exclude=getattr(actor, "pk", None))
    if "reporter" in transition.notify:  # a text says what happened and links to what they may read; no notes
        notify_contacts(case=case, kind=transition.name, title=title)


def overdue_recipients(rows: list[dict[str, Any]]) -> dict[int, set[int]]:
    """Case id → who is told that the case is overdue (the sweep's 督办; rows carry Case.FLOW_BULK_COLUMNS)."""
    from gridgov.network.models import Department

    from .filtersets import QUEUE_ACTION

    # Who is told, per case: the town's dispatchers (指挥中心) and whoever the late step waits for: the handlers
    # (assignee, department staff and head, professional workers of the category in the town) while the step
    # is theirs, the grid's workers for a late 核查. A handful of queries per batch.
    towns = {r["town_id"] for r in rows}
    departments = {r["department_id"] for r in rows if r["department_id"]}
    pros = {r["pro_category"] for r in rows if r["pro_category"]}
    dispatchers: dict[int, set[int]] = {}
    for town_id, user_id in RoleAssignment.objects.filter(role=Role.ADMIN, division_id__in=towns).values_list(
            "division_id", "user_id"):
        dispatchers.setdefault(town_id, set()).add(user_id)
    staff: dict[int, set[int]] = {}
    for dep_id, user_id in RoleAssignment.objects.filter(role=Role.DEPT_STAFF, department_id__in=departments
                                                         ).values_list("department_id", "user_id"):
        staff.setdefault(dep_id, set()).add(user_id)
    for dep_id, head_id in Department.objects.filter(pk__in=departments, head__isnull=False).values_list(
            "id", "head_id"):
        staff.setdefault(dep_id, set()).add(head_id)
    pro_workers: dict[tuple[int, str], set[int]] = {}
    if pros:
        for town_id, cat, user_id in RoleAssignment.objects.filter(
                role=Role.PRO_WORKER, category__in=pros, division__town_id__in=towns).values_list(
                "division__town_id", "category", "user_id"):
            pro_workers.setdefault((town_id, cat), set()).add(user_id)
    # A late 核查 is the grid worker's step, not the department's (it has handed the case back).
    verifying = {r["id"] for r in rows if r["queue"] == "verify"}
    grid_workers: dict[int, set[int]] = {}
    if verifying:
        for grid_id, user_id in RoleAssignment.objects.filter(
                role=Role.GRID_WORKER, division_id__in={r["grid_id"] for r in rows if r["id"] in verifying}
                ).values_list("division_id", "user_id"):
            grid_workers.setdefault(grid_id, set()).add(user_id)
    out: dict[int, set[int]] = {}
    for r in rows:
        people = set(dispatchers.get(r["town_id"], ()))
        if r["id"] in verifying:
            people |= grid_workers.get(r["grid_id"], set())
        elif QUEUE_ACTION.get(r["queue"]) == "handle":  # not once they have handed the case on (评价, 回访 …)
            people |= staff.get(r["department_id"], set())
            people |= pro_workers.get((r["town_id"], r["pro_category"]), set())
            if r["assignee_id"]:
                people.add(r["assignee_id"])
        out[r["id"]] = people
    return out
