"""Every read of the one window, restricted to the reader's scope: the catalogue (search in Chinese and by pinyin
initials), the front desk's and the back office's queues, one application, the follow page, the indicators."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core.errors import NotFound
from gridgov.core.scope import get_scoped

from .flows import APPLICATION
from .models import Application, Catalogue, Channel, Rating, Rectification, ServiceItem

INITIALS = re.compile(r"[A-Za-z0-9]{1,40}")
LIST_COLUMNS = ("id", "number", "title", "stage", "status", "channel", "applicant_name", "received_at", "deadline",
                "step_deadline", "overdue", "version", "town_id", "department_id")


def item_list(*, user: Any, filters: dict[str, Any]) -> QuerySet:
    """The catalogue the user may see: current items (or every revision with `revisions`), searched by `q`
    (Chinese: in the name or code; letters: the pinyin initials, `ylbx` → 城乡居民医疗保险), by catalogue,
    department and channel."""
    qs = ServiceItem.objects.restrict(user, "view")
    if not filters.get("revisions"):
        qs = qs.filter(is_current=True)
    text = str(filters.get("q") or "").strip()[:40]
    if text:
        if INITIALS.fullmatch(text):
            qs = qs.filter(Q(initials__contains=text.lower()) | Q(code__icontains=text))
        else:
            qs = qs.filter(Q(name__contains=text) | Q(code__contains=text))
    if filters.get("catalogue") in Catalogue.values:
        qs = qs.filter(catalogue=filters["catalogue"])
    dept = str(filters.get("department") or "")
    if dept.isdigit():
        qs = qs.filter(department_id=int(dept))
    town = str(filters.get("town") or "")
    if town.isdigit():
        qs = qs.filter(town_id=int(town))
    if filters.get("channel") == "online":
        qs = qs.filter(online=True)
    elif filters.get("channel") == "station":
        qs = qs.filter(at_station=True)
    if filters.get("instant") in ("1", "true", True):
        qs = qs.filter(instant=True)
    return qs.select_related("department").order_by("catalogue", "code", "-revision")


def item_get(*, user: Any, pk: int) -> ServiceItem:
    return get_scoped(ServiceItem.objects.select_related("department", "town"), user, "view", pk=pk)


def item_materials(item: ServiceItem) -> tuple[list[Any], list[Any]]:
    return list(item.questions.all()), list(item.materials.all())


QUEUES = {
    "desk": ("accept", ("received",)),
    "issue": ("accept", ("issuing",)),
    "review": ("approve", ("reviewing", "deciding", "suspended")),
    "correcting": ("view", ("correcting",)),
    "done": ("view", ("done", "refused")),
    "all": ("view", ()),
}


def application_list(*, user: Any, filters: dict[str, Any]) -> QuerySet:
    """Applications the user may see, newest first; `queue` narrows to a work queue (the front desk's 待受理
    and 待出件 of its town or station, the department's 审查/决定), with the stage, item and channel filters.
    Only the row's own columns are read: the same number of queries for a page of any size."""
    queue = str(filters.get("queue") or "all")
    action, stages = QUEUES.get(queue, QUEUES["all"])
    qs = Application.objects.restrict(user, action)
    if stages:
        qs = qs.filter(stage__in=stages)
    stage = str(filters.get("stage") or "")
    if stage in {s.name for s in APPLICATION.stages}:
        qs = qs.filter(stage=stage)
    item = str(filters.get("item") or "")
    if item.isdigit():
        qs = qs.filter(item_id=int(item))
    if filters.get("channel") in Channel.values:
        qs = qs.filter(channel=filters["channel"])
    number = str(filters.get("number") or "").strip()
    if number:
        qs = qs.filter(number=number)
    if filters.get("overdue") in ("1", "true", True):
        qs = qs.filter(overdue=True)
    return qs.only(*LIST_COLUMNS).order_by("-id")


def application_get(*, user: Any, pk: int) -> Application:
    return get_scoped(Application.objects.select_related("item", "department", "town", "division"), user, "view",
                      pk=pk)


def application_by_token(token: str) -> Application:
    """The follow link's application (the token is the link's secret)."""
    app = Application.objects.select_related("item", "department", "town").filter(follow_token=token).first()
    if app is None:
        raise NotFound()
    return app


def application_follow(*, number: str, last4: str) -> Application:
    """By number plus the last 4 characters of the applicant's ID number or phone; a wrong pair is a plain 404,
    the same as an unknown number (nobody learns which half was wrong)."""
    number, last4 = number.strip(), last4.strip().upper()
    app = Application.objects.select_related("item", "department", "town").filter(number=number).first()
    if app is None or len(last4) != 4:
        raise NotFound(_("没有找到这个办件，请核对申请编号和证件号码（或手机号）后四位"))
    ok = any(v and secrets.compare_digest(v[-4:].upper(), last4)
             for v in (app.applicant_id_number, app.applicant_phone))
    if not ok:
        raise NotFound(_("没有找到这个办件，请核对申请编号和证件号码（或手机号）后四位"))
    return app


def time_left(app: Application, now: dt.datetime | None = None) -> dict[str, Any]:
    """The clock of an application: its limits, working days used and left (the receipt's countdown)."""
    from gridgov.core import calendar

    now = now or timezone.now()
    start = app.accepted_at or app.received_at
    end = app.decided_at or now
    used = max(calendar.working_days_between(start.date(), end.date()) - app.suspended_days, 0)
    left = None
    if app.deadline is not None and app.decided_at is None and app.stage != "suspended":
        left = calendar.working_days_between(now.date(), app.deadline.date()) if now <= app.deadline else \
            -calendar.working_days_between(app.deadline.date(), now.date())
    return {"statutory_days": app.item.statutory_days, "promised_days": app.item.promised_days, "used": used,
            "left": left, "suspended": app.stage == "suspended", "deadline": app.deadline,
            "statutory_deadline": app.statutory_deadline}


def rectification_list(*, user: Any) -> QuerySet:
    return Rectification.objects.restrict(user, "view").select_related("rating").order_by("-id")


def rectification_get(*, user: Any, pk: int) -> Rectification:
    return get_scoped(Rectification.objects.select_related("rating__application"), user, "view", pk=pk)


def rating_list(*, user: Any) -> QuerySet:
    return Rating.objects.restrict(user, "view").select_related("application").order_by("-created_at")


# -- indicators --------------------------------------------------------------------------------------------

GROUPS = {"department": ("department_id", "department__name"), "item": ("item__code", "title"),
          "clerk": ("accepted_by_id", "accepted_by__display_name")}


def indicators(*, user: Any, by: str, since: dt.date | None = None, until: dt.date | None = None
               ) -> list[dict[str, Any]]:
    """Per department, item or window clerk, over applications received in the period: 按时办结率 (decided on
    time / decided), 即办率, 网办率 (applied online), 好评率 (ratings 4–5 / ratings), 补正率 (told to correct /
    received), average working days of the decided, and time-outs (decided late or open past the deadline).
    One grouped query for the applications and one for the ratings, whatever the number of groups."""
    key, label = GROUPS.get(by, GROUPS["department"])
    qs = Application.objects.restrict(user, "view")
    if since:
        qs = qs.filter(received_at__date__gte=since)
    if until:
        qs = qs.filter(received_at__date__lte=until)
    now = timezone.now()
    rows = list(qs.values(key, label).annotate(
        received=Count("id"), decided=Count("id", filter=Q(decided_at__isnull=False)),
        n_on_time=Count("id", filter=Q(on_time=True)), instant_n=Count("id", filter=Q(instant=True)),
        online_n=Count("id", filter=Q(channel=Channel.ONLINE)), corrected=Count("id", filter=Q(corrections__gt=0)),
        late=Count("id", filter=Q(on_time=False) | Q(status="open", deadline__lt=now)),
        avg_days=Avg("working_days", filter=Q(decided_at__isnull=False)),
    ).order_by(label))
    rating_key = {"department": "department_id", "item": "application__item__code",
                  "clerk": "application__accepted_by_id"}[by if by in GROUPS else "department"]
    rq = Rating.objects.filter(application__in=qs.values("pk"), removed=False)
    ratings = {r[rating_key]: r for r in rq.values(rating_key).annotate(
        n=Count("id"), good=Count("id", filter=Q(score__gte=4)))}

    def rate(a: int, b: int) -> float | None:
        return round(100 * a / b, 1) if b else None

    out = []
    for r in rows:
        rt = ratings.get(r[key], {"n": 0, "good": 0})
        out.append({"key": r[key], "label": r[label] or _("（未指定）"), "received": r["received"],
                    "decided": r["decided"], "on_time_rate": rate(r["n_on_time"], r["decided"]),
                    "instant_rate": rate(r["instant_n"], r["received"]), "online_rate": rate(r["online_n"], r["received"]),
                    "good_rate": rate(rt["good"], rt["n"]), "correction_rate": rate(r["corrected"], r["received"]),
                    "avg_working_days": round(r["avg_days"], 1) if r["avg_days"] is not None else None,
                    "timeouts": r["late"], "ratings": rt["n"]})
    return out


INDICATOR_COLUMNS = (("label", gettext_lazy("名称")), ("received", gettext_lazy("收件数")), ("decided", gettext_lazy("办结数")),
                     ("on_time_rate", gettext_lazy("按时办结率（%）")), ("instant_rate", gettext_lazy("即办率（%）")),
                     ("online_rate", gettext_lazy("网办率（%）")), ("good_rate", gettext_lazy("好评率（%）")),
                     ("correction_rate", gettext_lazy("补正率（%）")), ("avg_working_days", gettext_lazy("平均用时（工作日）")),
                     ("timeouts", gettext_lazy("超时数")), ("ratings", gettext_lazy("评价数")))
