"""The JSON API (/api/v1, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs).

Each app contributes a router from its `api.py`. Errors have one body: {"code", "detail", "errors"?}, where
`errors` maps each field to its reasons in the user's language.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from gridgov.core.errors import GridgovError

api = NinjaAPI(
    title="gridgov API",
    version="1",
    description="党建统领网格化治理平台 API。所有读写都限定在当前用户的管辖范围内；越权或不存在的记录一律返回 404。",
    auth=django_auth,
    urls_namespace="api",
)


@api.exception_handler(GridgovError)
def _gridgov_error(request: HttpRequest, exc: GridgovError) -> HttpResponse:
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if getattr(exc, "retry_after", None):  # 429 (core/ratelimit.py): when to try again
        response["Retry-After"] = str(exc.retry_after)
    return response


# The reasons pydantic gives, in the reader's language (its own messages are English only).
_PYDANTIC_REASONS = {
    "missing": gettext_lazy("必填"), "string_too_long": gettext_lazy("过长"), "string_too_short": gettext_lazy("过短"),
    "int_parsing": gettext_lazy("应为整数"), "int_type": gettext_lazy("应为整数"),
    "int_from_float": gettext_lazy("应为整数"), "float_parsing": gettext_lazy("应为数字"),
    "float_type": gettext_lazy("应为数字"), "finite_number": gettext_lazy("应为数字"),
    "bool_parsing": gettext_lazy("应为布尔值"), "bool_type": gettext_lazy("应为布尔值"),
    "string_type": gettext_lazy("应为字符串"), "dict_type": gettext_lazy("应为 JSON 对象"),
    "list_type": gettext_lazy("应为列表"), "model_attributes_type": gettext_lazy("应为 JSON 对象"),
    "model_type": gettext_lazy("应为 JSON 对象"), "too_long": gettext_lazy("过长"),
    "date_from_datetime_parsing": gettext_lazy("应为日期"), "date_parsing": gettext_lazy("应为日期 YYYY-MM-DD"),
    "date_type": gettext_lazy("应为日期 YYYY-MM-DD"), "enum": gettext_lazy("取值不在允许范围内"),
    "literal_error": gettext_lazy("取值不在允许范围内"), "json_invalid": gettext_lazy("不是有效的 JSON"),
    "less_than_equal": gettext_lazy("过大"), "less_than": gettext_lazy("过大"),
    "greater_than_equal": gettext_lazy("过小"), "greater_than": gettext_lazy("过小"),
    "extra_forbidden": gettext_lazy("未知字段"),
}
# Where ninja says a value came from, before the field's own path: (location, body parameter name).
_LOCATIONS = {"body", "query", "path", "form", "file", "header", "cookie"}
_BODY_PARAMS = {"payload"}


def _field_of(loc: Any) -> str:
    """The field as the client sent it: `data` for `payload.data`, `ids.0` for a list item."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    if parts and parts[0] in _BODY_PARAMS:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for e in exc.errors:
        field = _field_of(e.get("loc", []))
        errors.setdefault(field, []).append(str(_PYDANTIC_REASONS.get(e.get("type", ""), e.get("msg", ""))))
    first, reasons = next(iter(errors.items()))
    body = {"code": "invalid", "detail": _("%(field)s：%(reason)s") % {"field": first, "reason": reasons[0]},
            "errors": errors}
    return api.create_response(request, body, status=422)


def _unreadable_body(request: HttpRequest) -> HttpResponse:
    reason = _("请求体应为 JSON（Content-Type: application/json）")
    body = {"code": "invalid", "detail": _("输入有误：%(reason)s") % {"reason": reason}, "errors": {"body": [reason]}}
    return api.create_response(request, body, status=400)


@api.exception_handler(MultiPartParserError)
def _multipart_error(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    """A body labelled multipart that is not (no boundary, cut short): the CSRF check of the session reads it
    before the view, and Django's answer would be its HTML 400 page."""
    return _unreadable_body(request)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"code": "unauthenticated", "detail": _("请先登录")}, status=401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        # ninja's words for a body that is not JSON (malformed, or a form sent where JSON is read)
        return _unreadable_body(request)
    if exc.status_code == 403 and message.startswith("CSRF"):
        body = {"code": "forbidden", "detail": _("CSRF 校验失败：请带上 X-CSRFToken 请求头（取自 csrftoken Cookie）")}
        return api.create_response(request, body, status=403)
    return api.create_response(request, {"code": "error", "detail": message}, status=exc.status_code)


def _register_routers() -> None:
    """Each gridgov app with an `api.py` contributes its `router` under `/<PREFIX>` (default: its label)."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps as django_apps

    for config in django_apps.get_app_configs():
        if not config.name.startswith("gridgov.") or find_spec(f"{config.name}.api") is None:
            continue
        module = import_module(f"{config.name}.api")
        api.add_router(getattr(module, "PREFIX", f"/{config.label}"), module.router)


_register_routers()


def _register_extra_routers() -> None:
    """Routers that live beside an app's own `api.py` (the case indicators, core's public document verification)."""
    from gridgov.cases.indicator_api import router as case_indicators
    from gridgov.core.verify_api import PREFIX as verify_prefix
    from gridgov.core.verify_api import router as verify_router

    api.add_router("/indicators", case_indicators)
    api.add_router(verify_prefix, verify_router)


_register_extra_routers()


def _error_body(code: str, detail: str, status: int) -> HttpResponse:
    from django.http import JsonResponse

    return JsonResponse({"code": code, "detail": detail}, status=status, json_dumps_params={"ensure_ascii": False})


def _json_when_not_allowed(view: Any) -> Any:
    """ninja answers a method a path does not take with a plain-text 405; say it in the API's error body."""
    import functools

    @functools.wraps(view)  # keeps csrf_exempt and the like
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or response.get("Content-Type", "").startswith("application/json"):
            return response
        allowed = response.get("Allow", "")
        answer = _error_body("method_not_allowed", _("不支持 %(method)s 方法（可用：%(allowed)s）")
                             % {"method": request.method, "allowed": allowed}, 405)
        answer["Allow"] = allowed
        return answer

    return wrapped


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _csrf_for_sessions(view: Any) -> Any:
    """A write made with a signed-in session needs the CSRF token on every route, public ones too: a public
    route (auth=None) that acts as the signed-in user would otherwise let another site act as them. ninja
    checks CSRF only on routes that authenticate by the session; this checks it on all of them."""
    import functools

    from ninja.utils import check_csrf

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in _SAFE_METHODS and getattr(request, "user", None) is not None \
                and request.user.is_authenticated:
            try:
                refused = check_csrf(request)
            except MultiPartParserError:
                return _unreadable_body(request)
            if refused is not None:
                return _error_body("forbidden", _("CSRF 校验失败：请带上 X-CSRFToken 请求头（取自 csrftoken Cookie）"),
                                   403)
        return view(request, *args, **kwargs)

    return wrapped


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any path under /api/v1/ that names no route: the API's 404 body, not the site's HTML page."""
    return _error_body("not_found", _("没有这个接口：%(path)s") % {"path": request.path}, 404)


def api_urls() -> tuple[list[Any], str, str]:
    """`api.urls` with a JSON 405 on every route, CSRF on every write made with a session, and a JSON 404 for
    every other path under the API."""
    from django.urls import re_path

    patterns, app_name, namespace = api.urls
    for p in patterns:
        p.callback = _json_when_not_allowed(_csrf_for_sessions(p.callback))
    return [*patterns, re_path(r"^(?P<rest>.*)$", not_found, name="api-not-found")], app_name, namespace
