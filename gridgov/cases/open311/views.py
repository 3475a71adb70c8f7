"""GeoReport v2 endpoints (http://wiki.open311.org/GeoReport_v2/), JSON and XML, exactly as published:

    GET  discovery.{fmt}              the Service Discovery file   <discovery>…<endpoints><endpoint>…
    GET  services.{fmt}               the service list              <services><service>…
    GET  services/{code}.{fmt}        a service definition          <service_definition>…<attributes><attribute>…
    GET  requests.{fmt}               requests (service_request_id, service_code, start_date, end_date, status)
    POST requests.{fmt}               a new request (api_key, service_code, lat/long or address_string, …)
    GET  requests/{id}.{fmt}          one request (a list of one)   <service_requests><request>…
    GET  tokens/{token}.{fmt}         the request behind a token

Errors: [{"code": 400, "description": "…"}] / <errors><error><code>400</code><description>…</description>…
with the same HTTP status. Plain function views: parse, call a selector or service, render.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from gridgov.cases.models import Category
from gridgov.core import ratelimit
from gridgov.core.errors import GridgovError, ValidationFailed
from gridgov.core.services import with_nul
from gridgov.network.models import Division

from . import selectors, services
from .selectors import RequestQuery

DESCRIPTION_MAX = 4000  # the spec's limit of a request's description
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")  # what a GeoReport v2 POST sends
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


# -- rendering -------------------------------------------------------------------------------------------

# What XML 1.0 admits in no form, not even as a character reference: most control characters, lone
# surrogates, U+FFFE and U+FFFF. A report's text may hold them (a client sent them, or a description pasted
# from elsewhere), and one of them would make the whole answer unreadable to every XML client.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(NOT_IN_XML.sub("\ufffd", str(value)))


def _xml(tag: str, value: Any, item_tags: dict[str, str]) -> str:
    if isinstance(value, dict):
        inner = "".join(_xml(k, v, item_tags) for k, v in value.items())
        return f"<{tag}>{inner}</{tag}>"
    if isinstance(value, list):
        child = item_tags.get(tag, "item")
        return f"<{tag}>" + "".join(_xml(child, v, item_tags) for v in value) + f"</{tag}>"
    return f"<{tag}>{_xml_value(value)}</{tag}>"


# List element → the element of each item, as in the spec's XML examples.
ITEM_TAGS = {"services": "service", "service_requests": "request", "attributes": "attribute",
             "values": "value", "errors": "error", "endpoints": "endpoint", "formats": "format"}


def render(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    """JSON as the data itself; XML as <root> with the spec's element names."""
    if fmt == "xml":
        body = '<?xml version="1.0" encoding="utf-8"?>' + _xml(root, data, ITEM_TAGS)
    else:
        body = json.dumps(data, ensure_ascii=False)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["Access-Control-Allow-Origin"] = "*"  # public read API, no cookies involved
    return response


