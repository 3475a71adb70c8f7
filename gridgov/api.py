"""The JSON API (/api/v1, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs).

Each app contributes a router from its `api.py`. Errors have one body: {"code", "detail", "errors"?}, where
`errors` maps each field to its reasons in the user's language.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
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
    return api.create_response(request, exc.as_dict(), status=exc.status)


_PYDANTIC_REASONS = {
    "missing": "必填", "string_too_long": "过长", "string_too_short": "过短", "int_parsing": "应为整数",
    "float_parsing": "应为数字", "bool_parsing": "应为布尔值", "date_from_datetime_parsing": "应为日期",
    "date_parsing": "应为日期 YYYY-MM-DD", "enum": "取值不在允许范围内", "literal_error": "取值不在允许范围内",
    "json_invalid": "不是有效的 JSON", "less_than_equal": "过大", "greater_than_equal": "过小",
}


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for e in exc.errors:
        loc = [str(p) for p in e.get("loc", []) if p not in ("body", "query", "path", "payload", "form", "data")]
        field = ".".join(loc) or "__all__"
        errors.setdefault(field, []).append(_PYDANTIC_REASONS.get(e.get("type", ""), e.get("msg", "")))
    first, reasons = next(iter(errors.items()))
    body = {"code": "invalid", "detail": _("%(field)s：%(reason)s") % {"field": first, "reason": reasons[0]},
            "errors": errors}
    return api.create_response(request, body, status=422)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"code": "unauthenticated", "detail": _("请先登录")}, status=401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"code": "error", "detail": str(exc)}, status=exc.status_code)


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
    """Routers that live beside an app's own `api.py` (the case indicators)."""
    from gridgov.cases.indicator_api import router as case_indicators

    api.add_router("/indicators", case_indicators)


_register_extra_routers()
