"""The case engine: the case kinds' flows on core's flow engine (gridgov.core.flow).

Flows are declarative data (one module per case kind in gridgov.cases.flows); core's `fire` runs them with the
case's hooks (`Case` in models.py: scope, clock, rollup, photos, notifications). What stays here is what only
cases need: the `fire(case=…)` spelling the pages and tests use, the handling limit of a case's category, and
"who may act" on the case page. `Flow.graph()` draws a flow as Mermaid or DOT.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _

from gridgov.core.errors import Conflict, ValidationFailed
from gridgov.core.flow import declare
from gridgov.core.flow import engine as core_engine
from gridgov.core.flow.declare import (  # noqa: F401  (the names the case flows declare with)
    NOW,
    Ctx,
    Flow,
    Inc,
    Input,
    Limit,
    Stage,
    Transition,
    register,
)
from gridgov.core.flow.engine import enter_stage  # noqa: F401

CASE_MODEL = "cases.case"


def category_limit(case: Any) -> tuple[int, str]:
    """The handling limit of the case's category (小类): the town's own limit of it, else its default."""
    from .categories import category_limit as town_limit

    return town_limit(case.category, case.town_id)


# The handling clock: started at 派遣, restarted at 返工 and 恢复办理.
HANDLING = Limit(source=category_limit)


def case_flows() -> list[Flow]:
    return declare.flows_of(CASE_MODEL)


def flow_for(kind: str) -> Flow:
    flow = next((f for f in case_flows() if f.kind == kind), None)
    if flow is None:
        raise ValidationFailed({"kind": [_("未知的案卷类型：%(k)s") % {"k": kind}]})
    return flow


def flows() -> list[Flow]:
    return case_flows()


# Columns a transition may change (everything else is fixed at intake).
MUTABLE = (
    "stage", "status", "department_id", "pro_category", "assignee_id", "grid_id", "deadline",
    "deadline_provisional", "step_deadline", "overdue", "urge_count", "last_urged_at", "filed_at",
    "dispatched_at", "accepted_at", "solved_at", "verified_at", "closed_at", "on_time", "dispatch_on_time",
    "verify_on_time", "response_on_time", "rework_count", "extension_count", "returned_count",
    "extension_pending", "extension_requested", "deferred", "voided", "void_reason", "merged_into_id",
    "rating", "rating_note", "reply",
)


def conflict_for(case_pk: int) -> Conflict:
    from .models import Case

    return core_engine.conflict_for(Case, case_pk)


def fire(*, case: Any, transition: str, acting_user: Any, expected_version: int | None = None,
         note: str = "", data: dict[str, Any] | None = None, photos: Sequence[Any] = (),
         system: bool = False, actor_name: str = "") -> Any:
    """Fire one transition on `case` (core's `fire`; see gridgov.core.flow.engine)."""
    return core_engine.fire(subject=case, transition=transition, acting_user=acting_user,
                            expected_version=expected_version, note=note, data=data, photos=photos,
                            system=system, actor_name=actor_name)


def who_may(case: Any, t: Transition) -> str:
    """A short description of who may fire `t` (for the case page): for the handling steps the unit, category
    and person the case was dispatched to, for 核查 the grid's worker, else the role. A dispatcher reads whose
    move it is without comparing 责任部门 with a generic 责任部门/专业网格员."""
    from gridgov.accounts.roles import ProCategory

    if t.permission == "handle":
        parts = [case.department.name] if case.department_id else []
        if case.pro_category in ProCategory.values:
            parts.append(_("%(c)s专业网格员") % {"c": ProCategory(case.pro_category).label})
        if case.assignee_id:
            parts.append(str(case.assignee))
        if parts:
            return " · ".join(parts)
    if t.permission == "verify" and case.grid_id:
        return _("%(g)s网格员") % {"g": case.grid.name}
    return role_of(t)


def role_of(t: Transition) -> str:
    """Who may fire `t` in general, by role (the flow page; the case page when nothing names them better)."""
    return {
        "dispatch": _("指挥中心（调度员）"), "handle": _("责任部门/专业网格员"), "verify": _("所在网格网格员"),
        "evaluate": _("指挥中心/镇街领导"), "rate": _("诉求人"), "add": _("网格员"),
    }.get(t.permission, t.permission)


def iter_stage_choices() -> Iterable[tuple[str, str]]:
    """Every flow's stages, one choice per stage name, for the filters. A name the flows label differently
    reads as both labels (reported: 待立案/待受理); where different names share a label (待派遣 is `filed` of a
    grid event and `accepted` of a complaint), each names its case type, so no two choices read the same."""
    from .models import Kind

    order = {k: i for i, k in enumerate(Kind.values)}
    labels: dict[str, list[str]] = {}
    kinds: dict[str, list[str]] = {}
    for f in sorted(case_flows(), key=lambda f: order.get(f.kind, len(order))):
        for s in f.stages:
            label = str(s.label)
            if label not in labels.setdefault(s.name, []):
                labels[s.name].append(label)
            kinds.setdefault(s.name, []).append(str(f.label))
    joined = {name: "/".join(ls) for name, ls in labels.items()}
    shared = {label for label in joined.values() if list(joined.values()).count(label) > 1}
    return [(name, _("%(stage)s（%(kinds)s）") % {"stage": label, "kinds": "/".join(kinds[name])}
             if label in shared else label) for name, label in joined.items()]
