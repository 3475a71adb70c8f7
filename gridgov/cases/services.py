"""Writes of the case engine besides the transitions themselves (gridgov.cases.engine.fire): intake of a
report from any channel, following, merging duplicates, inbox reads. Every function: keyword-only,
acting_user, one transaction with its timeline entry and audit record."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core import audit
from gridgov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from gridgov.core.flow.engine import start as engine_start
from gridgov.core.services import full_clean, service
from gridgov.core.validators import MAX_ID, validate_mobile
from gridgov.network.selectors import locate

from . import engine, permissions, rollup
from .models import (
    Attachment,
    Case,
    CaseEvent,
    CaseFollower,
    Category,
    CategoryLimit,
    Channel,
    DispatchRule,
    IdempotencyKey,
    Kind,
    Notification,
)
from .notifications import (
    Contact,
    complainant,
    notify_contacts,
)
from .photos import files_rolled_back, save_photos, validate_all

DUPLICATE_RADIUS_M = 50
DUPLICATE_WINDOW_H = 72

STAFF_CHANNELS = {Channel.PATROL, Channel.HOTLINE, Channel.VIDEO, Channel.REFERRAL}
NUMBER_PREFIX = {Kind.GRID_EVENT: "SJ", Kind.COMPLAINT: "SQ"}


class DuplicateFound(Conflict):
    """A report close to an open case of the same category: show the existing case(s) first."""

    code = "duplicate"


@dataclass
class Intake:
    case: Case
    replayed: bool = False  # an Idempotency-Key retry: the case made by the first attempt
    followed: bool = False  # the reporter chose to follow an existing case
    follower_token: str = ""  # then their own follow link (the case's own stays its reporter's)

    @property
    def follow_token(self) -> str:
        """The link this reporter follows the case by: their new case's, or their follower link."""
        return self.follower_token if self.followed else self.case.follow_token


