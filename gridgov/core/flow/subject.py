"""What a model with a flow gives the engine: `FlowSubject` (hooks with defaults), and the abstract
`FlowModel` / `FlowEvent` a new capability's tables start from."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core.models import VersionedModel


class FlowSubject:
    """Hooks the engine calls on a subject of a flow (a model instance). A model overrides what differs; the
    defaults suit a record with `stage`, `status`, `step_deadline`, `overdue`, `urge_count`, `last_urged_at`,
    `version` (FlowModel) and an event model with the FlowEvent columns."""

    FLOW_KIND: ClassVar[str] = ""  # the flow of every row, when the model has one flow
    FLOW_KIND_FIELD: ClassVar[str] = ""  # else the column naming each row's flow ("kind")
    FLOW_EVENT_MODEL: ClassVar[str] = ""  # "app_label.ModelName" of its timeline
    FLOW_EVENT_FK: ClassVar[str] = "subject"  # the timeline's foreign key to the subject
    FLOW_MUTABLE: ClassVar[tuple[str, ...]] = ()  # columns effects may change besides the engine's own
    FLOW_BULK_COLUMNS: ClassVar[tuple[str, ...]] = ("id",)  # what the sweep returns for `flow_overdue_recipients`
    FLOW_URL: ClassVar[str] = ""  # "/window/applications/{pk}/": where a notification links

    ENGINE_COLUMNS: ClassVar[tuple[str, ...]] = ("stage", "status", "step_deadline", "overdue", "urge_count",
                                                 "last_urged_at")

    # -- which flow ------------------------------------------------------------------------------------
    def flow_kind(self) -> str:
        return getattr(self, self.FLOW_KIND_FIELD) if self.FLOW_KIND_FIELD else self.FLOW_KIND

    @classmethod
    def flow_mutable(cls) -> tuple[str, ...]:
        return (*cls.ENGINE_COLUMNS, *cls.FLOW_MUTABLE)

    # -- who may ---------------------------------------------------------------------------------------
    def flow_allows(self, user: Any, permission: str) -> bool:  # pragma: no cover - every model says
        raise NotImplementedError(f"{type(self).__name__}.flow_allows")

    @classmethod
    def flow_scope_q(cls, user: Any, permission: str) -> Q | None:  # pragma: no cover - every model says
        """The rows `user` may act on with `permission` (None: none; Q(): all). The inbox asks this."""
        raise NotImplementedError(f"{cls.__name__}.flow_scope_q")

    # -- time ------------------------------------------------------------------------------------------
    def flow_town(self) -> Any:
        """Whose working hours count its limits (a Division or a town code); None: the default hours."""
        return getattr(self, "town", None)

    def flow_clock(self) -> Any:
        """The subject's own running deadline, the step deadline of stages `on_clock`."""
        return getattr(self, "deadline", None)

    # -- what it is called -----------------------------------------------------------------------------
    def flow_title(self) -> str:
        return str(getattr(self, "title", "") or self)

    def flow_number(self) -> str:
        return str(getattr(self, "number", "") or self.pk)

    def flow_url(self) -> str:
        return self.FLOW_URL.format(pk=self.pk) if self.FLOW_URL else ""

    def flow_number_prefix(self, now: Any) -> str:
        """A new row's number is this prefix and its id (six digits); "" for no number."""
        return ""

    # -- around a transition -------------------------------------------------------------------------------
    def flow_before(self, ctx: Any) -> None:
        """Before the effects run (remember what derived data depends on)."""

    def flow_after(self, ctx: Any, event: Any, photos: Any) -> None:
        """After the row and its timeline entry are written, in the same transaction."""

    # -- who is told -------------------------------------------------------------------------------------
    def flow_recipients(self, groups: Iterable[str]) -> set[int]:
        """User ids for the recipient groups a transition names. Default: nobody."""
        return set()

    def flow_notify(self, ctx: Any, event: Any) -> None:
        """Tell the transition's recipient groups (an inbox row each; external channels after commit)."""
        from gridgov.core.notify import notify

        t = ctx.transition
        ids = self.flow_recipients(t.notify) | set(ctx.notify_extra)
        if ids:
            notify(user_ids=ids, subject=self, kind=t.name, url=self.flow_url(), body=ctx.note,
                   title=_("%(n)s %(t)s：%(s)s") % {"n": self.flow_number(), "t": t.label, "s": self.flow_title()},
                   exclude=getattr(ctx.user, "pk", None))

    def flow_notify_start(self, event: Any, actor: Any, groups: Iterable[str]) -> None:
        from gridgov.core.notify import notify

        ids = self.flow_recipients(groups)
        if ids:
            notify(user_ids=ids, subject=self, kind="start", url=self.flow_url(),
                   title=_("新%(k)s %(n)s：%(s)s") % {"k": type(self)._meta.verbose_name, "n": self.flow_number(),
                                                   "s": self.flow_title()},
                   exclude=getattr(actor, "pk", None))

    @classmethod
    def flow_overdue_recipients(cls, rows: list[dict[str, Any]]) -> dict[int, set[int]]:
        """Row id → user ids told that the row is overdue (the sweep; rows carry FLOW_BULK_COLUMNS). A few
        queries for a whole batch. Default: nobody."""
        return {}

    @classmethod
    def flow_overdue_title(cls, row: dict[str, Any]) -> str:
        return _("督办 %(n)s：已超期") % {"n": row.get("number") or row["id"]}

    @classmethod
    def flow_overdue_digest(cls, count: int) -> str:
        return _("督办：%(n)d 件%(k)s已超期") % {"n": count, "k": cls._meta.verbose_name}  # type: ignore[attr-defined]

    @classmethod
    def flow_overdue_note(cls) -> str:
        return _("已超过本环节办理时限，系统自动督办")

    @classmethod
    def flow_overdue_url(cls) -> str:
        return "/inbox/"


class Status(models.TextChoices):
    OPEN = "open", gettext_lazy("办理中")
    CLOSED = "closed", gettext_lazy("已办结")


class FlowModel(FlowSubject, VersionedModel):
    """The engine's columns for a new capability's record: its stage and status, the step's deadline and
    whether the sweep has urged it. Index what the sweep and the inbox filter by (see Meta of a subclass)."""

    stage = models.CharField(gettext_lazy("环节"), max_length=30)
    status = models.CharField(gettext_lazy("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    step_deadline = models.DateTimeField(gettext_lazy("本环节时限"), null=True, blank=True)
    overdue = models.BooleanField(gettext_lazy("已超期"), default=False)
    urge_count = models.PositiveIntegerField(gettext_lazy("督办次数"), default=0)
    last_urged_at = models.DateTimeField(gettext_lazy("最近督办"), null=True, blank=True)

    class Meta:
        abstract = True


class FlowEvent(models.Model):
    """One entry of a subject's timeline (the subclass adds the foreign key named FLOW_EVENT_FK)."""

    time = models.DateTimeField(gettext_lazy("时间"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=gettext_lazy("操作人"))
    actor_name = models.CharField(gettext_lazy("操作人"), max_length=150, blank=True)
    transition = models.CharField(gettext_lazy("操作"), max_length=40)
    label = models.CharField(gettext_lazy("名称"), max_length=60)
    from_stage = models.CharField(max_length=30, blank=True)
    to_stage = models.CharField(max_length=30, blank=True)
    note = models.TextField(gettext_lazy("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["time", "id"]
