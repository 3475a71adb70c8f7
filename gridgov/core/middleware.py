"""Request id for every request (echoed in X-Request-ID, written into audit and access logs) and the
mapping of service errors to responses for page views: a refused POST shows its form's page again
(core/forms.py `form_page_again`), anything else the error page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import request_id_var

_SAFE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class DefaultLanguageMiddleware:
    """Pages are zh-Hans unless the user picks another language with the switcher (the language cookie): a
    browser set to English does not turn a township's screens English on its own. The APIs (/api/, Open311)
    still follow Accept-Language, so clients may ask for English error messages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(("/api/", "/open311/")):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _SAFE.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(rid)
        try:
            refused = _nul_in_query(request)
            response = self.get_response(request) if refused is None else self.process_exception(request, refused)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = rid
        response.setdefault("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()")
        response.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob: https://*.tile.openstreetmap.org; "
            "style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'",
        )
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        from .errors import GridgovError

        if isinstance(exc, GridgovError) and not request.path.startswith("/api/"):
            from django.shortcuts import render

            from .errors import ValidationFailed
            from .forms import form_page_again

            if request.method == "POST" and isinstance(exc, ValidationFailed):
                # A refused form: its own page again, the errors under the fields' labels, what was typed kept.
                again = form_page_again(request, exc)
                if again is not None:
                    return again
                # No page to show it on: the reasons alone, not the form's internal field names.
                return render(request, "error.html", {"error": exc, "reasons": exc.lines()}, status=exc.status)
            return render(request, "error.html", {"error": exc}, status=exc.status)
        return None


def _nul_in_query(request: HttpRequest) -> Exception | None:
    """A page's filter holding a NUL character, refused by name (422) before any view reads it: PostgreSQL keeps
    none in text, so a lookup with it would fail in the database. Forms sent by POST reach their service, which
    refuses a NUL by field on the form itself; the API and Open311 answer in their own formats."""
    if request.path.startswith(("/api/", "/open311/")):
        return None
    from .services import with_nul

    name = with_nul(dict(request.GET.lists()), "")
    if name is None:
        return None
    from django.utils.translation import gettext as _

    from .errors import ValidationFailed

    return ValidationFailed({name: [_("不能包含空字符（\\0）")]})
