"""The configuration the rating and the plans read: a town's `SafetyRules` row, or the defaults (RULES.md §5);
the inherent risk of a profile from its matrix or LEC values; the supervision class of each colour."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from gridgov.core.errors import ValidationFailed

from .models import Colour, RiskMethod, SafetyRules, SupervisionClass

LEC_L = (10.0, 6.0, 3.0, 1.0, 0.5, 0.2)
LEC_E = (10.0, 6.0, 3.0, 2.0, 1.0, 0.5)
LEC_C = (100.0, 40.0, 15.0, 7.0, 3.0, 1.0)
CLASS_OF = {Colour.BLUE: SupervisionClass.A, Colour.YELLOW: SupervisionClass.B, Colour.ORANGE: SupervisionClass.C,
            Colour.RED: SupervisionClass.D}
RULE_FIELDS = [f.name for f in SafetyRules._meta.concrete_fields
               if f.name not in ("id", "town", "version", "created_at", "updated_at")]


def defaults() -> SafetyRules:
    """The rules of a town that has not set its own (the model's defaults)."""
    return SafetyRules()


def rules_for(town_ids: Iterable[int]) -> dict[int, SafetyRules]:
    """Town id → its rules (one query)."""
    ids = list(set(town_ids))
    found = {r.town_id: r for r in SafetyRules._base_manager.filter(town_id__in=ids)}
    return {t: found.get(t) or defaults() for t in ids}


def interval_days(rules: SafetyRules, supervision_class: str) -> int:
    return int(getattr(rules, f"days_{supervision_class.lower()}"))


def check_rules(values: dict[str, Any]) -> None:
    """Bands and thresholds must rise with the colour; every refused field named."""
    errors: dict[str, list[str]] = {}
    order = (("matrix_yellow", "matrix_orange", "matrix_red"), ("lec_yellow", "lec_orange", "lec_red"),
             ("score_yellow", "score_orange", "score_red"), ("base_yellow", "base_orange", "base_red"))
    for low, mid, high in order:
        if not values[low] < values[mid] < values[high]:
            errors[mid] = [_("应介于黄色与红色的取值之间（黄 < 橙 < 红）")]
    if values["matrix_red"] > 25:
        errors["matrix_red"] = [_("5×5 矩阵的风险值不超过 25")]
    for name in ("days_a", "days_b", "days_c", "days_d"):
        if not 1 <= values[name] <= 366:
            errors[name] = [_("检查间隔应在 1 到 366 天之间")]
    if errors:
        raise ValidationFailed(errors)


def check_inherent(method: str, values: dict[str, float]) -> None:
    """The factors of the chosen method, each from its scale (RULES.md §5); every refused one named."""
    errors: dict[str, list[str]] = {}
    if method == RiskMethod.MATRIX:
        for name, label in (("likelihood", "L"), ("severity", "S")):
            v = values.get(name)
            if v is None or v != int(v) or not 1 <= v <= 5:
                errors[name] = [_("%(l)s 应为 1 到 5 的整数") % {"l": label}]
    elif method == RiskMethod.LEC:
        for name, scale in (("likelihood", LEC_L), ("exposure", LEC_E), ("consequence", LEC_C)):
            if values.get(name) not in scale:
                errors[name] = [_("只能取 %(s)s") % {"s": "、".join(f"{x:g}" for x in scale)}]
    else:
        errors["risk_method"] = [_("请选择有效的选项")]
    if errors:
        raise ValidationFailed(errors)


def inherent(method: str, likelihood: float, severity: float, exposure: float, consequence: float,
             rules: SafetyRules) -> tuple[float, str]:
    """(value, colour) of the inherent risk: R = L × S on the 5×5 matrix, or D = L × E × C."""
    if method == RiskMethod.LEC:
        d = likelihood * exposure * consequence
        colour = (Colour.RED if d > rules.lec_red else Colour.ORANGE if d >= rules.lec_orange
                  else Colour.YELLOW if d >= rules.lec_yellow else Colour.BLUE)
        return d, colour
    r = likelihood * severity
    colour = (Colour.RED if r >= rules.matrix_red else Colour.ORANGE if r >= rules.matrix_orange
              else Colour.YELLOW if r >= rules.matrix_yellow else Colour.BLUE)
    return r, colour
