"""Every write of the one window: the catalogue (items and their revisions, import), applications (online, at
the window, 代办 at a village station), the flow's transitions, and 好差评 with the rectification a 差评 opens.
Each is one transaction, audited; the checks come first and name every refused field at once."""

from __future__ import annotations

import datetime as dt
import decimal
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from gridgov.core import audit
from gridgov.core.errors import Conflict, NotFound, ValidationFailed
from gridgov.core.files import files_rolled_back, remember_stored
from gridgov.core.flow.engine import fire as engine_fire
from gridgov.core.flow.engine import start as engine_start
from gridgov.core.scope import scope_q
from gridgov.core.services import service
from gridgov.core.validators import validate_mobile, validate_resident_id
from gridgov.network.models import Department, Division, Level

from . import flows
from .models import (
    Application,
    Catalogue,
    Channel,
    Delegated,
    ItemType,
    Material,
    Question,
    Rating,
    Rectification,
    ServiceItem,
    Upload,
)

# -- catalogue ---------------------------------------------------------------------------------------------


def initials_of(name: str) -> str:
    """Pinyin initials of a name, lower case, letters and digits only: 城乡居民医疗保险 → cxjmylbx."""
    letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors=lambda s: list(s))
    return "".join(ch for ch in "".join(letters).lower() if ch.isascii() and ch.isalnum())[:120]


ITEM_FIELDS = ("catalogue", "code", "name", "item_type", "department", "legal_basis", "statutory_days",
               "promised_days", "instant", "joint", "fee", "fee_basis", "online", "at_window", "at_station",
               "delegated_from", "valid_from", "valid_to")
ITEM_LABELS = {"catalogue": _("目录"), "code": _("事项编码"), "name": _("事项名称"), "item_type": _("事项类型"),
               "department": _("承办部门"), "statutory_days": _("法定时限"), "promised_days": _("承诺时限"),
               "fee": _("收费"), "valid_from": _("生效日期"), "valid_to": _("失效日期"),
               "delegated_from": _("下放层级")}


def check_item(data: Mapping[str, Any], *, town: Division) -> dict[str, list[str]]:
    """Every refusal of an item's fields at once (the form and the import both use it)."""
    errors: dict[str, list[str]] = {}
    if data.get("catalogue") not in Catalogue.values:
        errors["catalogue"] = [_("请选择目录")]
    if not str(data.get("code") or "").strip():
        errors["code"] = [_("必填")]
    elif len(str(data["code"])) > 40:
        errors["code"] = [_("过长（最多 40 个字符）")]
    if not str(data.get("name") or "").strip():
        errors["name"] = [_("必填")]
    elif len(str(data["name"])) > 120:
        errors["name"] = [_("过长（最多 120 个字符）")]
    if data.get("item_type") not in ItemType.values:
        errors["item_type"] = [_("请选择事项类型")]
    if (data.get("delegated_from") or "") not in Delegated.values:
        errors["delegated_from"] = [_("请选择下放层级")]
    dept = data.get("department")
    if dept is not None and getattr(dept, "town_id", None) != town.pk:
        errors["department"] = [_("请选择本镇街的部门")]
    if dept is None and data.get("catalogue") in (Catalogue.APPROVAL, Catalogue.PUBLIC):
        errors["department"] = [_("审批和公共服务事项须有承办部门")]
    days: dict[str, int] = {}
    for key in ("statutory_days", "promised_days"):
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 365:
            errors[key] = [_("应为 0 到 365 之间的工作日数")]
        else:
            days[key] = value
    if len(days) == 2 and days["promised_days"] > days["statutory_days"]:
        errors["promised_days"] = [_("承诺时限不能长于法定时限")]
    fee = data.get("fee", 0)
    if not isinstance(fee, int | decimal.Decimal) or isinstance(fee, bool) or fee < 0:
        errors["fee"] = [_("应为不小于 0 的金额")]
    start, end = data.get("valid_from"), data.get("valid_to")
    if not isinstance(start, dt.date):
        errors["valid_from"] = [_("应为日期 YYYY-MM-DD")]
    if end is not None and not isinstance(end, dt.date):
        errors["valid_to"] = [_("应为日期 YYYY-MM-DD")]
    elif isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        errors["valid_to"] = [_("失效日期不能早于生效日期")]
    if not (data.get("online") or data.get("at_window") or data.get("at_station")):
        errors["online"] = [_("至少选择一个办理渠道")]
    return errors


