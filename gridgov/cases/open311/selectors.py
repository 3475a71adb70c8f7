"""Reads of the Open311 edge: the service catalogue (the 事件 categories), service definitions (the
attributes a client may send) and requests (cases) in GeoReport v2 shape."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.cases.models import Case, Category, Channel, Kind
from gridgov.network.models import Division, Level

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Attribute:
    code: str
    description: Any  # a lazy translation
    datatype: str = "string"  # string | number | datetime | text | singlevaluelist | multivaluelist
    required: bool = False
    values: tuple[tuple[str, Any], ...] = ()
    variable: bool = True
    datatype_description: Any = ""
    max_length: int = 0  # a string's limit (0: none)


# The attributes every service accepts (GeoReport v2 service definition).
ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("kind", gettext_lazy("案卷类型：网格事件（默认）或群众诉求（接诉即办）"), "singlevaluelist",
              values=((Kind.GRID_EVENT.value, gettext_lazy("网格事件")), (Kind.COMPLAINT.value, gettext_lazy("群众诉求")))),
    Attribute("crs", gettext_lazy("lat/long 的坐标系：wgs84（默认）或 gcj02（国内地图应用）"), "singlevaluelist",
              values=(("wgs84", "WGS-84"), ("gcj02", "GCJ-02"))),
    Attribute("title", gettext_lazy("标题（默认为服务名称）"), "string", datatype_description=gettext_lazy("不超过 120 字"),
              max_length=120),
    Attribute("anonymous", gettext_lazy("匿名上报：不公开联系人"), "singlevaluelist",
              values=(("true", gettext_lazy("是")), ("false", gettext_lazy("否")))),
)
ATTRIBUTE_CODES = {a.code: a for a in ATTRIBUTES}


# When this API's published behaviour last changed (the discovery file's changeset).
CHANGESET = dt.datetime(2026, 11, 27, tzinfo=SHANGHAI)


def discovery_dict(url: str) -> dict[str, Any]:
    """The Service Discovery file (wiki.open311.org/Service_Discovery): where the GeoReport v2 endpoint is,
    in which formats, whom to ask, and how to get an api_key."""
    return {"changeset": w3c(CHANGESET),
            "contact": settings.GRIDGOV_OPEN311_CONTACT or settings.DEFAULT_FROM_EMAIL,
            "key_service": _("api_key 由本平台管理员发放（gridgov open311 add）"),
            "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": url,
                           "changeset": w3c(CHANGESET), "type": "production",
                           "formats": ["text/xml", "application/json"]}]}


def jurisdiction_get(code: str) -> Division | None:
    """The jurisdiction a `jurisdiction_id` names: a town (镇街) or the district above them, by division code."""
    return Division.objects.filter(code=code, level__in=(Level.DISTRICT, Level.TOWN)).only("id", "code", "path",
                                                                                        "level").first()


def services() -> QuerySet[Category]:
    """Reportable services: the active 小类 of the 事件 tree."""
    return (Category.objects.filter(tree="event", active=True, parent__isnull=False)
            .select_related("parent").order_by("code"))


def service_get(code: str) -> Category | None:
    return services().filter(code=code).first()


def w3c(value: dt.datetime | None) -> str | None:
    """W3C datetime in China Standard Time, e.g. 2026-11-26T10:00:00+08:00."""
    return timezone.localtime(value, SHANGHAI).isoformat(timespec="seconds") if value else None


def parse_w3c(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace(" ", "+"))
    return value if timezone.is_aware(value) else value.replace(tzinfo=SHANGHAI)


def time_limit(c: Category) -> str:
    """The service's handling limit as people read it: 15 工作日."""
    return f"{c.deadline_amount} {c.get_deadline_unit_display()}"


def service_dict(c: Category) -> dict[str, Any]:
    return {"service_code": c.code, "service_name": c.name,
            "description": _("%(group)s / %(name)s；处置时限 %(limit)s") % {
                "group": c.parent.name if c.parent else "", "name": c.name, "limit": time_limit(c)},
            "metadata": True, "type": "realtime", "keywords": ",".join(filter(None, [c.parent.name if c.parent
                                                                                  else "", c.name])),
            "group": c.parent.name if c.parent else ""}