def new_token() -> str:
    """A follow link's secret: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)[:22]


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def find_duplicates(*, category: Category, lat: float, lon: float, now: Any = None,
                    exclude: int | None = None, kind: str | None = None) -> list[Case]:
    """Open cases of the same category within 50 m and 72 h: a bounding box on the index, then distance.
    `kind`: only cases of that kind (what a case may be merged into); intake shows every kind."""
    now = now or timezone.now()
    dlat = DUPLICATE_RADIUS_M / 111_320.0
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    qs = Case.objects.filter(category=category, status="open",
                             created_at__gte=now - timezone.timedelta(hours=DUPLICATE_WINDOW_H),
                             lat__range=(lat - dlat, lat + dlat), lon__range=(lon - dlon, lon + dlon))
    if exclude:
        qs = qs.exclude(pk=exclude)
    if kind:
        qs = qs.filter(kind=kind)
    found = [c for c in qs.order_by("created_at")[:20] if distance_m(lat, lon, c.lat, c.lon) <= DUPLICATE_RADIUS_M]
    return found


def duplicate_rows(dupes: list[Case], *, user: Any, category: Category, lat: float, lon: float
                   ) -> list[dict[str, Any]]:
    """What a reporter is shown of the open cases nearby: number, stage, distance, and the title only when
    they may see the case (a title is someone's free text); anyone else reads the category's name."""
    return [{"id": d.pk, "number": d.number,
             "title": d.title if permissions.allows(user, "view", d) else category.name,
             "stage": d.stage, "stage_label": str(d.stage_label),
             "distance_m": round(distance_m(lat, lon, d.lat, d.lon))} for d in dupes]


def _category(value: Any, kind: str) -> Category:
    from .selectors import active_categories

    found = None
    if isinstance(value, Category):
        found = value
    elif value not in (None, ""):
        found = active_categories.find(value)
    if found is None:
        raise ValidationFailed({"category": [_("请选择问题类别")]})
    if not found.is_leaf:
        raise ValidationFailed({"category": [_("请选择小类")]})
    return found


def _request_hash(data: dict[str, Any], photos: list[Any]) -> str:
    payload = json.dumps({k: str(v) for k, v in sorted(data.items())}, ensure_ascii=False)
    payload += "|" + ",".join(f"{getattr(p, 'name', '')}:{getattr(p, 'size', '')}" for p in photos)
    return hashlib.sha256(payload.encode()).hexdigest()


def _claim_key(user: Any, key: str, request_hash: str) -> tuple[IdempotencyKey | None, IdempotencyKey | None]:
    """Claim the key in this transaction. When an earlier attempt holds it, wait for it (the unique index
    does) and return its row (with its case)."""
    owner = f"u:{user.pk}" if getattr(user, "pk", None) else "anon"
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(owner=owner, key=key[:100], request_hash=request_hash)
        return row, None
    except IntegrityError:
        row = IdempotencyKey.objects.select_related("case").get(owner=owner, key=key[:100])
        if row.request_hash != request_hash:
            raise ValidationFailed({"Idempotency-Key": [_("该幂等键已用于另一份不同的上报")]}) from None
        if row.case is None:
            raise Conflict(_("相同的上报正在处理，请稍后重试")) from None
        return None, row


# The longest text a report may bring, per field (the columns' lengths).
REPORT_LENGTHS = {"title": 120, "address": 200, "reporter_name": 50, "external_ref": 64}
INTAKE_FIELDS = {"kind", "category", "title", "description", "address", "lat", "lon", "crs", "anonymous",
                 "reporter_name", "reporter_phone", "channel", "external_ref", "force_new", "follow"}


@files_rolled_back
@service
def case_report(*, acting_user: Any, data: dict[str, Any], photos: list[Any] | tuple[Any, ...] = (),
                idempotency_key: str = "") -> Intake:
    """Intake from any channel: locate the base grid, check duplicates, open the case in its flow's first
    stage with its step deadline, write the timeline, store photos, notify the dispatchers.

    Residents and anonymous visitors report through the public channel; staff may choose patrol, hotline,
    video or referral and must be allowed to add cases where the point lies. `force_new` skips the
    duplicate check; `follow=<id>` follows an existing case instead of opening a new one."""
    photos = list(photos)
    unknown = set(data) - INTAKE_FIELDS
    if unknown:
        raise ValidationFailed({k: [_("未知字段")] for k in sorted(unknown)})
    validate_all(photos)
    is_staff = getattr(acting_user, "pk", None) and getattr(acting_user, "kind", "") == "staff"

    claim = None
    if idempotency_key:
        claim, earlier = _claim_key(acting_user, idempotency_key, _request_hash(data, photos))
        if earlier is not None:
            return Intake(earlier.case, replayed=True, followed=bool(earlier.follow_token),
                          follower_token=earlier.follow_token)

    if data.get("follow"):
        target = _follow_target(data["follow"])
        shown = not data.get("anonymous")  # an anonymous reporter leaves no contact with the case they follow
        token = case_follow(case=target, acting_user=acting_user, name=data.get("reporter_name", "") if shown else "",
                            phone=data.get("reporter_phone", "") if shown else "")
        if claim is not None:
            IdempotencyKey.objects.filter(pk=claim.pk).update(case=target, follow_token=token)
        return Intake(target, followed=True, follower_token=token)

    kind = data.get("kind") or Kind.GRID_EVENT
    flow = engine.flow_for(kind)
    checked = _report_checks(data, kind, is_staff=bool(is_staff))
    category, channel, lat, lon, grid, phone = (checked.category, checked.channel, checked.lat, checked.lon,
                                                checked.grid, checked.phone)
    title = (data.get("title") or "").strip() or category.name

    now = timezone.now()
    if not data.get("force_new"):
        dupes = find_duplicates(category=category, lat=lat, lon=lon, now=now)
        if dupes:
            raise DuplicateFound(_("附近 50 米内 72 小时内已有同类事件正在办理，请先查看"),
                                 duplicates=duplicate_rows(dupes, user=acting_user, category=category,
                                                           lat=lat, lon=lon))

    case = Case(kind=kind, category=category, title=title[:120], description=(data.get("description") or "").strip(),
                address=(data.get("address") or "")[:200], lat=lat, lon=lon, grid=grid, town_id=grid.town_id,
                reporter=acting_user if getattr(acting_user, "pk", None) else None,
                reporter_name=(data.get("reporter_name") or "")[:50], reporter_phone=phone,
                anonymous=bool(data.get("anonymous")), channel=channel,
                external_ref=(data.get("external_ref") or "")[:64], follow_token=new_token())
    case.grid, case.town = grid, grid.town
    engine.enter_stage(case, flow.initial, now)
    if is_staff and not permissions.allows(acting_user, "add", case):
        raise ValidationFailed({"location": [_("该位置不在您的上报范围内")]})
    full_clean(case, exclude=_not_from_the_reporter())
    # The one path of every flow: the stage was entered above (its step deadline), `start` numbers the case,
    # writes it with its first timeline entry and audit record, and tells the dispatchers.
    event = engine_start(subject=case, acting_user=acting_user, transition="report",
                         label=_("上报（%(c)s）") % {"c": Channel(channel).label}, note=case.description[:500],
                         data={"channel": channel, "grid": grid.pk}, actor_name=_reporter_label(case), now=now)
    if claim is not None:
        IdempotencyKey.objects.filter(pk=claim.pk).update(case=case)
    if photos:
        save_photos(case=case, event=event, files=photos, user=acting_user)
    if phone:  # a caller or visitor known by their mobile gets the number and their link by text
        notify_contacts(case=case, kind="report", title=_("已登记 %(n)s：%(t)s") % {"n": case.number, "t": case.title},
                        to=complainant(case))
    rollup.mark_cases([case])  # nothing to mark unless a flow files or dispatches at intake
    return Intake(case)


@dataclass
class ReportChecked:
    category: Category
    channel: str
    lat: float
    lon: float
    grid: Any
    phone: str


def _report_checks(data: dict[str, Any], kind: str, *, is_staff: bool) -> ReportChecked:
    """Every check of a report's fields, all made: the refusal names each field that is wrong at once (the
    category, the place, the channel, a text too long, the phone), not the first of them."""
    errors: dict[str, list[str]] = {}

    def attempt(check: Callable[[], Any]) -> Any:
        try:
            return check()
        except ValidationFailed as exc:
            for field, reasons in exc.errors.items():
                errors.setdefault(field, []).extend(reasons)
            return None

    category = attempt(lambda: _category(data.get("category"), kind))
    channel = data.get("channel") or (Channel.PATROL if is_staff and kind == Kind.GRID_EVENT else Channel.PUBLIC)
    if channel not in Channel.values:
        errors["channel"] = [_("未知的来源渠道")]
    elif channel in STAFF_CHANNELS and not is_staff:
        errors["channel"] = [_("该来源渠道仅限工作人员")]
    lat = lon = grid = None
    try:
        lat, lon = float(data.get("lat")), float(data.get("lon"))
    except (TypeError, ValueError):
        errors["location"] = [_("请在地图上选择位置或允许定位")]
    crs = data.get("crs") or "wgs84"
    if crs not in ("wgs84", "gcj02"):  # a point read in the wrong system lands some hundred metres off
        errors["crs"] = [_("坐标系只能是 wgs84 或 gcj02")]
    elif lat is not None and lon is not None:
        if crs == "gcj02":
            from gridgov.core.geo import gcj02_to_wgs84

            lat, lon = gcj02_to_wgs84(lat, lon)
        grid = attempt(lambda: locate(lat=lat, lon=lon))
    for f, n in REPORT_LENGTHS.items():  # refused, not cut: the reporter's words are kept whole or not at all
        if len(str(data.get(f) or "").strip()) > n:
            errors[f] = [_("过长（最多 %(n)d 字）") % {"n": n}]
    phone = attempt(lambda: _contact_phone(data.get("reporter_phone")))
    if errors:
        raise ValidationFailed(errors)
    return ReportChecked(category, channel, lat, lon, grid, phone)  # type: ignore[arg-type]


# What a report brings; the rest of the new case (stage, deadlines, counters, number) is set by the flow.
REPORTED_FIELDS = ("kind", "title", "description", "address", "lat", "lon", "reporter_name", "reporter_phone",
                   "anonymous", "channel", "external_ref")


@functools.cache
def _not_from_the_reporter() -> list[str]:
    """Fields model validation may skip at intake: every field but what the report brought."""
    return [f.name for f in Case._meta.fields if f.name not in REPORTED_FIELDS]


def _reporter_label(case: Case) -> str:
    if case.anonymous:
        return _("匿名群众")
    if case.reporter_id:
        return str(case.reporter)
    return case.reporter_name or _("群众")


def _follow_target(value: Any) -> Case:
    case = Case.objects.filter(pk=value, status="open").select_related("category").first() if str(
        value).isdigit() else None
    if case is None:
        raise ValidationFailed({"follow": [_("要关注的案卷不存在或已办结")]})
    return case


def _contact_phone(value: Any) -> str:
    """A reporter's or caller's mobile, checked (RULES §7); empty when none was given."""
    phone = (value or "").strip()
    if phone:
        from django.core.exceptions import ValidationError

        try:
            validate_mobile(phone)
        except ValidationError as exc:
            raise ValidationFailed({"reporter_phone": list(exc.messages)}) from None
    return phone


@service
def case_follow(*, case: Case, acting_user: Any, name: str = "", phone: str = "") -> str:
    """A reporter follows an existing case instead of reporting it again (the duplicate check's answer), and
    gets a follow link of their own: it shows the case's progress but not the reply, and cannot rate (the
    case's own link is its reporter's). The timeline counts the repeated report.

    Staff who give a `name` or `phone` follow on behalf of a caller (a 12345 operator on the phone): the caller
    becomes a follower of their own, with that contact and a link for the operator to give them; each caller
    is a new follower, never the operator."""
    user = acting_user if getattr(acting_user, "pk", None) else None
    name, phone = (name or "").strip()[:50], _contact_phone(phone)
    caller = user is not None and getattr(user, "kind", "") == "staff" and bool(name or phone)
    if user is not None and case.reporter_id == user.pk and not caller:
        return case.follow_token
    if caller or user is None:
        follower, created = CaseFollower.objects.create(case=case, user=None, name=name, phone=phone,
                                                        token=new_token()), True
    else:
        follower, created = CaseFollower.objects.get_or_create(case=case, user=user,
                                                                defaults={"token": new_token()})
        if not created and follower.token:
            return follower.token  # already following: the same link, no second timeline line
    before = None if created else audit.snapshot(follower)
    if not follower.token:  # followed before follow links had tokens
        follower.token = new_token()
        follower.save(update_fields=["token"])
    audit.record(follower, "create" if created else "update", before)
    CaseEvent.objects.create(case=case, time=timezone.now(), actor=user, actor_name=str(user or _("群众")),
                             transition="follow_call" if caller else "follow",
                             label=_("来电群众重复反映（关注）") if caller else _("群众重复上报（关注）"),
                             from_stage=case.stage, to_stage=case.stage)
    if follower.phone:
        notify_contacts(case=case, kind="follow", title=_("已关注 %(n)s：%(t)s") % {"n": case.number, "t": case.title},
                        to=[(Contact(follower.phone, follower.name), follower.token)])
    return follower.token


@service
def case_merge(*, case: Case, into: Case, acting_user: Any, expected_version: int | None = None,
               note: str = "") -> Case:
    """Merge a duplicate into the surviving case: the duplicate closes as 已合并, its reporter and followers
    follow the survivor, and both timelines say so."""
    if case.pk == into.pk:
        raise ValidationFailed({"into": [_("不能并入自身")]})
    if not (permissions.allows(acting_user, "dispatch", case) and permissions.allows(acting_user, "dispatch", into)):
        raise PermissionDenied()
    if into.status != "open" or into.merged_into_id:
        raise ValidationFailed({"into": [_("只能并入办理中的案卷")]})
    if into.town_id != case.town_id:
        raise ValidationFailed({"into": [_("只能合并同一镇街的案卷")]})
    if case.kind != into.kind:
        raise ValidationFailed({"into": [_("只能合并同类型的案卷")]})
    engine.fire(case=case, transition="merge", acting_user=acting_user, expected_version=expected_version,
                note=note or _("并入 %(n)s") % {"n": into.number}, data={"into": into.pk}, system=True)
    moved = list(CaseFollower.objects.filter(case=case).exclude(user=None).values_list("user_id", flat=True))
    if case.reporter_id:
        moved.append(case.reporter_id)
    have = set(CaseFollower.objects.filter(case=into).values_list("user_id", flat=True))
    added = [CaseFollower(case=into, user_id=u, via=case, token=new_token())
             for u in set(moved) if u not in have and u != into.reporter_id]
    # A complainant known by the contact given with the report (a 12345 caller, a visitor without an account)
    # follows the survivor by that contact, like a caller following it on the phone; an anonymous one does not.
    added += [CaseFollower(case=into, user=None, name=c.display_name, phone=c.phone, via=case, token=new_token())
              for c, _token in ([] if case.anonymous else complainant(case))]
    audit.record_many(CaseFollower.objects.bulk_create(added), "create", actor=acting_user)
    # Followers without an account (callers, visitors) keep their own links, now on the survivor.
    contacts = list(CaseFollower.objects.filter(case=case, user=None))
    for f in contacts:
        before = audit.snapshot(f)
        f.case_id, f.via_id = into.pk, f.via_id or case.pk
        audit.record(f, "update", before, actor=acting_user)
    CaseFollower.objects.bulk_update(contacts, ["case", "via"])
    merged_in = CaseEvent.objects.create(case=into, time=timezone.now(), actor=acting_user,
                                         actor_name=str(acting_user), transition="merged_in",
                                         label=_("合并重复案卷"), from_stage=into.stage, to_stage=into.stage,
                                         note=note, data={"merged": case.pk, "number": case.number})
    # The duplicate's photos show on the survivor's 合并 line, for everyone who handles the survivor (also a
    # grid worker whose grid the duplicate was not in): rows of the survivor pointing at the same stored files.
    copies = [Attachment(case=into, event=merged_in, file=a.file.name, content_type=a.content_type, size=a.size,
                         original_name=a.original_name, uploaded_by_id=a.uploaded_by_id)
              for a in Attachment.objects.filter(case=case).order_by("id")]
    audit.record_many(Attachment.objects.bulk_create(copies), "create", actor=acting_user)
    return into


@files_rolled_back
@service
def case_add_photos(*, case: Case, acting_user: Any, photos: list[Any], note: str = "") -> list[Any]:
    """More photos for a case (on site, before/after): a timeline line of its own."""
    if not photos:
        raise ValidationFailed({"photos": [_("请选择照片")]})
    staff = getattr(acting_user, "kind", "") == "staff"
    if not (permissions.allows(acting_user, "view", case) and (staff or case.reporter_id == acting_user.pk)):
        raise PermissionDenied()
    event = CaseEvent.objects.create(case=case, time=timezone.now(), actor=acting_user,
                                     actor_name=str(acting_user), transition="photos", label=_("补充照片"),
                                     from_stage=case.stage, to_stage=case.stage, note=note)
    saved = save_photos(case=case, event=event, files=photos, user=acting_user)
    audit.record_many(saved, "create", actor=acting_user)
    return saved


REPORTER_PHOTO_EVENTS = ("report", "reporter_photos")


@files_rolled_back
@service
def case_add_photos_by_token(*, token: str, acting_user: Any, photos: list[Any], note: str = "") -> list[Any]:
    """The reporter adds photos through the case's own follow link: the API's way for an app that reported
    without an account (the report form takes photos in its own request). Only while the report awaits 立案 or
    受理, and up to MAX_PHOTOS of the reporter's in all; a follower's link, or a merged case's, adds nothing."""
    from .photos import MAX_PHOTOS

    case = Case.objects.select_for_update().filter(follow_token=token, merged_into=None).first() if token else None
    if case is None:
        raise NotFound()
    if not photos:
        raise ValidationFailed({"photos": [_("请选择照片")]})
    if case.stage != engine.flow_for(case.kind).initial:
        raise ValidationFailed({"photos": [_("案卷已进入办理（当前环节：%(s)s），不能再凭查询链接补充照片") % {"s": case.stage_label}]})
    had = case.attachments.filter(event__transition__in=REPORTER_PHOTO_EVENTS).count()
    if had + len(photos) > MAX_PHOTOS:
        raise ValidationFailed({"photos": [_("每件上报最多 %(n)d 张照片，已有 %(h)d 张") % {"n": MAX_PHOTOS, "h": had}]})
    event = CaseEvent.objects.create(case=case, time=timezone.now(), actor=case.reporter,
                                     actor_name=_reporter_label(case), transition="reporter_photos",
                                     label=_("上报人补充照片"), from_stage=case.stage, to_stage=case.stage,
                                     note=note[:500])
    saved = save_photos(case=case, event=event, files=photos, user=case.reporter)
    audit.record_many(saved, "create", actor=case.reporter)
    return saved


