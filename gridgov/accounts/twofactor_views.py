"""The second step of signing in (/login/2fa/): a code of the authenticator, or its set-up on the first sign-in;
the administrator's reset of an account's authenticator (a lost phone). See accounts/twofactor.py."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridgov.core.errors import ValidationFailed
from gridgov.core.scope import get_scoped

from . import lockout, services, twofactor
from .models import SecondFactor, User

SECRET = "gridgov_2fa_new_secret"


def _next(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or "/"
    return nxt if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}) else "/"


def _qr_svg(uri: str) -> str:
    import qrcode
    import qrcode.image.svg

    buf = io.BytesIO()
    qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage).save(buf)
    svg = buf.getvalue().decode()
    return svg[svg.index("<svg"):]  # no XML declaration inside the page


@login_required
@require_http_methods(["GET", "POST"])
def second_step(request: HttpRequest) -> HttpResponse:
    user = request.user
    pending = twofactor.is_pending(request)
    factor = twofactor.enrolled(user)
    if factor is None:
        return _setup(request, pending)
    if not pending:  # already past it: what is set up
        return render(request, "accounts/second_factor.html", {
            "mode": "status", "factor": factor, "recovery_left": len(factor.recovery_hashes)})
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            # A code guessed counts like a password guessed: the slot is taken before the code is checked.
            slot = lockout.reserve(username=user.get_username(), address=lockout.client_address(request))
            used = twofactor.check(user, request.POST.get("code", ""))
            if used is None:
                lockout.failed(slot)  # raises LockedOut when this failure locks the account
        except lockout.LockedOut as exc:
            logout(request)  # a locked account does not keep its half-signed session
            return render(request, "accounts/login.html", {"error": str(exc), "next": ""}, status=400)
        if used is not None:
            lockout.succeeded(slot)
            twofactor.mark_passed(request)
            if used == "recovery":
                left = len(SecondFactor.objects.get(pk=factor.pk).recovery_hashes)
                messages.warning(request, _("已使用一个恢复码，还剩 %(n)d 个。") % {"n": left})
            return redirect(_next(request))
        errors = {"code": [_("验证码不正确或已使用过")]}
    return render(request, "accounts/second_factor.html", {
        "mode": "verify", "errors": errors, "next": _next(request)}, status=422 if errors else 200)


def _setup(request: HttpRequest, pending: bool) -> HttpResponse:
    """No authenticator yet: scan, then prove it with a code. The demo code (DEBUG only) passes instead."""
    user = request.user
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        code = request.POST.get("code", "")
        if pending and twofactor.check(user, code) == "demo":
            twofactor.mark_passed(request)
            return redirect(_next(request))
        try:
            codes = services.second_factor_confirm(acting_user=user, secret=request.session.get(SECRET, ""),
                                                   code=code)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            request.session.pop(SECRET, None)
            if pending:
                twofactor.mark_passed(request)
            return render(request, "accounts/second_factor.html", {
                "mode": "codes", "codes": codes, "next": _next(request)})
    # The secret waits in the session until a code proves the app has it: nothing is written before.
    secret = request.session.get(SECRET) or twofactor.new_secret()
    request.session[SECRET] = secret
    return render(request, "accounts/second_factor.html", {
        "mode": "setup", "errors": errors, "next": _next(request), "secret": secret,
        "qr": mark_safe(_qr_svg(twofactor.provisioning_uri(user, secret))),  # noqa: S308 (qrcode's SVG)
        "required": twofactor.required(user), "pending": pending,
        "demo_code": twofactor.demo_code_shown() if pending else ""}, status=422 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_scoped(User.objects, request.user, "change", pk=pk)
    if request.method == "POST":
        try:
            services.second_factor_reset(acting_user=request.user, user_id=target.pk)
        except ValidationFailed as exc:
            return render(request, "accounts/second_factor_reset.html", {"target": target, "errors": exc.errors},
                          status=422)
        messages.success(request, _("已重置 %(name)s 的二次验证") % {"name": target})
        return redirect("accounts:staff_edit", pk=target.pk)
    return render(request, "accounts/second_factor_reset.html", {"target": target, "errors": {}})