def _may_manage(user: Any, town: Division) -> None:
    q = scope_q(ServiceItem, user, "change")
    if q is None or not Division.objects.filter(pk=town.pk, level=Level.TOWN).exists():
        raise NotFound()
    # The catalogue is the town's: an administrator of the town (or above) manages it.
    if not any(g.kind == "all" or (g.kind == "division" and town.path.startswith(g.value))
               for g in user.grants("change", "window.serviceitem")):
        raise NotFound()


def _check_materials(materials: Iterable[Mapping[str, Any]], question_keys: set[str]) -> dict[str, list[str]]:
    for n, m in enumerate(materials, 1):
        if not str(m.get("name") or "").strip():
            return {"materials": [_("第 %(n)d 项材料：请填写名称") % {"n": n}]}
        if m.get("form", "copy") not in Material.Form.values:
            return {"materials": [_("第 %(n)d 项材料：材料形式无效") % {"n": n}]}
        if m.get("when_question") and m["when_question"] not in question_keys:
            return {"materials": [_("第 %(n)d 项材料：条件问题不存在") % {"n": n}]}
        count = m.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 99:
            return {"materials": [_("第 %(n)d 项材料：份数应为 1 到 99") % {"n": n}]}
    return {}


@service
def item_create(*, acting_user: Any, town: Division, data: Mapping[str, Any],
                materials: Iterable[Mapping[str, Any]] = (), questions: Iterable[Mapping[str, Any]] = (),
                grids: Iterable[Division] = ()) -> ServiceItem:
    """A new item of the town's catalogue (revision 1), with its questions, materials and grids."""
    _may_manage(acting_user, town)
    materials, questions = list(materials), list(questions)
    errors = check_item(data, town=town)
    keys = {str(q.get("key")) for q in questions}
    errors |= _check_materials(materials, keys)
    if "code" not in errors and ServiceItem.objects.filter(town=town, code=str(data["code"]).strip()).exists():
        errors["code"] = [_("本镇街已有这个事项编码")]
    if errors:
        raise ValidationFailed(errors)
    item = ServiceItem(town=town, **{k: data[k] for k in ITEM_FIELDS if k in data})
    item.code, item.name = item.code.strip(), item.name.strip()
    item.initials = initials_of(item.name)
    item.save()
    _copy_parts(item, materials, questions, grids)
    audit.record(item, "create")
    return item


def _copy_parts(item: ServiceItem, materials: list[Mapping[str, Any]], questions: list[Mapping[str, Any]],
                grids: Iterable[Division]) -> None:
    Question.objects.bulk_create([Question(item=item, key=str(q["key"]), text=str(q["text"]), position=i)
                                  for i, q in enumerate(questions)])
    Material.objects.bulk_create([
        Material(item=item, name=str(m["name"]).strip(), form=m.get("form", "copy"), count=m.get("count", 1),
                 required=bool(m.get("required", True)), when_question=m.get("when_question", "") or "",
                 when_answer=bool(m.get("when_answer", True)), template=m.get("template", "") or "", position=i)
        for i, m in enumerate(materials)])
    grid_list = list(grids)
    if grid_list:
        item.grids.set(grid_list)


