"""Notifications: an in-app inbox row per recipient, written in the transition's transaction; external
channels (SMS, e-mail, ...) through pluggable backends, called only after commit.

Backends are dotted paths in settings.GRIDGOV_NOTIFY_BACKENDS (default: the console backend), each a
callable `send(notification)`:

- `console_backend`: writes to the log (development);
- `email_backend`: an e-mail to the recipient's address through Django's mail API (EMAIL_BACKEND, EMAIL_HOST…;
  Django's console e-mail backend in development);
- `sms_backend`: a text to the recipient's mobile through an HTTP SMS gateway: a JSON POST of
  ``{"phone", "text", "ref"}`` to settings.GRIDGOV_SMS_URL with ``Authorization: Bearer GRIDGOV_SMS_TOKEN``
  (the gateway signs and forwards to the operator; a 2xx answer counts as sent);
- `outbox_backend`: keeps what was sent in memory (tests).

People without an account whom a case concerns — a 12345 caller named on the complaint, a visitor who left a
mobile, a caller following the case — are reached through the same backends by a `ContactNotice`: no inbox
row, its `recipient` a `Contact` with only a mobile, its `url` that person's own follow link (the SMS backend
texts it; e-mail and the inbox have nothing to reach them by).

Each runs after commit; a failing channel is logged and never stops the others or the transition. A backend
with `needs_recipient = True` finds `notification.recipient` loaded (one query for all recipients).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from gridgov.accounts.models import RoleAssignment
from gridgov.accounts.roles import Role

log = logging.getLogger("gridgov.notify")


def console_backend(notification: Any) -> None:
    log.info("notify %s: %s — %s", notification.recipient_id, notification.title, notification.body)


def _text(notification: Any) -> str:
    site = getattr(settings, "GRIDGOV_SITE_URL", "").rstrip("/")
    link = f" {site}{notification.url}" if site and notification.url else ""
    return f"{notification.title}{('：' + notification.body) if notification.body else ''}{link}"


def email_backend(notification: Any) -> None:
    """An e-mail to the recipient, when they have an address."""
    from django.core.mail import send_mail

    user = notification.recipient
    if not user.email:
        return
    send_mail(subject=f"[gridgov] {notification.title}", message=_text(notification),
              from_email=None, recipient_list=[user.email])


def sms_backend(notification: Any) -> None:
    """A text to the recipient's mobile through the HTTP gateway of settings.GRIDGOV_SMS_URL."""
    import json
    import urllib.request

    url = getattr(settings, "GRIDGOV_SMS_URL", "")
    user = notification.recipient
    if not url or not user.phone:
        return
    ref = getattr(notification, "ref", "") or f"n{notification.pk}"
    body = json.dumps({"phone": user.phone, "text": _text(notification)[:300], "ref": ref},
                      ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json; charset=utf-8"}
    token = getattr(settings, "GRIDGOV_SMS_TOKEN", "")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(req, timeout=getattr(settings, "GRIDGOV_SMS_TIMEOUT", 5)) as resp:  # noqa: S310
        if not 200 <= resp.status < 300:
            raise RuntimeError(f"SMS gateway answered {resp.status}")


email_backend.needs_recipient = True  # type: ignore[attr-defined]
sms_backend.needs_recipient = True  # type: ignore[attr-defined]


def outbox_backend(notification: Any) -> None:
    """Keeps sent notifications in memory (tests)."""
    OUTBOX.append(notification)


OUTBOX: list[Any] = []


def _backends() -> list[Any]:
    paths = getattr(settings, "GRIDGOV_NOTIFY_BACKENDS", ["gridgov.cases.notifications.console_backend"])
    return [import_string(p) for p in paths]


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
    from .models import Notification

    url = f"/cases/{case.pk}/" if case is not None else url
    rows = [Notification(recipient_id=uid, case=case, kind=kind, title=title[:120], body=body, url=url)
            for uid in sorted(set(user_ids)) if uid != exclude]
    if not rows:
        return []
    Notification.objects.bulk_create(rows)
    send_after_commit(rows)
    return rows


def send_after_commit(rows: list[Any]) -> None:
    """Hand the inbox rows written in the current transaction to the external channels once it commits."""
    backends = _backends()

    def send() -> None:
        from gridgov.accounts.models import User

        if any(getattr(b, "needs_recipient", False) for b in backends):
            # E-mail and SMS read the recipient's address and mobile: one query for all of them.
            users = User.objects.only("id", "email", "phone", "display_name", "username").in_bulk(
                {n.recipient_id for n in rows})
            for n in rows:
                n.recipient = users[n.recipient_id]
        _deliver(rows, backends)

    transaction.on_commit(send)


def _deliver(notices: Iterable[Any], backends: list[Any]) -> None:
    """Hand each notice to each channel; a failing channel is logged and never breaks the others."""
    for n in notices:
        for backend in backends:
            try:
                backend(n)
            except Exception:
                log.exception("notification backend failed")


@dataclass
class Contact:
    """Someone reached by their mobile alone (no account)."""

    phone: str
    display_name: str = ""
    email: str = ""
    pk: None = None

    def __str__(self) -> str:
        return self.display_name or self.phone


@dataclass
class ContactNotice:
    """A notification to a `Contact`: what the backends read of a Notification, with no inbox row."""

    recipient: Contact
    title: str
    body: str
    url: str
    ref: str
    kind: str = ""
    recipient_id: None = None
    pk: None = None


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