@service
def notification_read(*, acting_user: Any, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all when `ids` is None)."""
    qs = Notification.objects.filter(recipient=acting_user, read_at=None)
    if ids is not None:  # an id no row can have (beyond a 64-bit key) names nothing; the database would refuse it
        qs = qs.filter(pk__in=[i for i in ids if 1 <= i <= MAX_ID])
    return qs.update(read_at=timezone.now())


def fire_by_token(*, token: str, transition: str, data: dict[str, Any], note: str = "") -> Case:
    """A complainant without an account rates the reply through the case's own follow link (a follower's link,
    or the link of a case merged into this one, only shows progress)."""
    case = Case.objects.select_related("category", "grid").filter(follow_token=token).first() if token else None
    if case is None or transition != "rate":
        raise NotFound()
    try:
        _ratable(case)
        # The timeline names the complainant who rated, not 系统 (the dispatcher calls them back on a 差评).
        return engine.fire(case=case, transition=transition, acting_user=None, data=data, note=note, system=True,
                           actor_name=_reporter_label(case))
    except Conflict:  # rated from another tab at the same moment
        _ratable(Case.objects.get(pk=case.pk))
        raise


def _ratable(case: Case) -> None:
    """The complainant's link rates once, after the reply: a second rating (another tab, the back button) or
    one before the reply is refused in words the complainant knows, naming the rating."""
    if case.stage == "rating":
        return
    if case.rating is not None:
        reason = _("您已评价过（%(r)s / 5），不能重复评价") % {"r": case.rating}
    else:
        reason = _("当前环节（%(s)s）不能评价，部门答复后才能评价") % {"s": case.stage_label}
    raise ValidationFailed({"rating": [reason]})


# -- 督办: the deadline sweep ------------------------------------------------------------------------------

def case_sweep(*, acting_user: Any = None, now: Any = None, batch_size: int = 5000) -> Any:
    """Mark every open case past its step deadline overdue and escalate it (督办): the one sweep of every flow
    (gridgov.core.flow.sweep), which applies each flow's declared `urge` transition in bulk."""
    from gridgov.core.flow.sweep import sweep

    return sweep(acting_user=acting_user, now=now, batch_size=batch_size)


