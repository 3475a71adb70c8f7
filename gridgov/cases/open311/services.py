"""Writes of the Open311 edge: clients and their keys, and a posted request (through the case engine)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.cases.photos import files_rolled_back
from gridgov.core import audit
from gridgov.core.errors import ValidationFailed
from gridgov.core.scope import get_scoped
from gridgov.core.services import save_new, service, update_versioned

from .models import Client, Request


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _client_checks(*, name: str, contact: str, exclude_pk: int | None) -> None:
    """All that is wrong with a client's fields at once (the form shows each under its field)."""
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("必填")]
    elif len(name) > 100:
        errors["name"] = [_("过长（最多 %(n)s 个字符）") % {"n": 100}]
    elif Client.objects.filter(name=name).exclude(pk=exclude_pk).exists():
        errors["name"] = [_("已有同名的 Open311 客户端")]
    if len(contact) > 100:
        errors["contact"] = [_("过长（最多 %(n)s 个字符）") % {"n": 100}]
    if errors:
        raise ValidationFailed(errors)


@service
def open311_client_create(*, name: str, town: Any = None, contact: str = "", acting_user: Any) -> tuple[Client, str]:
    """A new client and its API key (returned once, never stored). A town's administrator makes clients of
    their own town only (the scope re-check refuses any other, and a client of every town)."""
    name, contact = (name or "").strip(), (contact or "").strip()
    _client_checks(name=name, contact=contact, exclude_pk=None)
    key = secrets.token_urlsafe(32)
    client = Client(name=name, town=town, contact=contact, key_prefix=key[:8], key_hash=hash_key(key))
    if acting_user is None:  # the command line: the installation's operator
        client.save()
        audit.record(client, "create")
    else:
        save_new(client, acting_user=acting_user)
    return client, key


@service
def open311_client_rotate(*, client: Client, acting_user: Any) -> str:
    """A new key for `client`; the old one stops working at once."""
    if acting_user is not None:
        client = get_scoped(Client.objects, acting_user, "change", pk=client.pk)
    before = audit.snapshot(client)
    key = secrets.token_urlsafe(32)
    client.key_prefix, client.key_hash = key[:8], hash_key(key)
    client.version += 1
    client.save(update_fields=["key_prefix", "key_hash", "version"])
    audit.record(client, "update", before)
    return key


@service
def open311_client_update(*, client: Client, data: dict[str, Any], expected_version: int | None = None,
                          acting_user: Any) -> Client:
    """Rename a client, change its contact, switch it off (its key stops working) or on. Its town is fixed."""
    unknown = set(data) - {"name", "contact", "active"}
    if unknown:
        raise ValidationFailed({f: [_("该字段不可修改")] for f in unknown})
    client = get_scoped(Client.objects, acting_user, "change", pk=client.pk)
    name = (data.get("name", client.name) or "").strip()
    contact = (data.get("contact", client.contact) or "").strip()
    active = data.get("active", client.active)
    if not isinstance(active, bool):
        raise ValidationFailed({"active": [_("应为布尔值")]})
    _client_checks(name=name, contact=contact, exclude_pk=client.pk)
    return update_versioned(client, {"name": name, "contact": contact, "active": active},
                            expected_version=expected_version, acting_user=acting_user)


def client_for_key(key: str) -> Client | None:
    """The active client holding `key` (constant-time comparison), or None."""
    if not key or len(key) < 16:
        return None
    for client in Client.objects.filter(key_prefix=key[:8], active=True):
        if hmac.compare_digest(client.key_hash, hash_key(key)):
            return client
    return None


@dataclass
class Posted:
    case: Any
    followed: bool
    replayed: bool


@files_rolled_back
def open311_request_create(*, client: Client, data: dict[str, Any], details: dict[str, Any],
                           idempotency_key: str = "", photos: list[Any] | tuple[Any, ...] = ()) -> Posted:
    """Create the case through the engine's intake (locate, dispatch suggestion, deadline, timeline, audit,
    notifications), then keep the Open311 details. A report that duplicates an open case nearby follows
    that case instead (the client gets its id), as a resident would be shown it first. With an
    `Idempotency-Key`, a retry returns the first attempt's case and never makes a second one. `photos` (the
    multipart `media` some clients send besides `media_url`) go with a new case, checked like any photo."""
    from django.db import IntegrityError, transaction

    from gridgov.cases.services import DuplicateFound, case_report

    key = idempotency_key[:100] or None
    if key:
        earlier = Request.objects.filter(client=client, idempotency_key=key).select_related("case").first()
        if earlier is not None:
            return Posted(earlier.case, earlier.followed, True)
    try:
        with transaction.atomic():
            try:
                intake = case_report(acting_user=None, data=data, photos=photos)
            except DuplicateFound as exc:
                intake = case_report(acting_user=None, data={**data, "follow": exc.extra["duplicates"][0]["id"]})
            Request.objects.create(case=intake.case, client=client, followed=intake.followed,
                                   idempotency_key=key, **details)
    except IntegrityError:
        # A concurrent retry with the same key won: everything this attempt wrote is rolled back.
        earlier = Request.objects.filter(client=client, idempotency_key=key).select_related("case").first()
        if earlier is None:
            raise
        return Posted(earlier.case, earlier.followed, True)
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > timezone.timedelta(minutes=1):
        Client.objects.filter(pk=client.pk).update(last_used_at=now)  # at most once a minute
    return Posted(intake.case, intake.followed, False)