@service
def item_revise(*, acting_user: Any, item: ServiceItem, expected_version: int, data: Mapping[str, Any]) -> ServiceItem:
    """A new revision of a current item: this one is closed (valid until yesterday) and keeps every application
    made under it; the new one copies its materials, questions and grids and takes the changes."""
    _may_manage(acting_user, item.town)
    if not item.is_current:
        raise ValidationFailed({"__all__": [_("只能修订现行版本")]})
    if expected_version != item.version:
        raise Conflict(_("事项已被他人修改，请刷新后重试"), current_version=item.version)
    merged = {k: getattr(item, k) for k in ITEM_FIELDS} | {k: v for k, v in data.items() if k in ITEM_FIELDS}
    merged["code"] = item.code  # the code names the item across its revisions
    today = timezone.localdate()
    if merged.get("valid_from") is None or merged["valid_from"] < today:
        merged["valid_from"] = today
    errors = check_item(merged, town=item.town)
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(item)
    rows = ServiceItem.objects.filter(pk=item.pk, version=item.version).update(
        is_current=False, valid_to=today - dt.timedelta(days=1) if today > item.valid_from else today,
        version=item.version + 1, updated_at=timezone.now())
    if rows == 0:
        raise Conflict(_("事项已被他人修改，请刷新后重试"))
    item.refresh_from_db()
    audit.record(item, "update", before)
    new = ServiceItem(town=item.town, revision=item.revision + 1, **{k: merged[k] for k in ITEM_FIELDS})
    new.name = str(new.name).strip()
    new.initials = initials_of(new.name)
    new.save()
    _copy_parts(new, list(item.materials.values("name", "form", "count", "required", "when_question",
                                                "when_answer", "template")),
                list(item.questions.values("key", "text")), item.grids.all())
    audit.record(new, "create")
    return new


IMPORT_COLUMNS = ("目录", "事项编码", "事项名称", "事项类型", "承办部门", "设定依据", "法定时限", "承诺时限", "即办件",
                  "收费（元）", "网上办理", "窗口办理", "便民服务站代办", "下放层级", "生效日期", "失效日期", "申请材料")


def _yes(text: str) -> bool:
    return text.strip() in ("是", "1", "Y", "y", "yes", "true", "√")


def _by_label(choices: Any, text: str) -> str | None:
    text = text.strip()
    for value, label in choices.choices:
        if text in (str(label), value):
            return value
    return None


@files_rolled_back
@service
def catalogue_import(*, acting_user: Any, town: Division, file: Any) -> int:
    """Items from an .xlsx (or .csv) with the export's columns: every row checked before any is written; a
    row whose code exists is refused (revise it on its page instead). Returns how many were created."""
    from gridgov.core.tabular import open_table

    _may_manage(acting_user, town)
    table = open_table(file)
    missing = [c for c in IMPORT_COLUMNS[:8] if c not in table.header]
    if missing:
        raise ValidationFailed({"file": [_("缺少列：%(c)s") % {"c": "、".join(missing)}]})
    col = {name: table.header.index(name) for name in IMPORT_COLUMNS if name in table.header}
    depts = {d.name: d for d in Department.objects.filter(town=town)}
    existing = set(ServiceItem.objects.filter(town=town).values_list("code", flat=True))
    items: list[tuple[ServiceItem, list[dict[str, Any]]]] = []
    problems: list[str] = []
    seen: set[str] = set()

    def cell(row: list[str], name: str) -> str:
        i = col.get(name)
        return (row[i] if i is not None and i < len(row) else "").strip()

    for n, row in table.rows:
        try:
            data: dict[str, Any] = {
                "catalogue": _by_label(Catalogue, cell(row, "目录")), "code": cell(row, "事项编码"),
                "name": cell(row, "事项名称"), "item_type": _by_label(ItemType, cell(row, "事项类型")),
                "department": depts.get(cell(row, "承办部门")), "legal_basis": cell(row, "设定依据"),
                "statutory_days": int(cell(row, "法定时限") or 0), "promised_days": int(cell(row, "承诺时限") or 0),
                "instant": _yes(cell(row, "即办件")), "fee": decimal.Decimal(cell(row, "收费（元）") or "0"),
                "online": _yes(cell(row, "网上办理") or "是"), "at_window": _yes(cell(row, "窗口办理") or "是"),
                "at_station": _yes(cell(row, "便民服务站代办")),
                "delegated_from": _by_label(Delegated, cell(row, "下放层级")) or "",
                "valid_from": dt.date.fromisoformat(cell(row, "生效日期")[:10]) if cell(row, "生效日期")
                else timezone.localdate(),
                "valid_to": dt.date.fromisoformat(cell(row, "失效日期")[:10]) if cell(row, "失效日期") else None,
            }
        except (ValueError, decimal.InvalidOperation):
            problems.append(_("第 %(n)d 行：时限、收费或日期格式有误") % {"n": n})
            continue
        errors = check_item(data, town=town)
        if data["code"] in existing or data["code"] in seen:
            errors["code"] = [_("事项编码已存在")]
        if errors:
            field, reasons = next(iter(errors.items()))
            problems.append(_("第 %(n)d 行：%(f)s %(r)s") % {"n": n, "f": ITEM_LABELS.get(field, field), "r": reasons[0]})
            continue
        seen.add(data["code"])
        materials = [{"name": m.strip()} for m in cell(row, "申请材料").replace("；", ";").split(";") if m.strip()]
        items.append((ServiceItem(town=town, initials=initials_of(data["name"]), **data), materials))
    if problems:
        raise ValidationFailed({"file": problems[:20]})
    created = ServiceItem.objects.bulk_create([i for i, _m in items])
    Material.objects.bulk_create([Material(item=i, name=m["name"], position=k)
                                  for i, (_x, ms) in zip(created, items, strict=True) for k, m in enumerate(ms)])
    audit.record_many(created, "create")
    return len(created)


