"""The language of a request, its request id (echoed in X-Request-ID, written into audit and access logs) and
the mapping of service errors to responses for page views: a refused POST shows its form's page again
(core/forms.py `form_page_again`), anything else the error page.

Two plain callables, not `MiddlewareMixin` classes, with fast paths for the common request (no language
cookie, no query string): they run on every request, so each costs a few microseconds (bench/bench_noop.py
holds gridgov's no-op to ≥ 0.9 of a plain Django one).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .context import request_id_var

_SAFE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_FOLLOW_BROWSER = ("/api/", "/open311/")
_PERMISSIONS_POLICY = "camera=(self), geolocation=(self), microphone=()"
_CSP = ("default-src 'self'; img-src 'self' data: blob: https://*.tile.openstreetmap.org; "
        "style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'")


class LanguageMiddleware:
    """Django's LocaleMiddleware for a site without language prefixes in its URLs, with one rule of ours:
    pages are zh-Hans unless the user picks another language with the switcher (the language cookie), so a
    browser set to English does not turn a township's screens English on its own. The APIs (/api/, Open311)
    still follow Accept-Language, so clients may ask for English error messages.

    As LocaleMiddleware: the language is activated for the request (and left active, as Django does),
    `request.LANGUAGE_CODE` set, and the response says `Content-Language` and `Vary: Accept-Language`.
    gridgov's URLs have no `i18n_patterns`, so LocaleMiddleware's redirect of a 404 to a prefixed path never
    applies."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.cookie = settings.LANGUAGE_COOKIE_NAME
        self.codes: dict[str, str] = {}
        try:
            self.default = translation.get_supported_language_variant(settings.LANGUAGE_CODE)
        except LookupError:
            self.default = settings.LANGUAGE_CODE

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        if not request.path.startswith(_FOLLOW_BROWSER):
            meta.pop("HTTP_ACCEPT_LANGUAGE", None)
        if "HTTP_ACCEPT_LANGUAGE" in meta or (meta.get("HTTP_COOKIE") and self.cookie in request.COOKIES):
            language = translation.get_language_from_request(request)
        else:  # what get_language_from_request answers with neither a cookie nor an Accept-Language
            language = self.default
        translation.activate(language)
        code = self.codes.get(language)
        if code is None:  # what get_language() answers once `language` is active
            code = self.codes[language] = translation.get_language()
        request.LANGUAGE_CODE = code
        response = self.get_response(request)
        headers = response.headers
        if "Vary" in headers:
            patch_vary_headers(response, ("Accept-Language",))
        else:
            headers["Vary"] = "Accept-Language"
        if "Content-Language" not in headers:
            headers["Content-Language"] = translation.get_language()
        return response


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = incoming if incoming and _SAFE.match(incoming) else os.urandom(16).hex()  # 32 hex digits
        token = request_id_var.set(rid)
        try:
            refused = _nul_in_query(request)
            response = self.get_response(request) if refused is None else self.process_exception(request, refused)
        finally:
            request_id_var.reset(token)
        headers = response.headers
        headers["X-Request-ID"] = rid
        if "Permissions-Policy" not in headers:
            headers["Permissions-Policy"] = _PERMISSIONS_POLICY
        if "Content-Security-Policy" not in headers:
            headers["Content-Security-Policy"] = _CSP
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
            response = render(request, "error.html", {"error": exc}, status=exc.status)
            if getattr(exc, "retry_after", None):  # 429: when to try again
                response["Retry-After"] = str(exc.retry_after)
            return response
        return None


def _nul_in_query(request: HttpRequest) -> Exception | None:
    """A page's filter holding a NUL character, refused by name (422) before any view reads it: PostgreSQL keeps
    none in text, so a lookup with it would fail in the database. Forms sent by POST reach their service, which
    refuses a NUL by field on the form itself; the API and Open311 answer in their own formats."""
    query = request.META.get("QUERY_STRING", "")
    if not query or ("%00" not in query and "\x00" not in query):  # no NUL can come out of this query string
        return None
    if request.path.startswith(_FOLLOW_BROWSER):
        return None
    from .services import with_nul

    name = with_nul(dict(request.GET.lists()), "")
    if name is None:
        return None
    from django.utils.translation import gettext as _

    from .errors import ValidationFailed

    return ValidationFailed({name: [_("不能包含空字符（\\0）")]})
