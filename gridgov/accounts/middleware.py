"""A session signed in with a password but not yet with its second factor (accounts/twofactor.py) reaches only
the second step and sign-out: pages are sent to /login/2fa/, the API answers 401."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.translation import gettext as _

from .twofactor import SESSION_FLAG

OPEN = frozenset({"/login/", "/login/2fa/", "/logout/"})  # exactly these (not /logout/everywhere/)


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        # No cookie, no session read: the check costs nothing for the anonymous and for a plain session the
        # authentication middleware loads anyway.
        if session is not None and request.COOKIES and session.get(SESSION_FLAG) \
                and request.path not in OPEN and not request.path.startswith("/static/"):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("需要二次验证：请在登录页输入验证码")}, status=401)
            return HttpResponseRedirect("/login/2fa/?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)
