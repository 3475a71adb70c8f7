"""Scope fixtures of safety supervision for the scope walk (docs/scope.md): per place an enterprise with its
safety profile, a checklist template of the town, an inspection answered once, a hazard in its flow and a
plan, each named 走查甲/乙/丙…"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from gridgov.core.flow import engine
from gridgov.core.validators import credit_code_check_char, org_code_check_char
from gridgov.register.models import Enterprise
from gridgov.safety.models import (
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    Hazard,
    Inspection,
    InspectionAnswer,
    InspectionPlan,
    SafetyProfile,
)

_PLACES = {"grid_a": ("甲", "A"), "grid_b": ("乙", "B"), "other_town": ("丙", "C")}


def _credit_code(n: int) -> str:
    org8 = f"MT{n:06d}"
    first17 = "91370211" + org8 + org_code_check_char(org8)
    return first17 + credit_code_check_char(first17)


def scope_fixtures(world: Any) -> dict[str, Any]:
    grids = {"grid_a": world.grid_a, "grid_b": world.grid_b, "other_town": world.other_grid}
    points = {"grid_a": world.point_a, "grid_b": world.point_b, "other_town": world.point_other}
    depts = {"grid_a": world.department, "grid_b": None, "other_town": world.other_department}
    inspectors = {"grid_a": world.worker_a, "grid_b": world.worker_b, "other_town": world.other_leader}
    out: dict[str, dict[str, Any]] = {k: {} for k in ("profiles", "templates", "inspections", "hazards", "plans",
                                                      "answers")}
    now = timezone.now()
    for n, (position, (mark, code)) in enumerate(_PLACES.items(), start=1):
        grid = grids[position]
        lat, lon = points[position]
        e = Enterprise.objects.create(
            name=f"走查{mark}安全企业有限公司", credit_code=_credit_code(n), industry="机械制造", scale="small",
            legal_representative=f"走查{mark}法人", address=f"走查{mark}安全企业地址", lat=lat, lon=lon, grid=grid,
            town=grid.town, department=depts[position], is_key=True)
        p = SafetyProfile.objects.create(enterprise=e, town=grid.town, industry="machinery", likelihood=3, severity=3,
                                         principal=f"走查{mark}负责人", principal_phone=f"1370000001{n}")
        t = ChecklistTemplate.objects.create(town=grid.town, code=f"scope-{code}", name=f"走查{mark}检查表",
                                             state=ChecklistTemplate.State.ACTIVE, published_at=now)
        s = ChecklistSection.objects.create(template=t, title=f"走查{mark}部分")
        item = ChecklistItem.objects.create(template=t, section=s, order=1, code="1.1", content=f"走查{mark}检查项",
                                            evidence=ChecklistItem.Evidence.NONE)
        i = Inspection.objects.create(town=grid.town, profile=p, template=t, inspector=inspectors[position],
                                      state=Inspection.State.ONGOING, started_at=now, due_on=now.date())
        a = InspectionAnswer.objects.create(inspection=i, item=item, result=InspectionAnswer.Result.FAIL,
                                            note=f"走查{mark}说明")
        h = Hazard(title=f"走查{mark}隐患", town=grid.town, profile=p, inspection=i, item=item, level="major",
                   found_at=now, found_by=inspectors[position])
        engine.start(subject=h, acting_user=inspectors[position], label="登记", notify=False)
        plan = InspectionPlan.objects.create(town=grid.town, kind=InspectionPlan.Kind.RANDOM, name=f"走查{mark}计划",
                                             template=t, starts_on=now.date(), ends_on=now.date(),
                                             created_by=world.admin, seed=f"scope-{code}")
        out["profiles"][position] = p
        out["templates"][position] = t
        out["inspections"][position] = i
        out["hazards"][position] = h
        out["plans"][position] = plan
        out["answers"][position] = a
    out["answers"] = {"field": "item_id", **out["answers"]}
    return out
