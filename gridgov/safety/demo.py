"""Demo seed of safety supervision (called by `gridgov demo`): a safety profile for every key enterprise of
both towns (辛安街道's 400+ among them) with its 包保 staff, the 判定标准 table and the six templates per town,
a year of submitted inspections with their answers and the hazards they found (most 销号, some in 整改, some
overdue), then every enterprise rated. Bulk inserts audited by `ctx.bulk_create`; idempotent (a town with
templates is left alone). All data is synthetic."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gridgov.accounts.roles import ProCategory, Role
from gridgov.register.models import Enterprise

from . import rating
from .models import (
    ChecklistItem,
    ChecklistTemplate,
    Hazard,
    HazardEvent,
    HazardLevel,
    Industry,
    Inspection,
    InspectionAnswer,
    RiskMethod,
    SafetyProfile,
)
from .services import install_catalogue

AFTER = ("register",)
# The register's industry words → the 工贸 class and the risk factors enterprises of it tend to have.
INDUSTRY = {"机械制造": (Industry.MACHINERY, "dust"), "汽车零部件": (Industry.MACHINERY, "dust"),
            "金属制品": (Industry.MACHINERY, "dust"), "家用电器": (Industry.MACHINERY, ""),
            "化工": (Industry.CHEMICAL, "chemicals"), "橡胶轮胎": (Industry.LIGHT, "chemicals"),
            "食品加工": (Industry.LIGHT, "ammonia"), "纺织服装": (Industry.TEXTILE, "dust"),
            "建材": (Industry.BUILDING, "dust"), "新材料": (Industry.LIGHT, "chemicals"),
            "医药": (Industry.LIGHT, "chemicals"), "物流仓储": (Industry.TRADE, "confined_space"),
            "电子信息": (Industry.OTHER, ""), "港口服务": (Industry.TRADE, "confined_space")}


def seed(ctx: Any) -> None:
    for town in (ctx.xinan, ctx.boli):
        if ChecklistTemplate._base_manager.filter(town=town.division).exists():
            continue
        _seed_town(ctx, town)


def _seed_town(ctx: Any, town: Any) -> None:
    rng = ctx.rng_for(f"safety:{town.key}")
    templates = {t.code: t for t in install_catalogue(town=town.division)}
    items = {code: list(ChecklistItem.objects.filter(template=t).select_related("major_rule").order_by("order"))
             for code, t in templates.items()}
    pros = town.pro_workers.get(ProCategory.SAFETY) or town.role(Role.PRO_WORKER) or town.role(Role.ADMIN)
    staff = town.role(Role.DEPT_STAFF) or pros
    accounts = {e.pk: u.pk for u, e in town.enterprise_accounts}
    enterprises = list(Enterprise.objects.filter(town=town.division, is_key=True).order_by("id"))
    profiles = []
    for n, e in enumerate(enterprises):
        industry, factor = INDUSTRY.get(e.industry, (Industry.OTHER, ""))
        lec = rng.random() < 0.2
        p = SafetyProfile(
            enterprise=e, town=town.division, industry=industry, employees=rng.randint(12, 800),
            hazardous_chemicals=factor == "chemicals", chemicals="甲醇、液化石油气" if factor == "chemicals" else "",
            dust=factor == "dust" and rng.random() < 0.6, ammonia=factor == "ammonia" and rng.random() < 0.5,
            confined_space=rng.random() < (0.6 if factor == "confined_space" else 0.25),
            special_operations=rng.choice(["电工作业", "焊接与热切割作业", "电工作业、高处作业", ""]),
            risk_method=RiskMethod.LEC if lec else RiskMethod.MATRIX,
            likelihood=rng.choice([3.0, 1.0, 1.0, 6.0]) if lec else float(rng.choices([1, 2, 3, 4, 5],
                                                                                      [3, 4, 3, 2, 1])[0]),
            severity=float(rng.choices([1, 2, 3, 4, 5], [2, 3, 4, 2, 1])[0]),
            exposure=rng.choice([6.0, 3.0, 2.0]) if lec else 1.0, consequence=rng.choice([15.0, 7.0, 40.0, 3.0])
            if lec else 1.0, principal=e.legal_representative, principal_phone=e.legal_rep_phone,
            safety_officer=ctx.faker_for(f"safety:{e.pk}").name(),
            staff_id=staff[n % len(staff)].pk if staff else None, pro_worker_id=pros[n % len(pros)].pk if pros else None,
            account_id=accounts.get(e.pk))
        from .rules import defaults, inherent

        p.inherent_value, p.inherent_colour = inherent(p.risk_method, p.likelihood, p.severity, p.exposure,
                                                       p.consequence, defaults())
        profiles.append(p)
    ctx.bulk_create(profiles)
    _history(ctx, town, rng, profiles, templates, items)
    rating.recompute(town_ids=[town.division.pk], trigger="示例数据")
    ctx.out(f"safety: {town.name} {len(profiles)} 家企业安全档案")


def _history(ctx: Any, town: Any, rng: Any, profiles: list[SafetyProfile], templates: dict[str, Any],
             items: dict[str, list[ChecklistItem]]) -> None:
    """A year of inspections (one to three per enterprise) with their answers and hazards."""
    inspections, plan_answers = [], []
    for p in profiles:
        codes = ["general", "fire"] + [c for c, flag in (("dust", p.dust), ("ammonia", p.ammonia),
                                                          ("confined", p.confined_space),
                                                          ("chemicals", p.hazardous_chemicals)) if flag]
        for _k in range(rng.randint(1, 3)):
            code = rng.choice(codes)
            when = ctx.past(rng, days=360)
            inspector = p.pro_worker_id or p.staff_id
            if inspector is None:
                continue
            inspections.append(Inspection(town=town.division, profile=p, template=templates[code],
                                          inspector_id=inspector, state=Inspection.State.SUBMITTED, started_at=when,
                                          submitted_at=when, due_on=when.date(), lat=p.enterprise.lat,
                                          lon=p.enterprise.lon))
            plan_answers.append((code, when))
    answers, findings = [], []
    for insp, (code, when) in zip(inspections, plan_answers, strict=True):
        failed = [i for i in items[code] if rng.random() < 0.08]
        lost = sum(i.points for i in failed)
        total = sum(i.points for i in items[code])
        insp.max_score, insp.n_fail = total, len(failed)
        insp.score = round(100.0 * (total - lost) / total, 1)
        insp.n_major = sum(1 for i in failed if i.major_rule_id)
        findings.append((insp, when, failed))
    ctx.bulk_create(inspections, keep_times=True)
    hazards = []
    seq = 0
    tag = town.key[0].upper()  # 泊里 B, 辛安 X: numbers unique across the two towns
    now = ctx.now
    for insp, when, failed in findings:
        ids = {i.pk for i in failed}
        for item in items[insp.template.code]:
            answers.append(InspectionAnswer(inspection=insp, item=item, result="fail" if item.pk in ids else "pass",
                                            note="现场发现问题" if item.pk in ids else ""))
        for item in failed:
            seq += 1
            age = (now - when).days
            deadline = when + dt.timedelta(days=rng.choice([7, 15, 30]))
            closed = age > 45 or rng.random() < 0.55
            stage = "closed" if closed else ("rectifying" if rng.random() < 0.8 else "checking")
            hazards.append(Hazard(
                number=f"YH{when:%Y}D{tag}{seq:05d}", title=item.content[:200], town=town.division, profile_id=insp.profile_id,
                inspection=insp, item=item, level=HazardLevel.MAJOR if item.major_rule_id else item.suggested_level,
                major_reason=f"依据《工贸企业重大事故隐患判定标准》{item.major_rule.article}" if item.major_rule_id else "",
                legal_basis=item.legal_basis, found_at=when, found_by_id=insp.inspector_id,
                stage=stage, status="closed" if closed else "open",
                step_deadline=None if closed else deadline, deadline=deadline, overdue=not closed and deadline < now,
                rect_person=insp.profile.principal, rect_measure="按检查要求落实整改", rect_contingency="落实临时管控措施",
                evidence_note="已整改" if closed else "", accepted_at=deadline if closed else None,
                accepted_by_id=insp.inspector_id if closed else None, closed_at=deadline if closed else None))
    ctx.bulk_create(answers)
    ctx.bulk_create(hazards)
    ctx.bulk_create([HazardEvent(hazard=h, time=h.found_at, actor_id=h.found_by_id, actor_name="示例数据",
                                 transition="start", label="登记", to_stage=h.stage) for h in hazards])
    last: dict[int, Any] = {}
    for insp in inspections:
        last[insp.profile_id] = max(last.get(insp.profile_id, insp.submitted_at), insp.submitted_at)
    SafetyProfile._base_manager.bulk_update([SafetyProfile(pk=k, last_inspected_at=v) for k, v in last.items()],
                                           ["last_inspected_at"], batch_size=500)