def error(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The spec's error body: one entry per problem, each with the HTTP status as its code."""
    return render(fmt, "errors", [{"code": status, "description": d} for d in descriptions], status=status)


class Problem(Exception):
    """An answer in the spec's error format: 404 for what does not exist, 403 for the api_key, else 400.
    Descriptions are meant for the user (zh-Hans by default) and name the parameter as the client sent it."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(*descriptions)
        self.status, self.descriptions = status, descriptions


def open311_view(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A GeoReport endpoint: other methods get a 405 and a Problem raised by the view its answer, both in the
    spec's error format (clients parse every answer of the API as XML or JSON)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    raise Problem(405, _("%(path)s 不接受 %(method)s 请求") % {"path": request.path,
                                                                          "method": request.method})
                _refuse_nul(request, kwargs)
                return view(request, *args, fmt=fmt, **kwargs)
            except MultiPartParserError:  # a body labelled multipart that is not (no boundary, cut short)
                return error(fmt, 400, _("请求体无法按 multipart/form-data 读取（缺少 boundary 或内容不完整）"))
            except Problem as p:
                response = error(fmt, p.status, *p.descriptions)
                if p.status == 405:
                    response["Allow"] = ", ".join(methods)
                return response

        return wrapped

    return decorate


def _refuse_nul(request: HttpRequest, path_values: dict[str, Any]) -> None:
    """PostgreSQL keeps no NUL character in text, so a value holding one can be neither looked up nor stored:
    in the path nothing by that id exists (404); a parameter of the query string or the form is refused by
    name (400)."""
    if any("\x00" in str(v) for v in path_values.values()):
        raise Problem(404, _("没有 %(path)s 这个资源") % {"path": request.path})
    name = with_nul(dict(request.GET.lists()), "")
    if name is None and request.method == "POST" and request.content_type in FORM_TYPES:
        name = with_nul(dict(request.POST.lists()), "")
    if name is not None:
        raise Problem(400, _("%(name)s 不能包含空字符（\\0）") % {"name": name})


@csrf_exempt
@open311_view("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
def not_found(request: HttpRequest, rest: str, fmt: str = "") -> HttpResponse:
    """Any other path under /open311/v2/: a 404 in the error format, JSON when the path asks for it, else XML
    (the spec's required format)."""
    raise Problem(404, _("没有 %(path)s 这个资源") % {"path": request.path})


def _jurisdiction(params: QueryDict) -> Division | None:
    """The jurisdiction_id parameter: empty is absent (the spec's optional arguments); unknown is a 404."""
    code = (params.get("jurisdiction_id") or "").strip()
    if not code:
        return None
    jurisdiction = selectors.jurisdiction_get(code)
    if jurisdiction is None:
        raise Problem(404, _("未找到 jurisdiction_id %(code)s（应为镇街或区的统计代码）") % {"code": code})
    return jurisdiction


def _service(code: str) -> Category:
    category = selectors.service_get(code)
    if category is None:
        raise Problem(404, _("未找到 service_code %(code)s") % {"code": code})
    return category


# -- GET -------------------------------------------------------------------------------------------------

@open311_view("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    from django.conf import settings
    from django.urls import reverse

    path = reverse("open311:services").removesuffix("/services.json")
    site = settings.GRIDGOV_SITE_URL.rstrip("/")
    return render(fmt, "discovery", selectors.discovery_dict(site + path if site else request.build_absolute_uri(path)))


@open311_view("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    _jurisdiction(request.GET)
    return render(fmt, "services", [selectors.service_dict(c) for c in selectors.services()])


@open311_view("GET")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    _jurisdiction(request.GET)
    return render(fmt, "service_definition", selectors.definition_dict(_service(code)))


YEARS = (1900, 2999)  # the years a start_date or end_date may name


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _datetime(params: QueryDict, name: str) -> dt.datetime | None:
    if not (params.get(name) or "").strip():
        return None
    try:
        value = selectors.parse_w3c(params[name])
    except ValueError:
        raise Problem(400, _("%(name)s 应为 W3C 日期时间，例如 2026-11-26T10:00:00+08:00") % {"name": name}) from None
    # Bounded: a date at the calendar's edge (0001-01-01T00:00+14:00) cannot be moved to UTC or back 90 days.
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise Problem(400, _("%(name)s 的年份应在 %(first)s–%(last)s 之间") % {
            "name": name, "first": YEARS[0], "last": YEARS[1]})
    return value


def _list(request: HttpRequest, fmt: str) -> HttpResponse:
    g = request.GET
    q = RequestQuery(ids=_split(g.get("service_request_id")), service_codes=_split(g.get("service_code")),
                     start=_datetime(g, "start_date"), end=_datetime(g, "end_date"),
                     statuses=_split(g.get("status")), jurisdiction=_jurisdiction(g))
    bad = [s for s in q.statuses if s not in ("open", "closed")]
    if bad:
        raise Problem(400, _("status 只能是 open 或 closed，不能是 %(value)s") % {"value": bad[0]})
    if q.start and q.end and not q.ids:  # the spec: a range given by both may not span more than 90 days
        if q.start > q.end:
            raise Problem(400, _("start_date 不能晚于 end_date"))
        if q.end - q.start > dt.timedelta(days=90):
            raise Problem(400, _("start_date 与 end_date 相隔不能超过 90 天"))
    cases = selectors.request_list(q)
    media = selectors.media_urls(cases)
    return render(fmt, "service_requests", [selectors.request_dict(c, media.get(c.pk, "")) for c in cases])


@open311_view("GET")
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    case = selectors.request_get(request_id, _jurisdiction(request.GET))
    if case is None:
        raise Problem(404, _("未找到 service_request_id %(id)s") % {"id": request_id})
    media = selectors.media_urls([case])
    return render(fmt, "service_requests", [selectors.request_dict(case, media.get(case.pk, ""))])


@open311_view("GET")
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    case = selectors.request_by_token(token, _jurisdiction(request.GET))
    if case is None:
        raise Problem(404, _("未找到 token %(token)s") % {"token": token})
    return render(fmt, "service_requests", [{"service_request_id": case.number, "token": token}])


# -- POST ------------------------------------------------------------------------------------------------

def _attributes(post: QueryDict) -> dict[str, Any]:
    """attribute[code]=value (and attribute[code][]=v for multivaluelist) → {code: value}, checked against the
    service definition: defined codes, one value unless a multivaluelist, listed keys, required ones given."""
    out: dict[str, Any] = {}
    for name in post:
        if not name.startswith("attribute[") or not name.endswith("]"):
            continue
        code = name[len("attribute["):].split("]")[0]
        spec = selectors.ATTRIBUTE_CODES.get(code)
        if spec is None:
            raise Problem(400, _("attribute[%(code)s] 不在该服务的定义中") % {"code": code})
        given = [v.strip() for v in post.getlist(name) if v.strip()]
        if spec.datatype != "multivaluelist" and len(given) > 1:
            raise Problem(400, _("attribute[%(code)s] 只能有一个值") % {"code": code})
        value: Any = given if spec.datatype == "multivaluelist" else (given[0] if given else "")
        keys = {k for k, _n in spec.values}
        if keys and not set(given) <= keys:
            raise Problem(400, _("attribute[%(code)s] 的值 %(value)s 不在可选值（%(keys)s）中") % {
                "code": code, "value": next(v for v in given if v not in keys),
                "keys": ", ".join(k for k, _n in spec.values)})
        if spec.max_length and len(value) > spec.max_length:
            raise Problem(400, _("attribute[%(code)s] 不能超过 %(n)d 字") % {"code": code, "n": spec.max_length})
        out[code] = value
    missing = [a.code for a in selectors.ATTRIBUTES if a.required and not out.get(a.code)]
    if missing:
        raise Problem(400, *(_("缺少必填的 attribute[%(code)s]") % {"code": code} for code in missing))
    return out


def _place(address: str) -> tuple[float, float] | None:
    """A point for a report that gives only address_string: inside the most specific grid (or village)
    whose name the address contains. Reports are located to a grid, so a point is needed."""
    from shapely.geometry import shape

    from gridgov.network.models import Level

    named = [d for d in Division.objects.filter(level__gte=Level.VILLAGE).only(
        "name", "polygon", "center_lat", "center_lon", "level") if d.name and d.name in address]
    for d in sorted(named, key=lambda d: (d.level, len(d.name)), reverse=True):
        if d.center_lat is not None and d.center_lon is not None:
            return d.center_lat, d.center_lon
        if d.polygon:
            p = shape(json.loads(d.polygon)).representative_point()
            return p.y, p.x
    return None


# The case engine's fields → the POST parameter a client sent, so that an error names what the client can fix.
PARAMETERS = {"lat": "lat", "lon": "long", "location": "lat/long", "reporter_phone": "phone",
              "reporter_name": "first_name/last_name", "description": "description", "address": "address_string",
              "category": "service_code", "kind": "attribute[kind]", "crs": "attribute[crs]",
              "title": "attribute[title]", "anonymous": "attribute[anonymous]", "photos": "media"}


@csrf_exempt
@open311_view("GET", "POST")
def requests_endpoint(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "GET":
        return _list(request, fmt)
    if request.content_type not in FORM_TYPES:
        raise Problem(400, _("POST 请求体应为 application/x-www-form-urlencoded 或 multipart/form-data（GeoReport v2），"
                             "不能是 %(type)s") % {"type": request.content_type or "—"})
    p = request.POST
    client = services.client_for_key(p.get("api_key", ""))
    if client is None:
        raise Problem(403, _("api_key 缺失或无效，无法受理上报"))
    try:  # per address and per key (core/ratelimit.py)
        ratelimit.hit(request, "report", token="open311:" + p.get("api_key", ""))
    except ratelimit.TooManyRequests as exc:
        response = error(fmt, 429, exc.message)
        response["Retry-After"] = str(exc.retry_after)
        return response
    code = p.get("service_code", "").strip()
    if not code:
        raise Problem(400, _("缺少 service_code"))
    category = _service(code)
    jurisdiction = _jurisdiction(p)
    if jurisdiction and client.town_id and not client.town.path.startswith(jurisdiction.path):
        raise Problem(400, _("该 api_key 不能上报到 jurisdiction_id %(code)s") % {"code": jurisdiction.code})
    attributes = _attributes(p)
    address = p.get("address_string", "").strip()
    crs = attributes.get("crs", "wgs84")
    if p.get("lat") and p.get("long"):
        try:
            lat, lon = float(p["lat"]), float(p["long"])
        except ValueError:
            raise Problem(400, _("lat 和 long 应为十进制度数")) from None
    elif address:
        point = _place(address)
        if point is None:
            raise Problem(400, _("address_string 无法定位到网格，请改传 lat 和 long"))
        lat, lon, crs = point[0], point[1], "wgs84"
    else:
        raise Problem(400, _("缺少位置：请传 lat 和 long，或 address_string"))
    name = " ".join(filter(None, [p.get("last_name", "").strip(), p.get("first_name", "").strip()]))
    data = {"kind": attributes.get("kind") or "grid_event", "category": category, "lat": lat, "lon": lon,
            "crs": crs, "title": attributes.get("title", ""), "description": p.get("description", ""),
            "address": address, "anonymous": attributes.get("anonymous") == "true", "reporter_name": name,
            "reporter_phone": p.get("phone", "").strip(), "channel": "open311",
            "external_ref": (p.get("account_id") or p.get("device_id") or "")[:64]}
    details = {"email": p.get("email", "")[:254], "device_id": p.get("device_id", "")[:100],
               "account_id": p.get("account_id", "")[:100], "media_url": p.get("media_url", "")[:500],
               "attributes": attributes}
    if len(data["description"]) > DESCRIPTION_MAX:
        raise Problem(400, _("description 不能超过 %(n)d 字") % {"n": DESCRIPTION_MAX})
    if details["media_url"] and not details["media_url"].startswith(("http://", "https://")):
        raise Problem(400, _("media_url 应为 http(s) 链接"))
    try:
        if client.town_id or jurisdiction:
            from gridgov.network.selectors import locate

            grid = locate(lat=lat, lon=lon, crs=crs)
            if client.town_id and grid.town_id != client.town_id:
                raise Problem(400, _("lat/long 不在该 api_key 的辖区内"))
            if jurisdiction and not grid.path.startswith(jurisdiction.path):
                raise Problem(400, _("lat/long 不在 jurisdiction_id %(code)s 的辖区内") % {"code": jurisdiction.code})
        posted = services.open311_request_create(client=client, data=data, details=details,
                                                 idempotency_key=request.headers.get("Idempotency-Key", ""),
                                                 photos=request.FILES.getlist("media"))
    except GridgovError as exc:  # the spec answers bad input with a 400
        status = 400 if isinstance(exc, ValidationFailed) else exc.status
        raise Problem(status, *exc.lines({f: PARAMETERS.get(f, f) for f in exc.errors})) from None
    case = posted.case
    notice = (_("附近已有相同问题正在办理，本次上报已并入该案卷") if posted.followed else
              _("已受理，处置时限 %(limit)s") % {"limit": selectors.time_limit(category)})
    # Services are "realtime": the id comes at once, and the spec gives a token only in its stead.
    return render(fmt, "service_requests", [{"service_request_id": case.number, "service_notice": notice,
                                             "account_id": p.get("account_id") or None}], status=201)
