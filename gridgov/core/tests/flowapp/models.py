from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from gridgov.core.flow.subject import FlowEvent, FlowModel


def _towns_run_by(user: Any) -> list[int]:
    from gridgov.accounts.roles import Role

    return [a.division_id for a in user.assignments_cached() if a.role == Role.ADMIN and a.division_id]


class Errand(FlowModel):
    """An errand: done by its assignee (`work`), checked by the town's 指挥中心 (`check`)."""

    number = models.CharField(max_length=24, unique=True, null=True, blank=True)
    title = models.CharField("事项", max_length=60)
    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveIntegerField(default=0)

    FLOW_KIND = "errand"
    FLOW_EVENT_MODEL = "flowapp.ErrandEvent"
    FLOW_EVENT_FK = "errand"
    FLOW_MUTABLE = ("amount",)
    FLOW_URL = "/errands/{pk}/"
    FLOW_BULK_COLUMNS = ("id", "number", "title", "assignee_id", "town_id")

    class Meta:
        verbose_name = "差事"
        indexes = [models.Index(fields=["step_deadline"], condition=Q(status="open", overdue=False),
                                name="errand_sweep_idx")]

    def flow_number_prefix(self, now: Any) -> str:
        return "CS"

    def flow_allows(self, user: Any, permission: str) -> bool:
        if permission == "work":
            return self.assignee_id == getattr(user, "pk", None)
        return permission == "check" and self.town_id in _towns_run_by(user)

    @classmethod
    def flow_scope_q(cls, user: Any, permission: str) -> Q | None:
        if permission == "work":
            return Q(assignee_id=user.pk)
        towns = _towns_run_by(user)
        return Q(town_id__in=towns) if permission == "check" and towns else None

    def flow_recipients(self, groups: Any) -> set[int]:
        from gridgov.accounts.models import RoleAssignment
        from gridgov.accounts.roles import Role

        out: set[int] = set()
        if "owner" in groups:
            out.add(self.assignee_id)
        if "checkers" in groups:
            out |= set(RoleAssignment.objects.filter(role=Role.ADMIN, division_id=self.town_id)
                       .values_list("user_id", flat=True))
        return out

    @classmethod
    def flow_overdue_recipients(cls, rows: list[dict[str, Any]]) -> dict[int, set[int]]:
        return {r["id"]: {r["assignee_id"]} for r in rows}


class ErrandEvent(FlowEvent):
    errand = models.ForeignKey(Errand, on_delete=models.CASCADE, related_name="events")
