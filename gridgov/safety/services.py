"""Every write of safety supervision: keyword-only, `acting_user`, one transaction, audited (`@service`).
Checks come before the write (every refused field named at once); a refusal leaves nothing saved."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.core import audit
from gridgov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from gridgov.core.files import files_rolled_back, remember_stored
from gridgov.core.flow import engine
from gridgov.core.scope import ensure_visible, get_scoped
from gridgov.core.services import service

from . import rating
from .models import (
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    Hazard,
    HazardLevel,
    Incident,
    Inspection,
    InspectionAnswer,
    InspectionPlan,
    MajorHazardRule,
    RiskMethod,
    SafetyProfile,
    SafetyRules,
)
from .rules import RULE_FIELDS, check_inherent, check_rules, inherent, interval_days, rules_for

PROFILE_FIELDS = ("industry", "employees", "hazardous_chemicals", "chemicals", "dust", "confined_space", "ammonia",
                  "special_operations", "risk_method", "likelihood", "severity", "exposure", "consequence",
                  "principal", "principal_phone", "safety_officer", "safety_officer_phone")


def _check_version(obj: Any, version: int | None) -> None:
    if version is not None and version != obj.version:
        raise Conflict(_("%(w)s已被他人修改，请刷新后重试") % {"w": type(obj)._meta.verbose_name},
                       current_version=obj.version)


def _save_versioned(obj: Any, fields: Sequence[str]) -> None:
    """An UPDATE of `fields` that only succeeds on the version read (one of two editors wins)."""
    now = timezone.now()
    rows = type(obj)._base_manager.filter(pk=obj.pk, version=obj.version).update(
        version=F("version") + 1, updated_at=now, **{f: getattr(obj, f) for f in fields})
    if rows == 0:
        raise Conflict(_("%(w)s已被他人修改，请刷新后重试") % {"w": type(obj)._meta.verbose_name})
    obj.version += 1
    obj.updated_at = now


# ---------------------------------------------------------------- profiles and rules


def _clean_profile(values: dict[str, Any], town_id: int) -> dict[str, Any]:
    from django.core.exceptions import ValidationError

    from gridgov.core.validators import validate_mobile

    unknown = set(values) - set(PROFILE_FIELDS) - {"staff", "pro_worker", "account"}
    if unknown:
        raise ValidationFailed({k: [_("未知字段")] for k in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    for name in ("principal_phone", "safety_officer_phone"):
        if values.get(name):
            try:
                validate_mobile(values[name])
            except ValidationError as exc:
                errors[name] = [str(m) for m in exc.messages]
    method = values.get("risk_method", RiskMethod.MATRIX)
    try:
        check_inherent(method, {k: values.get(k) for k in ("likelihood", "severity", "exposure", "consequence")})
    except ValidationFailed as exc:
        errors.update(exc.errors)
    for name in ("staff", "pro_worker"):
        uid = values.get(name)
        if uid and not User.objects.filter(pk=uid, kind=User.Kind.STAFF, town_id=town_id).exists():
            errors[name] = [_("请选择本镇街的工作人员")]
    uid = values.get("account")
    if uid and not User.objects.filter(pk=uid, kind=User.Kind.ENTERPRISE).exists():
        errors["account"] = [_("请选择企业账号")]
    if errors:
        raise ValidationFailed(errors)
    return values


def _apply_profile(p: SafetyProfile, values: dict[str, Any]) -> None:
    for name in PROFILE_FIELDS:
        if name in values:
            setattr(p, name, values[name])
    for name in ("staff", "pro_worker", "account"):
        if name in values:
            setattr(p, f"{name}_id", values[name] or None)
    rules = rules_for([p.town_id])[p.town_id]
    p.inherent_value, p.inherent_colour = inherent(p.risk_method, p.likelihood, p.severity, p.exposure,
                                                   p.consequence, rules)


@service
def profile_create(*, acting_user: User, enterprise: Any, values: dict[str, Any]) -> SafetyProfile:
    """Open the safety profile of a register enterprise the user may change."""
    if SafetyProfile._base_manager.filter(enterprise=enterprise).exists():
        raise ValidationFailed({"enterprise": [_("该企业已有安全档案")]})
    values = {"likelihood": 1, "severity": 1, "exposure": 1, "consequence": 1, **values}
    _clean_profile(values, enterprise.town_id)
    p = SafetyProfile(enterprise=enterprise, town_id=enterprise.town_id)
    _apply_profile(p, values)
    p.save()
    audit.record(p, "create")
    ensure_visible(p, acting_user, "change")
    rating.recompute(profile_ids=[p.pk], trigger=_("建档"))
    p.refresh_from_db()
    return p


@service
def profile_update(*, acting_user: User, profile: SafetyProfile, version: int | None,
                   values: dict[str, Any]) -> SafetyProfile:
    ensure_visible(profile, acting_user, "change")
    _check_version(profile, version)
    before = audit.snapshot(profile)
    merged = {k: getattr(profile, k) for k in PROFILE_FIELDS} | values
    _clean_profile(merged, profile.town_id)
    _apply_profile(profile, values | {k: merged[k] for k in ("risk_method", "likelihood", "severity",
                                                              "exposure", "consequence")})
    _save_versioned(profile, [*PROFILE_FIELDS, "staff_id", "pro_worker_id", "account_id", "inherent_value",
                              "inherent_colour"])
    audit.record(profile, "update", before)
    rating.recompute(profile_ids=[profile.pk], trigger=_("档案变更"))
    profile.refresh_from_db()
    return profile


@service
def rules_update(*, acting_user: User, town: Any, version: int | None, values: dict[str, Any]) -> SafetyRules:
    """Change a town's bands, intervals or rating weights; every enterprise of the town is re-rated (and its
    inherent risk re-banded) in the same transaction."""
    if not _may_town(acting_user, town, "change"):
        raise NotFound()
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise ValidationFailed({k: [_("未知字段")] for k in sorted(unknown)})
    row = SafetyRules._base_manager.filter(town=town).first()
    if row is None:
        row = SafetyRules(town=town)
        before = None
    else:
        _check_version(row, version)
        before = audit.snapshot(row)
    merged = {f: getattr(row, f) for f in RULE_FIELDS} | values
    check_rules(merged)
    for k, v in values.items():
        setattr(row, k, v)
    if before is None:
        row.save()
        audit.record(row, "create")
    else:
        _save_versioned(row, list(values))
        audit.record(row, "update", before)
    rebands(town_id=town.pk, rules=row)
    rating.recompute(town_ids=[town.pk], trigger=_("规则调整"))
    return row


def rebands(*, town_id: int, rules: SafetyRules) -> None:
    """The inherent colour of every profile of the town under new bands: four set-based UPDATEs."""
    from django.db.models import Case, Value, When
    from django.db.models import F as Col

    qs = SafetyProfile._base_manager.filter(town_id=town_id)
    qs.filter(risk_method=RiskMethod.MATRIX).update(inherent_value=Col("likelihood") * Col("severity"))
    qs.filter(risk_method=RiskMethod.LEC).update(
        inherent_value=Col("likelihood") * Col("exposure") * Col("consequence"))
    qs.filter(risk_method=RiskMethod.MATRIX).update(inherent_colour=Case(
        When(inherent_value__gte=rules.matrix_red, then=Value("red")),
        When(inherent_value__gte=rules.matrix_orange, then=Value("orange")),
        When(inherent_value__gte=rules.matrix_yellow, then=Value("yellow")), default=Value("blue")))
    qs.filter(risk_method=RiskMethod.LEC).update(inherent_colour=Case(
        When(inherent_value__gt=rules.lec_red, then=Value("red")),
        When(inherent_value__gte=rules.lec_orange, then=Value("orange")),
        When(inherent_value__gte=rules.lec_yellow, then=Value("yellow")), default=Value("blue")))


def _may_town(user: Any, town: Any, action: str) -> bool:
    """Whether `user` holds `action` over the whole town (its administrator, a town-wide 专业网格员, one of its
    departments' staff): town-wide acts (rules, templates, plans) need it."""
    from gridgov.network.models import Department

    for g in user.grants(action, "safety.safetyrules") if getattr(user, "is_authenticated", False) else []:
        if g.kind == "all" or (g.kind == "division" and town.path.startswith(g.value)):
            return True
        if g.kind == "department" and Department.objects.filter(pk=g.value, town_id=town.pk).exists():
            return True
    return False


@service
def incident_record(*, acting_user: User, profile: SafetyProfile, kind: str, occurred_on: dt.date,
                    description: str) -> Incident:
    ensure_visible(profile, acting_user, "change")
    errors: dict[str, list[str]] = {}
    if kind not in Incident.Kind.values:
        errors["kind"] = [_("请选择有效的选项")]
    if occurred_on > timezone.localdate():
        errors["occurred_on"] = [_("日期不能晚于今天")]
    if not description.strip():
        errors["description"] = [_("必填")]
    if errors:
        raise ValidationFailed(errors)
    i = Incident.objects.create(profile=profile, kind=kind, occurred_on=occurred_on, description=description.strip())
    audit.record(i, "create")
    rating.recompute(profile_ids=[profile.pk], trigger=str(i.get_kind_display()))
    return i


# ---------------------------------------------------------------- the 重大隐患 table and templates


@service
def major_rule_save(*, acting_user: User, town: Any, rule: MajorHazardRule | None, version: int | None,
                    code: str, article: str, category: str, text: str, active: bool = True) -> MajorHazardRule:
    if not _may_town(acting_user, town, "change"):
        raise NotFound()
    errors = {n: [_("必填")] for n, v in (("code", code), ("article", article), ("text", text)) if not v.strip()}
    if len(code) > 20:
        errors["code"] = [_("不能超过 %(n)d 个字") % {"n": 20}]
    if len(article) > 40:
        errors["article"] = [_("不能超过 %(n)d 个字") % {"n": 40}]
    clash = MajorHazardRule._base_manager.filter(town=town, code=code.strip())
    if clash.exclude(pk=getattr(rule, "pk", None)).exists():
        errors["code"] = [_("编号已存在")]
    if errors:
        raise ValidationFailed(errors)
    values = {"code": code.strip(), "article": article.strip(), "category": category.strip()[:20],
              "text": text.strip(), "active": active}
    if rule is None:
        rule = MajorHazardRule.objects.create(town=town, **values)
        audit.record(rule, "create")
        return rule
    _check_version(rule, version)
    before = audit.snapshot(rule)
    for k, v in values.items():
        setattr(rule, k, v)
    _save_versioned(rule, list(values))
    audit.record(rule, "update", before)
    return rule


def _clean_sections(sections: list[dict[str, Any]], town: Any) -> list[dict[str, Any]]:
    """Sections and items of a template, every refused value named by its place (`sections.0.items.2.points`)."""
    errors: dict[str, list[str]] = {}
    if not sections:
        errors["sections"] = [_("至少需要一个部分")]
    rules = {r.pk: r for r in MajorHazardRule._base_manager.filter(town=town, active=True)}
    codes: set[str] = set()
    for si, s in enumerate(sections):
        if not str(s.get("title") or "").strip():
            errors[f"sections.{si}.title"] = [_("必填")]
        items = s.get("items") or []
        if not items:
            errors[f"sections.{si}.items"] = [_("至少需要一个检查项")]
        for ii, it in enumerate(items):
            at = f"sections.{si}.items.{ii}"
            if not str(it.get("content") or "").strip():
                errors[f"{at}.content"] = [_("必填")]
            code = str(it.get("code") or f"{si + 1}.{ii + 1}")
            if code in codes:
                errors[f"{at}.code"] = [_("编号重复")]
            codes.add(code)
            points = it.get("points", 2)
            if isinstance(points, bool) or not isinstance(points, int) or not 0 <= points <= 100:
                errors[f"{at}.points"] = [_("分值应为 0 到 100 的整数")]
            if it.get("suggested_level", HazardLevel.GENERAL) not in HazardLevel.values:
                errors[f"{at}.suggested_level"] = [_("请选择有效的选项")]
            if it.get("evidence", "photo") not in ChecklistItem.Evidence.values:
                errors[f"{at}.evidence"] = [_("请选择有效的选项")]
            if it.get("major_rule") and it["major_rule"] not in rules:
                errors[f"{at}.major_rule"] = [_("没有这个有效的重大隐患判定条目")]
    if errors:
        raise ValidationFailed(errors)
    return sections


def _write_sections(t: ChecklistTemplate, sections: list[dict[str, Any]]) -> None:
    made = ChecklistSection.objects.bulk_create([ChecklistSection(template=t, order=i, title=s["title"].strip()[:100])
                                                 for i, s in enumerate(sections)])
    items = []
    n = 0
    for si, (s, sec) in enumerate(zip(sections, made, strict=True)):
        for ii, it in enumerate(s["items"]):
            n += 1
            items.append(ChecklistItem(
                template=t, section=sec, order=n, code=str(it.get("code") or f"{si + 1}.{ii + 1}")[:20],
                content=it["content"].strip(), legal_basis=str(it.get("legal_basis", ""))[:300],
                method=str(it.get("method", ""))[:200], points=it.get("points", 2),
                deduction=str(it.get("deduction", ""))[:200],
                suggested_level=it.get("suggested_level", HazardLevel.GENERAL),
                evidence=it.get("evidence", ChecklistItem.Evidence.PHOTO), follow_up=str(it.get("follow_up", ""))[:200],
                notify=bool(it.get("notify", False)), major_rule_id=it.get("major_rule") or None))
    ChecklistItem.objects.bulk_create(items)


@service
def template_create(*, acting_user: User, town: Any, code: str, name: str, applies_to: str = "",
                    sections: list[dict[str, Any]]) -> ChecklistTemplate:
    """A new checklist, as a draft of version 1 (or of the next version when the code exists)."""
    if not _may_town(acting_user, town, "change"):
        raise NotFound()
    errors = {n: [_("必填")] for n, v in (("code", code), ("name", name)) if not v.strip()}
    if applies_to not in ("", "dust", "confined_space", "ammonia", "chemicals"):
        errors["applies_to"] = [_("请选择有效的选项")]
    try:
        _clean_sections(sections, town)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    last = ChecklistTemplate._base_manager.filter(town=town, code=code.strip()).order_by("-number").first()
    t = ChecklistTemplate.objects.create(town=town, code=code.strip()[:30], name=name.strip()[:100],
                                         number=(last.number + 1) if last else 1, applies_to=applies_to)
    _write_sections(t, sections)
    audit.record(t, "create")
    return t


@service
def template_revise(*, acting_user: User, template: ChecklistTemplate) -> ChecklistTemplate:
    """The next version as a draft, a copy of this one (published versions are never edited)."""
    ensure_visible(template, acting_user, "change")
    if ChecklistTemplate._base_manager.filter(town=template.town, code=template.code,
                                              state=ChecklistTemplate.State.DRAFT).exists():
        raise ValidationFailed({"template": [_("已有未发布的新版本草稿")]})
    last = ChecklistTemplate._base_manager.filter(town=template.town, code=template.code).order_by("-number").first()
    assert last is not None
    t = ChecklistTemplate.objects.create(town=template.town, code=template.code, name=template.name,
                                         number=last.number + 1, applies_to=template.applies_to)
    sections = []
    for sec in template.sections.prefetch_related("items"):
        sections.append({"title": sec.title, "items": [
            {"code": i.code, "content": i.content, "legal_basis": i.legal_basis, "method": i.method,
             "points": i.points, "deduction": i.deduction, "suggested_level": i.suggested_level,
             "evidence": i.evidence, "follow_up": i.follow_up, "notify": i.notify, "major_rule": i.major_rule_id}
            for i in sec.items.all()]})
    _write_sections(t, sections)
    audit.record(t, "create")
    return t


@service
def template_publish(*, acting_user: User, template: ChecklistTemplate, version: int | None = None
                     ) -> ChecklistTemplate:
    """The draft becomes the current version; the one before it is superseded."""
    ensure_visible(template, acting_user, "change")
    _check_version(template, version)
    if template.state != ChecklistTemplate.State.DRAFT:
        raise ValidationFailed({"template": [_("只有草稿可以发布")]})
    for old in ChecklistTemplate._base_manager.filter(town=template.town, code=template.code,
                                                      state=ChecklistTemplate.State.ACTIVE):
        before = audit.snapshot(old)
        old.state = ChecklistTemplate.State.SUPERSEDED
        _save_versioned(old, ["state"])
        audit.record(old, "update", before)
    before = audit.snapshot(template)
    template.state, template.published_at = ChecklistTemplate.State.ACTIVE, timezone.now()
    _save_versioned(template, ["state", "published_at"])
    audit.record(template, "update", before)
    return template


# ---------------------------------------------------------------- plans


def _inspectors(town: Any) -> list[int]:
    """Staff of the town who may inspect (专业网格员 of 安全生产, the departments' staff), in id order."""
    from gridgov.accounts.models import RoleAssignment
    from gridgov.accounts.roles import ProCategory, Role

    q = RoleAssignment.objects.filter(user__town=town, user__is_active=True)
    ids = set(q.filter(role=Role.PRO_WORKER, category=ProCategory.SAFETY).values_list("user_id", flat=True))
    if not ids:
        ids = set(q.filter(role__in=[Role.PRO_WORKER, Role.DEPT_STAFF]).values_list("user_id", flat=True))
    return sorted(ids)


def _active_template(template: ChecklistTemplate) -> None:
    if template.state != ChecklistTemplate.State.ACTIVE:
        current = ChecklistTemplate._base_manager.filter(town=template.town, code=template.code,
                                                         state=ChecklistTemplate.State.ACTIVE).first()
        hint = (_("该检查表版本已被替换，请使用第 %(n)d 版") % {"n": current.number} if current
                else _("该检查表版本未发布或已被替换"))
        raise ValidationFailed({"template": [hint]})


def _check_period(starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on < starts_on:
        raise ValidationFailed({"ends_on": [_("截止日期不能早于开始日期")]})
    if (ends_on - starts_on).days > 366:
        raise ValidationFailed({"ends_on": [_("计划期不能超过一年")]})


@service
def plan_by_class(*, acting_user: User, town: Any, template: ChecklistTemplate, starts_on: dt.date,
                  ends_on: dt.date, name: str = "") -> InspectionPlan:
    """Every enterprise of the town due for inspection in the period by its class's interval (or never
    inspected) gets one task, for its 包保 professional grid worker (else one of the town's inspectors)."""
    if not _may_town(acting_user, town, "add"):
        raise NotFound()
    ensure_visible(template, acting_user, "view")
    _active_template(template)
    _check_period(starts_on, ends_on)
    rules = rules_for([town.pk])[town.pk]
    plan = InspectionPlan.objects.create(town=town, kind=InspectionPlan.Kind.CLASS, template=template,
                                         starts_on=starts_on, ends_on=ends_on, created_by=acting_user,
                                         name=(name or _("%(s)s 起分级检查计划") % {"s": starts_on.isoformat()})[:100])
    pool = _inspectors(town)
    busy = set(Inspection._base_manager.filter(profile__town=town, state__in=[Inspection.State.ASSIGNED,
                                                                            Inspection.State.ONGOING])
               .values_list("profile_id", flat=True))
    tasks = []
    for pid, klass, last, pro in SafetyProfile._base_manager.filter(town=town).order_by("id").values_list(
            "id", "supervision_class", "last_inspected_at", "pro_worker_id"):
        if pid in busy:
            continue
        due = (timezone.localtime(last).date() + dt.timedelta(days=interval_days(rules, klass))) if last else starts_on
        if due > ends_on:
            continue
        inspector = pro or (pool[pid % len(pool)] if pool else None)
        if inspector is None:
            continue
        tasks.append(Inspection(town=town, profile_id=pid, template=template, plan=plan, inspector_id=inspector,
                                due_on=max(due, starts_on)))
    Inspection.objects.bulk_create(tasks, batch_size=1000)
    audit.record(plan, "create")
    audit.record_many(tasks, "create")
    return plan


@service
def plan_draw(*, acting_user: User, town: Any, template: ChecklistTemplate, starts_on: dt.date, ends_on: dt.date,
              n_enterprises: int, seed: str = "", name: str = "") -> InspectionPlan:
    """双随机: `n_enterprises` drawn at random from the town's profiles, each given an inspector drawn at
    random; the seed is kept so that anyone can draw again and get the same list."""
    if not _may_town(acting_user, town, "add"):
        raise NotFound()
    ensure_visible(template, acting_user, "view")
    _active_template(template)
    _check_period(starts_on, ends_on)
    ids = list(SafetyProfile._base_manager.filter(town=town).order_by("id").values_list("id", flat=True))
    if not 1 <= n_enterprises <= max(len(ids), 1):
        raise ValidationFailed({"n_enterprises": [_("抽取企业数应在 1 到 %(n)d 之间") % {"n": len(ids)}]})
    pool = _inspectors(town)
    if not pool:
        raise ValidationFailed({"__all__": [_("本镇街没有可抽取的检查人员")]})
    seed = (seed or timezone.now().strftime("%Y%m%d%H%M%S%f"))[:40]
    rng = random.Random(f"{town.pk}:{seed}")
    drawn = sorted(rng.sample(ids, n_enterprises))
    plan = InspectionPlan.objects.create(town=town, kind=InspectionPlan.Kind.RANDOM, template=template,
                                         starts_on=starts_on, ends_on=ends_on, created_by=acting_user, seed=seed,
                                         name=(name or _("%(s)s 双随机抽查") % {"s": starts_on.isoformat()})[:100])
    tasks = [Inspection(town=town, profile_id=pid, template=template, plan=plan, inspector_id=rng.choice(pool),
                        due_on=ends_on) for pid in drawn]
    Inspection.objects.bulk_create(tasks)
    audit.record(plan, "create")
    audit.record_many(tasks, "create")
    return plan


@service
def plan_publish(*, acting_user: User, plan: InspectionPlan) -> InspectionPlan:
    """Publish the results of a draw (双随机、一公开)."""
    ensure_visible(plan, acting_user, "change")
    if plan.published_at:
        return plan
    before = audit.snapshot(plan)
    plan.published_at = timezone.now()
    _save_versioned(plan, ["published_at"])
    audit.record(plan, "update", before)
    return plan


# ---------------------------------------------------------------- inspections


@service
def inspection_start(*, acting_user: User, profile_id: int, template: ChecklistTemplate,
                     kind: str = Inspection.Kind.STAFF, department_ids: Sequence[int] = ()) -> Inspection:
    """An inspection of an enterprise in the inspector's scope (else 404), with the current version of a
    template. The enterprise account starts its own self-inspection."""
    own = getattr(acting_user, "kind", "") == User.Kind.ENTERPRISE
    profile = get_scoped(SafetyProfile.objects.all(), acting_user, "view" if own else "inspect", pk=profile_id)
    if own and profile.account_id != acting_user.pk:
        raise NotFound()
    if kind not in Inspection.Kind.values:
        raise ValidationFailed({"kind": [_("请选择有效的选项")]})
    if own:
        kind = Inspection.Kind.SELF
    elif kind == Inspection.Kind.SELF:
        raise ValidationFailed({"kind": [_("企业自查由企业账号发起")]})
    if template.town_id != profile.town_id:
        raise ValidationFailed({"template": [_("请选择本镇街的检查表")]})
    _active_template(template)
    from gridgov.network.models import Department

    depts = list(Department.objects.filter(pk__in=list(department_ids), town_id=profile.town_id))
    if len(depts) != len(set(department_ids)):
        raise ValidationFailed({"departments": [_("请选择本镇街的部门")]})
    if kind == Inspection.Kind.JOINT and len(depts) < 2:
        raise ValidationFailed({"departments": [_("联合检查至少需要两个部门")]})
    i = Inspection.objects.create(town_id=profile.town_id, profile=profile, template=template, kind=kind,
                                  inspector=acting_user, state=Inspection.State.ONGOING, started_at=timezone.now(),
                                  due_on=timezone.localdate())
    if depts:
        i.departments.set(depts)
    audit.record(i, "create")
    return i


def _item_of(inspection: Inspection, item_id: int) -> ChecklistItem:
    item = ChecklistItem.objects.filter(pk=item_id).select_related("template").first()
    if item is None:
        raise ValidationFailed({"item": [_("没有这个检查项")]})
    if item.template_id != inspection.template_id:
        if item.template.code == inspection.template.code:
            raise ValidationFailed({"item": [_("该检查项属于第 %(n)d 版检查表，本次检查使用第 %(m)d 版") % {
                "n": item.template.number, "m": inspection.template.number}]})
        raise ValidationFailed({"item": [_("不是本检查表的检查项")]})
    return item


def _editable(inspection: Inspection, user: User) -> None:
    if inspection.inspector_id != user.pk:
        get_scoped(Inspection.objects.all(), user, "inspect", pk=inspection.pk)  # 404 when not theirs at all
        raise PermissionDenied(_("只有检查人可以作答"))
    if inspection.state == Inspection.State.SUBMITTED:
        raise Conflict(_("检查已提交，不能再修改"), current_state=inspection.state)


@files_rolled_back
@service
def answer_save(*, acting_user: User, inspection: Inspection, item_id: int, result: str, level: str = "",
                note: str = "", follow_up: str = "", place: str = "", photo: Any = None) -> InspectionAnswer:
    """One item's answer, saved at once (idempotent: the same answer again changes nothing)."""
    _editable(inspection, acting_user)
    item = _item_of(inspection, item_id)
    errors: dict[str, list[str]] = {}
    if result not in InspectionAnswer.Result.values:
        errors["result"] = [_("请选择 符合、不符合 或 不适用")]
    if level and level not in HazardLevel.values:
        errors["level"] = [_("请选择有效的选项")]
    for name, value, most in (("note", note, 500), ("follow_up", follow_up, 500), ("place", place, 100)):
        if len(value) > most:
            errors[name] = [_("不能超过 %(n)d 个字") % {"n": most}]
    if photo is not None:
        from gridgov.cases.photos import validate

        try:
            validate(photo)
        except ValidationFailed as exc:
            errors["photo"] = exc.errors.get("photos", [])
    if errors:
        raise ValidationFailed(errors)
    answer = InspectionAnswer.objects.filter(inspection=inspection, item=item).first()
    before = audit.snapshot(answer) if answer else None
    answer = answer or InspectionAnswer(inspection=inspection, item=item)
    answer.result, answer.level, answer.note = result, level, note.strip()
    answer.follow_up, answer.place = follow_up.strip(), place.strip()
    if photo is not None:
        answer.photo.save(getattr(photo, "name", "photo.jpg") or "photo.jpg", photo, save=False)
        remember_stored(answer.photo.storage, answer.photo.name)
    answer.save()
    audit.record(answer, "update" if before else "create", before)
    if inspection.state == Inspection.State.ASSIGNED:
        Inspection._base_manager.filter(pk=inspection.pk).update(state=Inspection.State.ONGOING,
                                                                 started_at=timezone.now())
        inspection.state = Inspection.State.ONGOING
    return answer


def missing_evidence(answer: InspectionAnswer, item: ChecklistItem) -> str:
    """Why a 不符合 lacks the evidence its item requires ("" when it has it)."""
    need = item.evidence
    if answer.result != InspectionAnswer.Result.FAIL or need == ChecklistItem.Evidence.NONE:
        return ""
    no_photo = need in (ChecklistItem.Evidence.PHOTO, ChecklistItem.Evidence.BOTH) and not answer.photo
    no_note = need in (ChecklistItem.Evidence.NOTE, ChecklistItem.Evidence.BOTH) and not answer.note
    if no_photo and no_note:
        return _("不符合须拍照并填写说明")
    if no_photo:
        return _("不符合须拍照取证")
    if no_note:
        return _("不符合须填写说明")
    return ""


def level_of(answer: InspectionAnswer, item: ChecklistItem) -> tuple[str, str]:
    """(level, why major): a linked 判定标准 item makes a 不符合 重大 whatever was ticked."""
    rule = item.major_rule
    if rule is not None and rule.active:
        return HazardLevel.MAJOR, _("依据%(c)s：%(t)s") % {"c": rule.citation(), "t": rule.text[:200]}
    level = answer.level or item.suggested_level
    return level, ""


@service
def inspection_submit(*, acting_user: User, inspection: Inspection, lat: float | None = None,
                      lon: float | None = None) -> tuple[Inspection, bool]:
    """Score the inspection, register a hazard for every 不符合, re-rate the enterprise. Idempotent: a second
    submit returns the first result (and `False`: nothing new). Every item without an answer or without its
    required evidence is named; nothing is saved then."""
    locked = Inspection._base_manager.select_for_update().get(pk=inspection.pk)
    if locked.state == Inspection.State.SUBMITTED:
        return locked, False
    _editable(locked, acting_user)
    errors: dict[str, list[str]] = {}
    if (lat is None) != (lon is None):
        errors["lat" if lat is None else "lon"] = [_("经纬度须同时提供")]
    if lat is not None and not (-90 <= lat <= 90):
        errors["lat"] = [_("纬度应在 -90 到 90 之间")]
    if lon is not None and not (-180 <= lon <= 180):
        errors["lon"] = [_("经度应在 -180 到 180 之间")]
    items = list(ChecklistItem.objects.filter(template_id=locked.template_id).select_related("major_rule")
                 .order_by("order"))
    answers = {a.item_id: a for a in InspectionAnswer.objects.filter(inspection=locked)}
    for item in items:
        a = answers.get(item.pk)
        key = f"item-{item.pk}"
        if a is None:
            errors[key] = [_("第 %(c)s 项未作答") % {"c": item.code}]
        elif why := missing_evidence(a, item):
            errors[key] = [_("第 %(c)s 项%(w)s") % {"c": item.code, "w": why}]
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    before = audit.snapshot(locked)
    applicable = [i for i in items if answers[i.pk].result != InspectionAnswer.Result.NA]
    failed = [i for i in applicable if answers[i.pk].result == InspectionAnswer.Result.FAIL]
    locked.max_score = sum(i.points for i in applicable)
    lost = sum(i.points for i in failed)
    locked.score = round(100.0 * (locked.max_score - lost) / locked.max_score, 1) if locked.max_score else 100.0
    locked.n_fail = len(failed)
    locked.state, locked.submitted_at = Inspection.State.SUBMITTED, now
    locked.lat, locked.lon = lat, lon
    hazards = _register_findings(locked, failed, answers, acting_user, now)
    locked.n_major = sum(1 for h in hazards if h.level == HazardLevel.MAJOR)
    _save_versioned(locked, ["max_score", "score", "n_fail", "state", "submitted_at", "lat", "lon", "n_major"])
    audit.record(locked, "update", before)
    SafetyProfile._base_manager.filter(pk=locked.profile_id).update(last_inspected_at=now)
    rating.recompute(profile_ids=[locked.profile_id], trigger=str(locked.get_kind_display()))
    return locked, True


def _register_findings(inspection: Inspection, failed: list[ChecklistItem], answers: dict[int, InspectionAnswer],
                       user: User, now: dt.datetime) -> list[Hazard]:
    """A hazard per 不符合, in the hazard flow's first stage; a repeat when the same item (by template code and
    item code) failed at the same enterprise in the last 12 months."""
    if not failed:
        return []
    codes = [i.code for i in failed]
    repeats = set(Hazard._base_manager.filter(
        profile_id=inspection.profile_id, item__template__code=inspection.template.code, item__code__in=codes,
        found_at__gte=now - rating.WINDOW).values_list("item__code", flat=True))
    made = []
    for item in failed:
        a = answers[item.pk]
        level, why = level_of(a, item)
        h = Hazard(title=(a.note or item.content)[:200], town_id=inspection.town_id, profile_id=inspection.profile_id,
                   inspection=inspection, item=item, level=level, major_rule=item.major_rule if why else None,
                   major_reason=why[:300], place=a.place, legal_basis=item.legal_basis, photo=a.photo.name or "",
                   found_at=now, found_by=user, is_repeat=item.code in repeats)
        engine.start(subject=h, acting_user=user, label=_("登记"), now=now,
                     note=_("检查发现：%(c)s %(t)s") % {"c": item.code, "t": item.content[:100]})
        made.append(h)
        if item.notify:
            h.flow_notify_start(None, user, ("keepers",))
    return made


@service
def hazard_register(*, acting_user: User, profile_id: int, title: str, level: str, place: str = "",
                    legal_basis: str = "", found_on: dt.date | None = None) -> Hazard:
    """A hazard found outside a checklist (随手拍、举报核实)."""
    profile = get_scoped(SafetyProfile.objects.all(), acting_user, "inspect", pk=profile_id)
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("必填")]
    elif len(title) > 200:
        errors["title"] = [_("不能超过 %(n)d 个字") % {"n": 200}]
    if level not in HazardLevel.values:
        errors["level"] = [_("请选择有效的选项")]
    if found_on is not None and found_on > timezone.localdate():
        errors["found_on"] = [_("发现日期不能晚于今天")]
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    found_at = now if found_on is None or found_on == timezone.localdate() else timezone.make_aware(
        dt.datetime.combine(found_on, dt.time(9)))
    h = Hazard(title=title.strip(), town_id=profile.town_id, profile=profile, level=level, place=place.strip()[:100],
               legal_basis=legal_basis.strip()[:300], found_at=found_at, found_by=acting_user)
    engine.start(subject=h, acting_user=acting_user, label=_("登记"), now=now)
    rating.recompute(profile_ids=[profile.pk], trigger=_("登记隐患"))
    return h


def hazard_fire(*, acting_user: User, hazard: Hazard, transition: str, expected_version: int | None = None,
                data: dict[str, Any] | None = None, note: str = "", photos: Sequence[Any] = ()) -> Hazard:
    """A step of the hazard flow. 销号 before 验收 is refused in words (the flow has no such edge)."""
    if transition == "close" and hazard.stage != "accepted" and hazard.status == "open":
        raise ValidationFailed({"transition": [_("隐患未经验收，不能销号（当前环节：%(s)s）") % {
            "s": engine.flow_of(hazard).stage(hazard.stage).label}]})
    return engine.fire(subject=hazard, transition=transition, acting_user=acting_user,
                       expected_version=expected_version, data=data or {}, note=note, photos=photos)


def store_evidence(hazard: Hazard, photos: Sequence[Any]) -> None:
    """The first photo of 提交整改 as the hazard's evidence (inside the flow's transaction)."""
    from gridgov.cases.photos import validate

    photo = photos[0]
    try:
        validate(photo)
    except ValidationFailed as exc:
        raise ValidationFailed({"evidence_photo": exc.errors.get("photos", [])}) from None
    hazard.evidence_photo.save(getattr(photo, "name", "evidence.jpg") or "evidence.jpg", photo, save=False)
    remember_stored(hazard.evidence_photo.storage, hazard.evidence_photo.name)
    Hazard._base_manager.filter(pk=hazard.pk).update(evidence_photo=hazard.evidence_photo.name)


def install_catalogue(*, town: Any) -> list[ChecklistTemplate]:
    """The 判定标准 table and the six published templates for a town that has none (demo, a new town's set-up);
    inside the caller's transaction. Returns the templates made (none when the town has them)."""
    from . import catalogue

    if ChecklistTemplate._base_manager.filter(town=town).exists():
        return []
    rules = MajorHazardRule.objects.bulk_create([
        MajorHazardRule(town=town, code=code, article=article, category=category, text=text)
        for code, article, category, text in catalogue.MAJOR_RULES])
    audit.record_many(rules, "create")
    rule_ids = {r.code: r.pk for r in rules}
    made = []
    now = timezone.now()
    for code, (name, applies, _sections) in catalogue.TEMPLATES.items():
        t = ChecklistTemplate.objects.create(town=town, code=code, name=name, applies_to=applies,
                                             state=ChecklistTemplate.State.ACTIVE, published_at=now)
        _write_sections(t, catalogue.template_sections(code, rule_ids))
        made.append(t)
    audit.record_many(made, "create")
    return made


@service
def catalogue_install(*, acting_user: User, town: Any) -> list[ChecklistTemplate]:
    if not _may_town(acting_user, town, "change"):
        raise NotFound()
    return install_catalogue(town=town)
