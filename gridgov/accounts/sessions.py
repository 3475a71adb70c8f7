"""Session limits (issue 16, item 10): a staff session ends after GRIDGOV_SESSION_IDLE_MINUTES without a request
(default 30), every session after GRIDGOV_SESSION_MAX_HOURS however busy (default 12), and 全部退出 ends every
session of the account at once (`User.sessions_valid_after`, compared with the session's start: no scan of the
session table).

The session keeps when it started and when it was last seen; the last-seen time is written at most once a
minute, so a busy page does not save its session on every request."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.translation import gettext as _

STARTED = "gridgov_started"
SEEN = "gridgov_seen"
SEEN_EVERY = 60  # seconds between two writes of the last-seen time


def on_user_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[STARTED] = now  # a float: a sign-in just after 全部退出 is after it
        request.session[SEEN] = int(now)


def expired(request: HttpRequest, now: float | None = None) -> str:
    """Why this signed-in session is over ("" when it is not)."""
    now = time.time() if now is None else now
    session, user = request.session, request.user
    started, seen = session.get(STARTED), session.get(SEEN)
    if started is None:  # a session from before these limits: it starts now
        session[STARTED], session[SEEN] = now, int(now)
        return ""
    valid_after = getattr(user, "sessions_valid_after", None)
    if valid_after is not None and started < valid_after.timestamp():
        return _("您已在全部设备上退出，请重新登录。")
    if now - started > settings.GRIDGOV_SESSION_MAX_HOURS * 3600:
        return _("登录已超过 %(h)d 小时，请重新登录。") % {"h": settings.GRIDGOV_SESSION_MAX_HOURS}
    idle = settings.GRIDGOV_SESSION_IDLE_MINUTES
    if idle and getattr(user, "kind", "staff") == "staff" and seen is not None and now - seen > idle * 60:
        return _("%(m)d 分钟未操作，已自动退出，请重新登录。") % {"m": idle}
    if seen is None or now - seen >= SEEN_EVERY:
        session[SEEN] = int(now)
    return ""


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if request.COOKIES and user is not None and user.is_authenticated:
            why = expired(request)
            if why:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": why}, status=401)
                messages.warning(request, why)
                return HttpResponseRedirect("/login/?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)
