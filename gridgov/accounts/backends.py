"""Authentication backend: the model backend behind the shared lockout (gridgov/accounts/lockout.py).

Every sign-in that goes through `django.contrib.auth.authenticate` — the sign-in page, the admin's login,
`Client.login` — takes a slot before the password is checked, so no way in escapes the count."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from . import lockout


class LockoutBackend(ModelBackend):
    def authenticate(self, request: Any, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> Any:
        if username is None:
            username = kwargs.get("username")
        if not username or password is None:
            return None
        username = str(username).strip()[:150]
        try:
            slot = lockout.reserve(username=username, address=lockout.client_address(request))
            user = super().authenticate(request, username=username, password=password, **kwargs)
            if user is None:
                lockout.failed(slot)
                return None
        except lockout.LockedOut as exc:
            if request is not None:
                request.gridgov_locked_out = exc  # for the form to say so
            # PermissionDenied stops `authenticate` from trying any other backend.
            raise PermissionDenied(str(exc)) from exc
        told = lockout.succeeded(slot)
        if request is not None:
            request.gridgov_failed_since = told
            request.gridgov_password_checked = True  # the session then waits for a second factor (twofactor.py)
        return user