# -- The administrator's settings (issue 15, item 4): the town's dispatch rules and handling limits ----------

MAX_PRIORITY = 1000
MAX_LIMIT = {"hours": 2000, "days": 365}  # a year of working days, or of working hours roughly


def _town_to_configure(acting_user: Any, town: Any) -> Any:
    from gridgov.network.models import Division, Level

    pk = getattr(town, "pk", town)
    found = (Division.objects.restrict(acting_user, "change").filter(pk=pk, level=Level.TOWN).first()
             if str(pk).isdigit() else None)
    if found is None:
        raise ValidationFailed({"town": [_("请选择镇街")]})
    return found


def _rule_values(acting_user: Any, town: Any, data: dict[str, Any]) -> dict[str, Any]:
    """A dispatch rule's fields checked together (every error at once): the category any, the area a division
    of the town, the department one of the town's, a department or a professional category, a priority."""
    from gridgov.accounts.roles import ProCategory
    from gridgov.network.models import Department, Division

    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {"category": None, "area": None, "department": None, "pro_category": "",
                           "priority": 100}

    def pick(field: str, qs: Any) -> Any:
        value = data.get(field)
        if value in (None, ""):
            return None
        pk = getattr(value, "pk", value)
        found = qs.filter(pk=pk).first() if str(pk).isdigit() else None
        if found is None:
            errors[field] = [_("不在您的管辖范围内或不存在")]
        return found

    out["category"] = pick("category", Category.objects.all())
    out["area"] = pick("area", Division.objects.restrict(acting_user, "change").filter(path__startswith=town.path)
                       .exclude(pk=town.pk))
    out["department"] = pick("department", Department.objects.restrict(acting_user, "change").filter(town=town))
    pro = data.get("pro_category") or ""
    if pro and pro not in ProCategory.values:
        errors["pro_category"] = [_("取值不在允许范围内")]
    out["pro_category"] = pro
    if not out["department"] and not pro and "department" not in errors:
        errors["department"] = [_("请选择责任部门或专业类别（至少一项）")]
    priority = data.get("priority", 100)
    try:
        out["priority"] = int(priority)
        if not 0 <= out["priority"] <= MAX_PRIORITY:
            raise ValueError
    except (TypeError, ValueError):
        errors["priority"] = [_("应为 0 至 %(n)s 的整数") % {"n": MAX_PRIORITY}]
    if errors:
        raise ValidationFailed(errors)
    return out


