"""Sign-in, sign-out and the home page by role."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from . import selectors, services, twofactor
from .services import LockedOut, login_check


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            user = login_check(request=request, username=request.POST.get("username", ""),
                               password=request.POST.get("password", ""))
        except LockedOut as exc:
            user, error = None, str(exc)
        if user is not None:
            login(request, user)
            told = getattr(request, "gridgov_failed_since", 0)
            if told:  # the user is told of guesses at their account since they last signed in
                messages.warning(request, ngettext(
                    "自上次登录以来，您的账号有 %(n)d 次登录失败；如非本人操作，请修改密码。",
                    "自上次登录以来，您的账号有 %(n)d 次登录失败；如非本人操作，请修改密码。", told) % {"n": told})
            nxt = request.POST.get("next") or request.GET.get("next") or "/"
            if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
                nxt = "/"
            if twofactor.is_pending(request):  # the password was right; now the second factor
                return redirect(reverse("accounts:second_factor") + "?" + urlencode({"next": nxt}))
            return redirect(nxt)
        error = error or _("用户名或密码错误")
    return render(request, "accounts/login.html", {"error": error, "next": request.GET.get("next", "")},
                  status=200 if not error else 400)


@require_http_methods(["POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@login_required
@require_http_methods(["POST"])
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """全部退出: every session of this account ends, on every device."""
    services.sessions_end_all(acting_user=request.user)
    logout(request)
    return redirect("accounts:login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/home.html", selectors.home_summary(user=request.user))


@login_required
def settings_home(request: HttpRequest) -> HttpResponse:
    """The settings hub: what each app lets this user configure (its `nav.settings_items`)."""
    from gridgov.core.settingspages import settings_items

    return render(request, "settings/home.html", {"items": settings_items(request.user)})