def definition_dict(c: Category) -> dict[str, Any]:
    return {"service_code": c.code, "attributes": [
        {"variable": a.variable, "code": a.code, "datatype": a.datatype, "required": a.required,
         "datatype_description": str(a.datatype_description) or None, "order": i, "description": str(a.description),
         **({"values": [{"key": k, "name": str(n)} for k, n in a.values]} if a.values else {})}
        for i, a in enumerate(ATTRIBUTES, start=1)]}


def public_requests() -> QuerySet[Case]:
    """Requests published through Open311: the cases that came in through it (public reports by their
    nature). Cases from patrols, the hotline and the web stay inside gridgov's scoped pages and API, where
    each person sees only their part; voided and merged cases are never listed."""
    return (Case.objects.filter(channel=Channel.OPEN311)
            .exclude(stage__in=("voided", "merged"))
            .select_related("category", "department"))


@dataclass
class RequestQuery:
    ids: list[str] = field(default_factory=list)
    service_codes: list[str] = field(default_factory=list)
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    statuses: list[str] = field(default_factory=list)
    jurisdiction: Division | None = None


def request_list(q: RequestQuery) -> list[Case]:
    """GET requests: by ids (other filters ignored, as the spec says), else by service codes, status and
    requested time (default: the last 90 days), newest first, at most GRIDGOV_OPEN311_MAX_RESULTS."""
    qs = in_jurisdiction(public_requests(), q.jurisdiction)
    limit = settings.GRIDGOV_OPEN311_MAX_RESULTS
    if q.ids:
        return list(qs.filter(number__in=q.ids[:limit]).order_by("-created_at"))
    if q.service_codes:
        qs = qs.filter(category__code__in=q.service_codes)
    if q.statuses:
        qs = qs.filter(status__in=q.statuses)
    end = q.end or timezone.now()
    start = q.start or end - dt.timedelta(days=settings.GRIDGOV_OPEN311_DEFAULT_DAYS)
    qs = qs.filter(created_at__gte=start, created_at__lte=end)
    return list(qs.order_by("-created_at")[:limit])


def in_jurisdiction(qs: QuerySet[Case], jurisdiction: Division | None) -> QuerySet[Case]:
    """The cases of `qs` in the towns under `jurisdiction` (all of them when None)."""
    return qs if jurisdiction is None else qs.filter(town__path__startswith=jurisdiction.path)


def request_get(number: str, jurisdiction: Division | None = None) -> Case | None:
    return in_jurisdiction(public_requests(), jurisdiction).filter(number=number).first()


def request_by_token(token: str, jurisdiction: Division | None = None) -> Case | None:
    return in_jurisdiction(Case.objects.filter(follow_token=token), jurisdiction).only(
        "id", "number", "follow_token").first()


def media_urls(cases: list[Case]) -> dict[int, str]:
    from .models import Request

    out: dict[int, str] = {}
    for case_id, url in (Request.objects.filter(case_id__in=[c.pk for c in cases]).exclude(media_url="")
                         .order_by("id").values_list("case_id", "media_url")):
        out.setdefault(case_id, url)
    return out


def request_dict(c: Case, media_url: str = "") -> dict[str, Any]:
    """One request in GeoReport v2 fields. status is open/closed; gridgov's stage goes to status_notes."""
    stage = str(c.stage_label)
    notes = stage + (_("（已超期，已督办）") if c.overdue and c.status == "open" else "")
    if c.deferred and c.status == "open":
        notes += _("（缓办）")
    return {
        "service_request_id": c.number, "status": c.status, "status_notes": notes,
        "service_name": c.category.name, "service_code": c.category.code,
        "description": c.description or c.title,
        "agency_responsible": c.department.name if c.department_id else None,
        "service_notice": _("处置时限 %(limit)s") % {"limit": time_limit(c.category)}
                          + (_("（暂定：当年节假日安排未公布）") if c.deadline_provisional else ""),
        # The spec: for a closed request, the time it was closed (a later 评价 or call-back changes updated_at).
        "requested_datetime": w3c(c.created_at),
        "updated_datetime": w3c(c.closed_at if c.status == "closed" and c.closed_at else c.updated_at),
        "expected_datetime": w3c(c.deadline), "address": c.address or None, "address_id": None,
        "zipcode": None, "lat": c.lat, "long": c.lon, "media_url": media_url or None,
    }