@service
def dispatch_rule_create(*, acting_user: Any, town: Any, data: dict[str, Any]) -> DispatchRule:
    from gridgov.core.services import save_new

    town = _town_to_configure(acting_user, town)
    return save_new(DispatchRule(town=town, **_rule_values(acting_user, town, data)), acting_user=acting_user)


@service
def dispatch_rule_update(*, acting_user: Any, rule: DispatchRule, data: dict[str, Any]) -> DispatchRule:
    from gridgov.core.scope import ensure_visible, get_scoped

    rule = get_scoped(DispatchRule.objects.select_related("town"), acting_user, "change", pk=rule.pk)
    before = audit.snapshot(rule)
    for name, value in _rule_values(acting_user, rule.town, data).items():
        setattr(rule, name, value)
    rule.save()
    audit.record(rule, "update", before)
    ensure_visible(rule, acting_user, "change")
    return rule


@service
def dispatch_rule_delete(*, acting_user: Any, rule: DispatchRule) -> None:
    from gridgov.core.scope import get_scoped
    from gridgov.core.services import delete_audited

    delete_audited(get_scoped(DispatchRule.objects, acting_user, "delete", pk=rule.pk), acting_user=acting_user)


def _limit_values(data: dict[str, Any]) -> tuple[int, str]:
    errors: dict[str, list[str]] = {}
    unit = data.get("deadline_unit") or ""
    if unit not in MAX_LIMIT:
        errors["deadline_unit"] = [_("请选择工作时或工作日")]
    try:
        amount = int(data.get("deadline_amount"))  # type: ignore[arg-type]
        if not 1 <= amount <= MAX_LIMIT.get(unit, 365):
            raise ValueError
    except (TypeError, ValueError):
        amount = 0
        errors["deadline_amount"] = [_("应为 1 至 %(n)s 的整数") % {"n": MAX_LIMIT.get(unit, 365)}]
    if errors:
        raise ValidationFailed(errors)
    return amount, unit


