"""GeoReport v2 endpoints (http://wiki.open311.org/GeoReport_v2/), JSON and XML, exactly as published:

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

import json
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from gridgov.core.errors import GridgovError, ValidationFailed
from gridgov.network.models import Division

from . import selectors, services
from .selectors import ATTRIBUTE_CODES, RequestQuery

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


# -- rendering -------------------------------------------------------------------------------------------

def _xml_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


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
             "values": "value", "errors": "error"}


def render(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    """JSON as the data itself; XML as <root> with the spec's element names."""
    if fmt == "xml":
        body = '<?xml version="1.0" encoding="utf-8"?>' + _xml(root, data, ITEM_TAGS)
    else:
        body = json.dumps(data, ensure_ascii=False)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["Access-Control-Allow-Origin"] = "*"  # public read API, no cookies involved
    return response


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return render(fmt, "errors", [{"code": status, "description": description}], status=status)


class Problem(Exception):
    """An answer in the spec's error format: 404 for what does not exist, 403 for the api_key, else 400."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def _jurisdiction(params: QueryDict) -> Division | None:
    """The jurisdiction_id parameter: empty is absent (the spec's optional arguments); unknown is a 404."""
    code = (params.get("jurisdiction_id") or "").strip()
    if not code:
        return None
    jurisdiction = selectors.jurisdiction_get(code)
    if jurisdiction is None:
        raise Problem(404, _("未找到 jurisdiction_id %(code)s（应为镇街或区的统计代码）") % {"code": code})
    return jurisdiction


# -- GET -------------------------------------------------------------------------------------------------

@require_GET
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        _jurisdiction(request.GET)
    except Problem as p:
        return error(fmt, p.status, p.description)
    return render(fmt, "services", [selectors.service_dict(c) for c in selectors.services()])


@require_GET
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    try:
        _jurisdiction(request.GET)
    except Problem as p:
        return error(fmt, p.status, p.description)
    category = selectors.service_get(code)
    if category is None:
        return error(fmt, 404, f"service_code {code} not found")
    return render(fmt, "service_definition", selectors.definition_dict(category))


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _list(request: HttpRequest, fmt: str) -> HttpResponse:
    g = request.GET
    try:
        q = RequestQuery(ids=_split(g.get("service_request_id")), service_codes=_split(g.get("service_code")),
                         start=selectors.parse_w3c(g["start_date"]) if g.get("start_date") else None,
                         end=selectors.parse_w3c(g["end_date"]) if g.get("end_date") else None,
                         statuses=_split(g.get("status")), jurisdiction=_jurisdiction(g))
    except ValueError:
        return error(fmt, 400, "start_date and end_date must be W3C datetimes, e.g. 2026-11-26T10:00:00+08:00")
    except Problem as p:
        return error(fmt, p.status, p.description)
    bad = [s for s in q.statuses if s not in ("open", "closed")]
    if bad:
        return error(fmt, 400, f"status must be open or closed, not {bad[0]}")
    cases = selectors.request_list(q)
    media = selectors.media_urls(cases)
    return render(fmt, "service_requests", [selectors.request_dict(c, media.get(c.pk, "")) for c in cases])


@require_GET
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    try:
        case = selectors.request_get(request_id, _jurisdiction(request.GET))
    except Problem as p:
        return error(fmt, p.status, p.description)
    if case is None:
        return error(fmt, 404, f"service_request_id {request_id} not found")
    media = selectors.media_urls([case])
    return render(fmt, "service_requests", [selectors.request_dict(case, media.get(case.pk, ""))])


@require_GET
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    try:
        case = selectors.request_by_token(token, _jurisdiction(request.GET))
    except Problem as p:
        return error(fmt, p.status, p.description)
    if case is None:
        return error(fmt, 404, f"token {token} not found")
    return render(fmt, "service_requests", [{"service_request_id": case.number, "token": token}])


# -- POST ------------------------------------------------------------------------------------------------

def _attributes(post: Any) -> tuple[dict[str, Any], str | None]:
    """attribute[code]=value (and attribute[code][]=v for multivaluelist) → {code: value}; an error text."""
    out: dict[str, Any] = {}
    for name in post:
        if not name.startswith("attribute[") or not name.endswith("]"):
            continue
        code = name[len("attribute["):].split("]")[0]
        spec = ATTRIBUTE_CODES.get(code)
        if spec is None:
            return out, f"attribute {code} is not defined for this service"
        value: Any = post.getlist(name) if spec.datatype == "multivaluelist" else post.get(name, "").strip()
        if spec.values and value not in {k for k, _ in spec.values}:
            return out, f"attribute {code}: {value} is not one of " + ", ".join(k for k, _ in spec.values)
        out[code] = value
    return out, None


def _place(address: str) -> tuple[float, float] | None:
    """A point for a report that gives only address_string: inside the most specific grid (or village)
    whose name the address contains. Reports are located to a grid, so a point is needed."""
    from shapely.geometry import shape

    from gridgov.network.models import Division, Level

    named = [d for d in Division.objects.filter(level__gte=Level.VILLAGE).only(
        "name", "polygon", "center_lat", "center_lon", "level") if d.name and d.name in address]
    for d in sorted(named, key=lambda d: (d.level, len(d.name)), reverse=True):
        if d.center_lat is not None and d.center_lon is not None:
            return d.center_lat, d.center_lon
        if d.polygon:
            p = shape(json.loads(d.polygon)).representative_point()
            return p.y, p.x
    return None


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests_endpoint(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "GET":
        return _list(request, fmt)
    p = request.POST
    client = services.client_for_key(p.get("api_key", ""))
    if client is None:
        return error(fmt, 403, "Invalid api_key received -- can't proceed with create_request.")
    code = p.get("service_code", "").strip()
    if not code:
        return error(fmt, 400, "service_code is required")
    category = selectors.service_get(code)
    if category is None:
        return error(fmt, 404, f"service_code {code} not found")
    try:
        jurisdiction = _jurisdiction(p)
    except Problem as exc:
        return error(fmt, exc.status, exc.description)
    if jurisdiction and client.town_id and not client.town.path.startswith(jurisdiction.path):
        return error(fmt, 400, f"jurisdiction_id {p['jurisdiction_id']} is not served to this api_key")
    attributes, problem = _attributes(p)
    if problem:
        return error(fmt, 400, problem)
    address = p.get("address_string", "").strip()
    crs = attributes.get("crs", "wgs84")
    try:
        if p.get("lat") and p.get("long"):
            lat, lon = float(p["lat"]), float(p["long"])
        elif address:
            point = _place(address)
            if point is None:
                return error(fmt, 400, "address_string could not be located to a grid; send lat and long")
            lat, lon, crs = point[0], point[1], "wgs84"
        else:
            return error(fmt, 400, "lat and long, or address_string, are required")
    except ValueError:
        return error(fmt, 400, "lat and long must be decimal degrees")
    name = " ".join(filter(None, [p.get("last_name", "").strip(), p.get("first_name", "").strip()]))
    data = {"kind": attributes.get("kind") or "grid_event", "category": category, "lat": lat, "lon": lon,
            "crs": crs, "title": attributes.get("title", ""), "description": p.get("description", ""),
            "address": address, "anonymous": attributes.get("anonymous") == "true", "reporter_name": name,
            "reporter_phone": p.get("phone", "").strip(), "channel": "open311",
            "external_ref": (p.get("account_id") or p.get("device_id") or "")[:64]}
    details = {"email": p.get("email", "")[:254], "device_id": p.get("device_id", "")[:100],
               "account_id": p.get("account_id", "")[:100], "media_url": p.get("media_url", "")[:500],
               "attributes": attributes}
    if details["media_url"] and not details["media_url"].startswith(("http://", "https://")):
        return error(fmt, 400, "media_url must be an http(s) URL")
    if client.town_id or jurisdiction:
        from gridgov.network.selectors import locate

        try:
            grid = locate(lat=lat, lon=lon, crs=crs)
        except GridgovError as exc:
            return error(fmt, 400, _describe(exc))
        if client.town_id and grid.town_id != client.town_id:
            return error(fmt, 400, "the location is outside the jurisdiction of this api_key")
        if jurisdiction and not grid.path.startswith(jurisdiction.path):
            return error(fmt, 400, _("lat/long 不在 jurisdiction_id %(code)s 的辖区内") % {"code": jurisdiction.code})
    try:
        posted = services.open311_request_create(client=client, data=data, details=details,
                                                 idempotency_key=request.headers.get("Idempotency-Key", ""))
    except ValidationFailed as exc:
        return error(fmt, 400, _describe(exc))
    except GridgovError as exc:
        return error(fmt, exc.status, _describe(exc))
    case = posted.case
    notice = ("附近已有相同问题正在办理，本次上报已并入该案卷" if posted.followed else
              f"已受理，处置时限 {category.deadline_amount} {category.get_deadline_unit_display()}")
    # Services are "realtime": the id comes at once, and the spec forbids a token beside it. The token would
    # also be the case's follow link (it rates the case), the first reporter's when this one followed theirs.
    return render(fmt, "service_requests", [{"service_request_id": case.number, "service_notice": notice,
                                             "account_id": p.get("account_id") or None}], status=201)


def _describe(exc: GridgovError) -> str:
    if exc.errors:
        return "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.errors.items())
    return exc.message
