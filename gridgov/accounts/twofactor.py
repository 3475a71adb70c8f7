"""Two factors for staff (issue 16, item 9): a password, then a code of an authenticator app (TOTP, RFC 6238:
HMAC-SHA1, 30-second steps, 6 digits) or one of ten single-use recovery codes.

Who: every account that has set up an authenticator; and, whether or not it has, every administrator (role
`admin`, Django's staff and superusers) and, with GRIDGOV_2FA_REQUIRED=pii, every account that can unmask
personal data (`view_pii`). Such an account, once its password is right, is signed in only half: the session is
marked pending and `TwoFactorMiddleware` lets it reach nothing but the second step (`/login/2fa/`, which sets up
an authenticator on the first sign-in) and sign-out. Every way in that checks a password marks it
(`backends.LockoutBackend` flags the request, the `user_logged_in` handler marks the session), the
`/admin/login/` included. A code is good once (the step is taken by a conditional UPDATE), and wrong codes count
against the sign-in lockout of the account at that address like wrong passwords.

The demo: with GRIDGOV_DEBUG=1 only, an account without an authenticator may give GRIDGOV_2FA_DEMO_CODE
(`000000`) instead, so the demo's logins keep working; production never accepts it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import RoleAssignment, SecondFactor
from .roles import PERMISSIONS, Role

SESSION_FLAG = "gridgov_2fa_pending"
STEP = 30
DIGITS = 6
RECOVERY_CODES = 10


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def totp(secret: str, step: int) -> str:
    """RFC 6238's code of `secret` (base32) at time step `step`."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP)


def provisioning_uri(user: Any, secret: str) -> str:
    """What the authenticator app reads from the QR code."""
    issuer = settings.GRIDGOV_2FA_ISSUER
    label = quote(f"{issuer}:{user.get_username()}")
    return f"otpauth://totp/{label}?" + urlencode({"secret": secret, "issuer": issuer, "digits": DIGITS,
                                                    "period": STEP})


def _pii_roles() -> set[str]:
    return {role for role, table in PERMISSIONS.items() if any("view_pii" in acts for acts in table.values())}


def required(user: Any) -> bool:
    """Must this account give a second factor whether or not it has set one up?"""
    if user.is_superuser or user.is_staff:
        return True
    roles = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    if Role.ADMIN in roles:
        return True
    return settings.GRIDGOV_2FA_REQUIRED == "pii" and bool(roles & _pii_roles())


def enrolled(user: Any) -> SecondFactor | None:
    return SecondFactor.objects.filter(user=user, confirmed_at__isnull=False).first()


def needed(user: Any) -> bool:
    return enrolled(user) is not None or required(user)


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").replace(" ", "").encode()).hexdigest()


def new_recovery_codes() -> list[str]:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    codes = ["".join(secrets.choice(alphabet) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def _take_step(factor: SecondFactor, code: str, now: float | None = None) -> bool:
    """True when `code` is the code of this step or the one before or after (clock drift), and no code of that
    step or a later one was used: one conditional UPDATE, so two requests with one code cannot both pass."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return False
    step = current_step(now)
    for s in (step, step - 1, step + 1):
        if hmac.compare_digest(totp(factor.secret, s), code):
            return SecondFactor.objects.filter(pk=factor.pk, last_step__lt=s).update(last_step=s) == 1
    return False


def _take_recovery(factor: SecondFactor, code: str) -> bool:
    h = _hash(code)
    with transaction.atomic():
        row = SecondFactor.objects.select_for_update().get(pk=factor.pk)
        if h not in row.recovery_hashes:
            return False
        row.recovery_hashes = [x for x in row.recovery_hashes if x != h]
        row.save(update_fields=["recovery_hashes"])
    return True


def check(user: Any, code: str, *, now: float | None = None) -> str | None:
    """Which second factor `code` is for `user` ("totp", "recovery", "demo"), or None."""
    factor = enrolled(user)
    if factor is not None:
        if _take_step(factor, code, now):
            return "totp"
        return "recovery" if _take_recovery(factor, code) else None
    demo = settings.GRIDGOV_2FA_DEMO_CODE
    if settings.DEBUG and demo and hmac.compare_digest(code.strip(), demo):
        return "demo"
    return None


def demo_code_shown() -> str:
    """The demo code the second step names (DEBUG only: the demo's logins)."""
    return settings.GRIDGOV_2FA_DEMO_CODE if settings.DEBUG else ""


def confirm_matches(secret: str, code: str, now: float | None = None) -> int | None:
    """The step a set-up code is of (this step or its neighbours), else None."""
    code = code.strip().replace(" ", "")
    step = current_step(now)
    for s in (step, step - 1, step + 1):
        if len(code) == DIGITS and hmac.compare_digest(totp(secret, s), code):
            return s
    return None


def mark_pending(request: Any) -> None:
    request.session[SESSION_FLAG] = True


def is_pending(request: Any) -> bool:
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(SESSION_FLAG))


def mark_passed(request: Any) -> None:
    """The second factor is given: a new session key (no fixation of the half-signed session), no flag."""
    request.session.pop(SESSION_FLAG, None)
    request.session.cycle_key()  # keeps the session's data, under a new key
    request.session["gridgov_2fa_at"] = timezone.now().isoformat()


def on_user_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A sign-in that checked a password (any way in) waits for the second factor when the account needs one."""
    if request is not None and getattr(request, "gridgov_password_checked", False) and needed(user):
        mark_pending(request)