@service
def category_limit_set(*, acting_user: Any, town: Any, category: Any, deadline_amount: Any,
                       deadline_unit: str) -> CategoryLimit:
    """The town's own handling limit of a category (created, or changed where the town already has one)."""
    from gridgov.core.scope import ensure_visible
    from gridgov.core.services import save_new

    town = _town_to_configure(acting_user, town)
    pk = getattr(category, "pk", category)
    cat = Category.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    errors: dict[str, list[str]] = {} if cat else {"category": [_("类别不存在")]}
    try:
        amount, unit = _limit_values({"deadline_amount": deadline_amount, "deadline_unit": deadline_unit})
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    limit = CategoryLimit.objects.filter(town=town, category=cat).first()
    if limit is None:
        return save_new(CategoryLimit(town=town, category=cat, deadline_amount=amount, deadline_unit=unit),
                        acting_user=acting_user)
    before = audit.snapshot(limit)
    limit.deadline_amount, limit.deadline_unit = amount, unit
    limit.save()
    audit.record(limit, "update", before)
    ensure_visible(limit, acting_user, "change")
    return limit


@service
def category_limit_delete(*, acting_user: Any, limit: CategoryLimit) -> None:
    """Back to the category's default limit in this town."""
    from gridgov.core.scope import get_scoped
    from gridgov.core.services import delete_audited

    delete_audited(get_scoped(CategoryLimit.objects, acting_user, "delete", pk=limit.pk), acting_user=acting_user)
