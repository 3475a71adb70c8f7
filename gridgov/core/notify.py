"""Notifications of every flow: an in-app row per recipient (`core.Notification`, naming its subject by type
and id), written in the write's transaction; external channels (SMS, e-mail, ...) through pluggable backends,
called only after commit.

Backends are dotted paths in settings.GRIDGOV_NOTIFY_BACKENDS (default: the console backend), each a
callable `send(notification)`:

- `console_backend`: writes to the log (development);
- `email_backend`: an e-mail to the recipient's address through Django's mail API (EMAIL_BACKEND, EMAIL_HOST…;
  Django's console e-mail backend in development);
- `sms_backend`: a text to the recipient's mobile through an HTTP SMS gateway: a JSON POST of
  ``{"phone", "text", "ref"}`` to settings.GRIDGOV_SMS_URL with ``Authorization: Bearer GRIDGOV_SMS_TOKEN``
  (the gateway signs and forwards to the operator; a 2xx answer counts as sent);
- `outbox_backend`: keeps what was sent in memory (tests).

People without an account (a 12345 caller, a visitor who left a mobile) are reached through the same backends
by a `ContactNotice`: no inbox row, its `recipient` a `Contact` with only a mobile.

Each runs after commit; a failing channel is logged and never stops the others or the write. A backend with
`needs_recipient = True` finds `notification.recipient` loaded (one query for all recipients).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

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
    paths = getattr(settings, "GRIDGOV_NOTIFY_BACKENDS", ["gridgov.core.notify.console_backend"])
    return [import_string(p) for p in paths]


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

def notify(*, user_ids: Iterable[int], subject: Any = None, subject_type: str = "", subject_id: int | None = None,
           kind: str, title: str, body: str = "", exclude: int | None = None, url: str = "") -> list[Any]:
    """Inbox rows for `user_ids` about `subject` (any row; `subject_type` defaults to its model's label),
    linking to `url`; handed to the external channels after commit. One INSERT."""
    from .models import Notification

    if subject is not None and not subject_type:
        subject_type = subject._meta.label_lower
    sid = getattr(subject, "pk", None) if subject is not None else subject_id
    rows = [Notification(recipient_id=uid, subject_type=subject_type, subject_id=sid, kind=kind,
                         title=str(title)[:120], body=body, url=url)
            for uid in sorted(set(user_ids)) if uid != exclude]
    if not rows:
        return []
    Notification.objects.bulk_create(rows)
    send_after_commit(rows)
    return rows


def unread_count(user: Any) -> int:
    """How many of `user`'s notifications, of every subject, are unread."""
    from .models import Notification

    return Notification.objects.filter(recipient_id=user.pk, read_at=None).count()