# -- applications ------------------------------------------------------------------------------------------


def upload_max_bytes() -> int:
    return int(getattr(settings, "GRIDGOV_WINDOW_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def sniff_document(head: bytes) -> str | None:
    """What an uploaded material is, from its first bytes: PDF, JPEG or PNG, else None (never the name)."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def check_upload(f: Any, field: str) -> str:
    size = getattr(f, "size", None)
    if size is None:
        raise ValidationFailed({field: [_("无法读取文件")]})
    if size > upload_max_bytes():
        raise ValidationFailed({field: [_("文件过大（不超过 %(n)d MB）") % {"n": upload_max_bytes() // (1024 * 1024)}]})
    f.seek(0)
    kind = sniff_document(f.read(16))
    f.seek(0)
    if kind is None:
        raise ValidationFailed({field: [_("只接受 PDF、JPEG 或 PNG 文件")]})
    return kind


def _store(app: Application, material: Material | None, f: Any, kind: str) -> Upload:
    u = Upload(application=app, material=material, content_type=kind, size=f.size,
               original_name=str(getattr(f, "name", ""))[:120])
    u.file.save("material", f, save=False)
    remember_stored(u.file.storage, u.file.name)
    u.save()
    return u


def needed_materials(item: ServiceItem, answers: Mapping[str, bool]) -> list[Material]:
    """What the applicant must bring, given their answers to the item's questions (一次告知)."""
    return [m for m in item.materials.all() if m.needed(dict(answers))]


def offered(item: ServiceItem, today: dt.date) -> bool:
    return item.is_current and item.valid_from <= today and (item.valid_to is None or today <= item.valid_to)


def _place_for(user: Any, item: ServiceItem, channel: str) -> Division:
    """Where the application is lodged, and whether `user` may lodge it there with this channel."""
    if channel == Channel.ONLINE:
        if getattr(user, "town_id", None) != item.town_id:
            raise ValidationFailed({"item": [_("该事项不在您所在的镇街办理")]})
        return item.town
    grants = [g for g in user.grants("add", "window.application") if g.kind in ("division", "all")]
    staff_places = [a.division for a in user.assignments_cached() if a.division_id
                    and any(g.kind == "all" or a.division.path.startswith(g.value) for g in grants)]
    for place in staff_places:
        if place.path.startswith(item.town.path) or item.town.path.startswith(place.path):
            if channel == Channel.STATION and place.level != Level.VILLAGE:
                continue
            if channel == Channel.WINDOW and place.level == Level.VILLAGE:
                continue
            return place if place.level >= Level.TOWN else item.town
    raise ValidationFailed({"channel": [_("您不能以这个渠道为该镇街收件")]})


def application_checks(*, user: Any, item: ServiceItem, channel: str, answers: Mapping[str, Any],
                       files: Mapping[int, Any], received: Iterable[int], applicant: Mapping[str, str],
                       authorisation: Any, today: dt.date) -> tuple[dict[str, bool], list[Material], Division]:
    """Every refusal of an application at once, before anything is written."""
    errors: dict[str, list[str]] = {}
    if channel not in Channel.values:
        raise ValidationFailed({"channel": [_("请选择申请渠道")]})
    if not offered(item, today):
        raise ValidationFailed({"item": [_("该事项已停止办理或尚未生效")]})
    allowed = {Channel.ONLINE: item.online, Channel.WINDOW: item.at_window, Channel.STATION: item.at_station}
    if not allowed[channel]:
        raise ValidationFailed({"channel": [_("该事项不支持%(c)s") % {"c": Channel(channel).label}]})
    place = _place_for(user, item, channel)
    keys = {q.key for q in item.questions.all()}
    clean: dict[str, bool] = {}
    for key, value in answers.items():
        if key not in keys:
            errors[f"answers.{key}"] = [_("没有这个问题")]
        else:
            clean[key] = value in (True, "true", "1", "on", "yes", "是")
    for key in keys - set(clean):
        clean[key] = False
    needed = needed_materials(item, clean)
    got = set(files) | set(received) if channel != Channel.ONLINE else set(files)
    material_ids = {m.pk for m in item.materials.all()}
    for mid in set(files) - material_ids:
        errors[f"material_{mid}"] = [_("不是本事项的材料")]
    for m in needed:
        if m.pk not in got:
            errors[f"material_{m.pk}"] = [_("缺少必需材料：%(m)s") % {"m": m.name}]
    for mid, f in files.items():
        try:
            check_upload(f, f"material_{mid}")
        except ValidationFailed as exc:
            errors |= exc.errors
    if channel != Channel.ONLINE:
        if not applicant.get("name", "").strip():
            errors["applicant_name"] = [_("必填")]
        id_number = applicant.get("id_number", "").strip()
        if not id_number:
            errors["applicant_id_number"] = [_("必填")]
    id_number = applicant.get("id_number", "").strip()
    if id_number:
        try:
            validate_resident_id(id_number.upper())
        except DjangoValidationError as exc:
            errors["applicant_id_number"] = [str(m) for m in exc.messages]
    phone = applicant.get("phone", "").strip()
    if phone:
        try:
            validate_mobile(phone)
        except DjangoValidationError as exc:
            errors["applicant_phone"] = [str(m) for m in exc.messages]
    if not id_number and not phone:
        errors.setdefault("applicant_phone", [_("证件号码和联系电话至少填写一项（用于查询进度）")])
    if channel == Channel.STATION:
        if authorisation is None:
            errors["authorisation"] = [_("代办须上传申请人签字的授权委托书")]
        else:
            try:
                check_upload(authorisation, "authorisation")
            except ValidationFailed as exc:
                errors |= exc.errors
    if errors:
        raise ValidationFailed(errors)
    return clean, needed, place


@files_rolled_back
@service
def application_submit(*, acting_user: Any, item: ServiceItem, channel: str, answers: Mapping[str, Any],
                       files: Mapping[int, Any] | None = None, received: Iterable[int] = (),
                       applicant: Mapping[str, str] | None = None, authorisation: Any = None) -> Application:
    """申请/收件: online by a resident or an enterprise (with uploads), at the window by the front desk, or at a
    village service station on the resident's behalf (代办, with their written authorisation). The application
    is numbered and gets a follow link; it waits for the front desk's 受理 in the town's queue."""
    files = dict(files or {})
    applicant = dict(applicant or {})
    now = timezone.now()
    if channel == Channel.ONLINE:
        applicant["name"] = applicant.get("name") or str(acting_user)
        applicant["phone"] = applicant.get("phone") or getattr(acting_user, "phone", "") or ""
    clean, _needed, place = application_checks(
        user=acting_user, item=item, channel=channel, answers=answers, files=files, received=received,
        applicant=applicant, authorisation=authorisation, today=timezone.localdate(now))
    app = Application(
        item=item, title=item.name, town=item.town, division=place, division_path=place.path,
        department=item.department, channel=channel,
        applicant=acting_user if channel == Channel.ONLINE else None,
        applicant_name=applicant.get("name", "").strip()[:100],
        applicant_id_number=applicant.get("id_number", "").strip().upper(),
        applicant_phone=applicant.get("phone", "").strip(),
        entered_by=acting_user if channel != Channel.ONLINE else None,
        answers=clean, follow_token=secrets.token_urlsafe(18)[:24], received_at=now)
    if authorisation is not None:
        app.authorisation.save("authorisation", authorisation, save=False)
        remember_stored(app.authorisation.storage, app.authorisation.name)
    event = engine_start(subject=app, acting_user=acting_user, transition="submit",
                         label=_("收件（%(c)s）") % {"c": Channel(channel).label}, now=now,
                         data={"channel": channel, "received": sorted(set(received))})
    del event
    materials = {m.pk: m for m in item.materials.all()}
    for mid, f in files.items():
        _store(app, materials[mid], f, check_upload(f, f"material_{mid}"))
    return app


@files_rolled_back
@service
def application_act(*, acting_user: Any, application: Application, transition: str,
                    expected_version: int | None = None, note: str = "", data: Mapping[str, Any] | None = None,
                    files: Mapping[int, Any] | None = None, system: bool = False, actor_name: str = "") -> Application:
    """One transition of an application's flow (受理, 补正, 审查, 决定, 中止 …) through the engine; a 补正提交
    brings the missing materials' files."""
    files = dict(files or {})
    if files:
        if transition != "resubmit":
            raise ValidationFailed({"files": [_("只有补正提交可以上传材料")]})
        wanted = {m["id"] for m in application.missing}
        errors: dict[str, list[str]] = {}
        for mid, f in files.items():
            if mid not in wanted:
                errors[f"material_{mid}"] = [_("不是需要补正的材料")]
            else:
                try:
                    check_upload(f, f"material_{mid}")
                except ValidationFailed as exc:
                    errors |= exc.errors
        if errors:
            raise ValidationFailed(errors)
    if transition == "decide" and application.stage == "suspended":
        raise ValidationFailed({"transition": [_("办件已中止（不计时），恢复审查后才能作出决定")]})
    engine_fire(subject=application, transition=transition, acting_user=acting_user,
                expected_version=expected_version, note=note, data=dict(data or {}), system=system,
                actor_name=actor_name)
    if files:
        materials = {m.pk: m for m in application.item.materials.all()}
        for mid, f in files.items():
            _store(application, materials[mid], f, check_upload(f, f"material_{mid}"))
    return application


# -- 好差评 ------------------------------------------------------------------------------------------------


@service
def application_rate(*, acting_user: Any, application: Application, score: int, comment: str = "") -> Rating:
    """一事一评: the applicant rates a matter once, after its decision. A 差评 (1–2) opens a call-back and
    rectification task in the department's inbox with the province's limit (15 working days by default)."""
    if application.decided_at is None and application.stage != "refused":
        raise ValidationFailed({"score": [_("办件作出决定后才能评价")]})
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationFailed({"score": [_("评价只能是 1 到 5")]})
    if len(comment) > 1000:
        raise ValidationFailed({"comment": [_("过长（最多 1000 个字符）")]})
    if Rating.objects.filter(application=application).exists():
        raise Conflict(_("该办件已评价（一事一评）"))
    rater = acting_user if getattr(acting_user, "pk", None) else None
    r = Rating.objects.create(application=application, town=application.town, department=application.department,
                              rater=rater, score=score, comment=comment.strip())
    audit.record(r, "create")
    if r.negative:
        now = timezone.now()
        rect = Rectification(rating=r, town=application.town, department=application.department,
                             title=(_("差评整改：%(n)s %(t)s") % {"n": application.number, "t": application.title})[:160],
                             deadline=flows.after_working_days(now, flows.rectify_days(), application.town))
        engine_start(subject=rect, acting_user=acting_user, transition="open", label=_("差评转整改"), now=now,
                     note=comment[:500], data={"score": score})
    return r


@service
def rectification_act(*, acting_user: Any, rectification: Rectification, expected_version: int | None,
                      note: str) -> Rectification:
    engine_fire(subject=rectification, transition="rectify", acting_user=acting_user,
                expected_version=expected_version, note=note)
    return rectification

