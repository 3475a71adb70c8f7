"""The sign-in lockout every way in shares (the sign-in page, /admin/login/, anything calling `authenticate`).

An attempt takes a slot before its password is checked: one conditional UPDATE per counter, in the database, so
32 guesses sent at once check at most the allowed number of passwords, on any number of processes. Two counters:
the account at the address it is tried from (GRIDGOV_LOGIN_MAX_FAILURES), and the address over every name
(GRIDGOV_LOGIN_ADDRESS_MAX_FAILURES). A guesser elsewhere therefore locks only their own address out of an
account, never the user at theirs. Each lock lasts twice the one before (back-off) up to
GRIDGOV_LOGIN_LOCK_MAX_SECONDS; a good sign-in or an administrator (`login_unlock`) lifts it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.ratelimit import client_address  # noqa: F401  (one address for lockout and limits)

from .models import LoginAttempt, User

Kind = LoginAttempt.Kind


class LockedOut(Exception):
    def __init__(self, until: dt.datetime, *, address: bool = False):
        t = timezone.localtime(until).strftime("%H:%M")
        super().__init__((_("此地址登录失败次数过多，已锁定至 %(t)s。如需提前解锁，请联系管理员。") if address
                          else _("失败次数过多，账号已锁定至 %(t)s。如需提前解锁，请联系管理员。")) % {"t": t})
        self.until = until
        self.address = address


def lock_seconds(locks: int) -> int:
    """How long the lock after `locks` earlier consecutive locks lasts: doubling, capped."""
    return min(settings.GRIDGOV_LOGIN_LOCK_SECONDS * 2 ** min(locks, 20), settings.GRIDGOV_LOGIN_LOCK_MAX_SECONDS)


@dataclass
class Slot:
    """An attempt that may check its password: the keys it counted against."""

    username: str
    address: str
    locks_now: bool  # this attempt's failure is the one that locked the account at this address


def _key(kind: str, username: str, address: str) -> dict[str, str]:
    return {"kind": kind, "username": username if kind == Kind.ACCOUNT else "", "address": address}


def _take(key: dict[str, str], limit: int, now: dt.datetime) -> tuple[bool, LoginAttempt | None]:
    """Count one attempt against the counter at `key` if it has room and is not locked: (taken, row after)."""
    rows = LoginAttempt.objects.filter(**key)
    open_ = ~Q(locked_until__gt=now)
    window = dt.timedelta(seconds=settings.GRIDGOV_LOGIN_LOCK_SECONDS)
    # Failures of an earlier window no longer count; a back-off level is forgotten after the longest lock.
    rows.filter(open_, last_failure__lt=now - window).update(failures=0)
    longest = dt.timedelta(seconds=settings.GRIDGOV_LOGIN_LOCK_MAX_SECONDS)
    rows.filter(open_, locks__gt=0, last_failure__lt=now - longest).update(locks=0)
    taken = rows.filter(open_, failures__lt=limit).update(
        failures=F("failures") + 1, since_sign_in=F("since_sign_in") + 1, last_failure=now)
    return taken == 1, rows.first()


def _lock(row: LoginAttempt, now: dt.datetime) -> None:
    row.locked_until = now + dt.timedelta(seconds=lock_seconds(row.locks))
    row.locks += 1
    row.failures = 0  # the next window after the lock starts afresh
    row.save(update_fields=["locked_until", "locks", "failures"])


def reserve(*, username: str, address: str) -> Slot:
    """Count the attempt before its password is checked; LockedOut if either counter is locked or full."""
    now = timezone.now()
    account, by_address = _key(Kind.ACCOUNT, username, address), _key(Kind.ADDRESS, username, address)
    user_id = User.objects.filter(username=username).values_list("pk", flat=True).first()
    for _attempt in range(5):  # a good sign-in elsewhere may delete the account row between insert and update
        with transaction.atomic():
            LoginAttempt.objects.bulk_create([LoginAttempt(**account, user_id=user_id), LoginAttempt(**by_address)],
                                             ignore_conflicts=True)
            # Always the account row first, then the address row: every transaction locks them in one order.
            got_account, account_row = _take(account, settings.GRIDGOV_LOGIN_MAX_FAILURES, now)
            if account_row is None:
                continue
            got_address, address_row = _take(by_address, settings.GRIDGOV_LOGIN_ADDRESS_MAX_FAILURES, now)
            if address_row is None:
                continue
            if not (got_account and got_address):
                if got_account:  # refused by the address: this attempt checks nothing, so it counts nothing
                    LoginAttempt.objects.filter(pk=account_row.pk).update(
                        failures=F("failures") - 1, since_sign_in=F("since_sign_in") - 1)
                if got_address:
                    LoginAttempt.objects.filter(pk=address_row.pk).update(failures=F("failures") - 1)
                blocked = account_row if not got_account else address_row
                until = blocked.locked_until if blocked.locked_until and blocked.locked_until > now else (
                    now + dt.timedelta(seconds=lock_seconds(blocked.locks)))
                raise_after = LockedOut(until, address=got_account)
            else:
                locks_now = account_row.failures >= settings.GRIDGOV_LOGIN_MAX_FAILURES
                if locks_now:
                    _lock(account_row, now)
                if address_row.failures >= settings.GRIDGOV_LOGIN_ADDRESS_MAX_FAILURES:
                    _lock(address_row, now)
                return Slot(username, address, locks_now)
        # Raised after the commit: raising inside the block would roll the count back.
        raise raise_after
    raise LockedOut(now + dt.timedelta(seconds=settings.GRIDGOV_LOGIN_LOCK_SECONDS))


def failed(slot: Slot) -> None:
    """The password was wrong: the attempt stays counted; say so if it was the one that locked."""
    if slot.locks_now:
        row = LoginAttempt.objects.filter(**_key(Kind.ACCOUNT, slot.username, slot.address)).first()
        if row is not None and row.locked_until:
            raise LockedOut(row.locked_until)


def succeeded(slot: Slot) -> int:
    """The password was right: forget this account's count at this address (lock and back-off included), give
    the address its slot back, and return how many failed attempts on the account the user should be told of."""
    with transaction.atomic():
        mine = LoginAttempt.objects.filter(kind=Kind.ACCOUNT, username=slot.username)
        told = (mine.aggregate(n=Sum("since_sign_in"))["n"] or 0) - 1  # minus this attempt's own count
        mine.filter(address=slot.address).delete()
        mine.update(since_sign_in=0)
        LoginAttempt.objects.filter(**_key(Kind.ADDRESS, slot.username, slot.address), failures__gt=0).update(
            failures=F("failures") - 1)
    return max(told, 0)
