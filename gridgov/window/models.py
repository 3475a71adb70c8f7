"""One-window government services (一窗受理): the catalogue of service items and the grid catalogue, and the
applications made under them, each one flow on the core engine (gridgov/window/flows.py).

An item is versioned: editing it closes the current row (`is_current` false, `valid_to` set) and opens the next
revision; an application keeps the row (the version) it was made under, with its materials and questions."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.core.flow.subject import FlowEvent, FlowModel
from gridgov.core.models import VersionedModel
from gridgov.core.scope import Grant, ScopedManager, ScopedQuerySet, ScopeSpec, scope_q


class Catalogue(models.TextChoices):
    APPROVAL = "approval", _("行政审批事项")
    PUBLIC = "public", _("公共服务事项")
    CONVENIENCE = "convenience", _("便民服务事项")
    SOCIAL = "social", _("社会管理事项")


GRID_CATALOGUES = (Catalogue.CONVENIENCE, Catalogue.SOCIAL)


class ItemType(models.TextChoices):
    """RULES.md §3."""

    LICENCE = "licence", _("行政许可")
    CONFIRMATION = "confirmation", _("行政确认")
    ADJUDICATION = "adjudication", _("行政裁决")
    BENEFIT = "benefit", _("行政给付")
    AWARD = "award", _("行政奖励")
    FILING = "filing", _("行政备案")
    OTHER_POWER = "other_power", _("其他行政权力")
    PUBLIC_SERVICE = "public_service", _("公共服务")


class Delegated(models.TextChoices):
    NONE = "", _("本级")
    CITY = "city", _("市级下放")
    DISTRICT = "district", _("区级下放")


class ItemQuerySet(ScopedQuerySet):
    """The catalogue is public to the people of its town: a signed-in resident or enterprise sees the items their
    town offers (current revisions); staff see what their roles reach."""

    def restrict(self, user: Any, action: str = "view") -> ScopedQuerySet:
        kind = getattr(user, "kind", "")
        if action == "view" and kind in ("resident", "enterprise") and user.is_active and user.town_id:
            return self.filter(town_id=user.town_id, is_current=True)
        return super().restrict(user, action)


class ServiceItem(VersionedModel):
    """One revision of a service item of a town (事项). The current revision is the one offered."""

    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("所属镇街"))
    catalogue = models.CharField(_("目录"), max_length=12, choices=Catalogue.choices)
    code = models.CharField(_("事项编码"), max_length=40)
    revision = models.PositiveIntegerField(_("版本号"), default=1)
    is_current = models.BooleanField(_("现行版本"), default=True)
    name = models.CharField(_("事项名称"), max_length=120)
    initials = models.CharField(_("拼音首字母"), max_length=120, blank=True, editable=False)
    item_type = models.CharField(_("事项类型"), max_length=16, choices=ItemType.choices)
    department = models.ForeignKey("network.Department", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("承办部门"))
    legal_basis = models.TextField(_("设定依据"), blank=True)
    statutory_days = models.PositiveSmallIntegerField(_("法定时限（工作日）"), default=20)
    promised_days = models.PositiveSmallIntegerField(_("承诺时限（工作日）"), default=10)
    instant = models.BooleanField(_("即办件"), default=False)
    joint = models.BooleanField(_("联合办理（45+15 工作日）"), default=False)
    fee = models.DecimalField(_("收费（元）"), max_digits=10, decimal_places=2, default=0)
    fee_basis = models.CharField(_("收费依据"), max_length=200, blank=True)
    online = models.BooleanField(_("网上办理"), default=True)
    at_window = models.BooleanField(_("窗口办理"), default=True)
    at_station = models.BooleanField(_("便民服务站代办"), default=False)
    delegated_from = models.CharField(_("下放层级"), max_length=10, choices=Delegated.choices, blank=True)
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    grids = models.ManyToManyField("network.Division", blank=True, related_name="+", verbose_name=_("落地网格"))

    objects = models.Manager.from_queryset(ItemQuerySet)()
    scope = ScopeSpec(division="town", department="department")

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["catalogue", "code"]
        constraints = [
            models.UniqueConstraint(fields=["town", "code", "revision"], name="window_item_revision"),
            models.UniqueConstraint(fields=["town", "code"], condition=Q(is_current=True),
                                    name="window_item_one_current"),
            models.CheckConstraint(condition=Q(promised_days__lte=models.F("statutory_days")),
                                   name="window_item_promise_within_law"),
        ]
        indexes = [
            models.Index(fields=["town", "is_current", "catalogue", "code"], name="window_item_list_idx"),
            models.Index(fields=["town", "is_current", "initials"], name="window_item_initials_idx"),
            models.Index(fields=["department", "is_current"], name="window_item_dept_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def limits_text(self) -> str:
        return f"{self.statutory_days}/{self.promised_days}"


class Question(models.Model):
    """A yes/no question of an item whose answer decides conditional materials (e.g. 是否委托他人办理)."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="questions")
    key = models.CharField(_("标识"), max_length=30)
    text = models.CharField(_("问题"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("情形问题")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "key"], name="window_question_key")]

    def __str__(self) -> str:
        return self.text


class Material(models.Model):
    """A material an item requires: always, or when a question is answered `when_answer`."""

    class Form(models.TextChoices):
        ORIGINAL = "original", _("原件")
        COPY = "copy", _("复印件")
        BOTH = "both", _("原件及复印件")
        ELECTRONIC = "electronic", _("电子件")

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("材料名称"), max_length=200)
    form = models.CharField(_("材料形式"), max_length=12, choices=Form.choices, default=Form.COPY)
    count = models.PositiveSmallIntegerField(_("份数"), default=1)
    required = models.BooleanField(_("必需"), default=True)
    when_question = models.CharField(_("条件问题"), max_length=30, blank=True)  # a Question.key of the item
    when_answer = models.BooleanField(_("条件答案"), default=True)
    template = models.FileField(_("样表"), upload_to="window/templates/%Y/", blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("申请材料")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def needed(self, answers: dict[str, bool]) -> bool:
        """Whether the applicant must bring it, given their answers."""
        if not self.required:
            return False
        if not self.when_question:
            return True
        return bool(answers.get(self.when_question, False)) == self.when_answer


class Channel(models.TextChoices):
    ONLINE = "online", _("网上申请")
    WINDOW = "window", _("窗口申请")
    STATION = "station", _("便民服务站代办")


class Decision(models.TextChoices):
    NONE = "", _("未决定")
    GRANT = "grant", _("准予")
    REFUSE = "refuse", _("不予")


class Delivery(models.TextChoices):
    WINDOW = "window", _("窗口领取")
    POST = "post", _("邮寄送达")
    ELECTRONIC = "electronic", _("电子送达")


def _grants_match(obj: Application, grants: list[Grant]) -> bool:
    for g in grants:
        if g.kind == "all":
            return True
        if g.kind == "division" and obj.division_path.startswith(g.value):
            return True
        if g.kind == "department" and obj.department_id == g.value:
            return True
        if g.kind == "own" and obj.applicant_id == g.value:
            return True
    return False


class Application(FlowModel):
    """One application (办件) for one item revision: 收件 → 受理 → 审查 → 决定 → 出件 → 办结."""

    number = models.CharField(_("申请编号"), max_length=24, unique=True, null=True, blank=True)
    title = models.CharField(_("事项"), max_length=120)
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="applications",
                             verbose_name=_("服务事项"))
    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("所属镇街"))
    # Where it was lodged: the town (online, window) or the village of the service station (代办).
    division = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("收件地点"))
    division_path = models.CharField(max_length=255, editable=False)
    department = models.ForeignKey("network.Department", on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True, verbose_name=_("承办部门"))
    channel = models.CharField(_("申请渠道"), max_length=10, choices=Channel.choices)
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("申请人账号"))
    applicant_name = models.CharField(_("申请人"), max_length=100)
    applicant_id_number = models.CharField(_("证件号码"), max_length=18, blank=True)
    applicant_phone = models.CharField(_("联系电话"), max_length=11, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("收件人"))
    authorisation = models.FileField(_("代办授权书"), upload_to="window/authorisations/%Y/%m/", blank=True)
    answers = models.JSONField(_("情形答复"), default=dict, blank=True)
    follow_token = models.CharField(max_length=32, unique=True, editable=False)
    received_at = models.DateTimeField(_("收件时间"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    deemed_accepted = models.BooleanField(_("逾期视为受理"), default=False)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("受理人"))
    corrections = models.PositiveSmallIntegerField(_("补正次数"), default=0)
    missing = models.JSONField(_("需补正材料"), default=list, blank=True)
    deadline = models.DateTimeField(_("承诺办结时限"), null=True, blank=True)
    statutory_deadline = models.DateTimeField(_("法定办结时限"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("中止时间"), null=True, blank=True)
    suspended_days = models.PositiveSmallIntegerField(_("中止工作日"), default=0)
    extension_requested = models.BooleanField(_("已申请延期"), default=False)
    extended = models.BooleanField(_("已延期"), default=False)
    decision = models.CharField(_("决定"), max_length=8, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("决定人"))
    on_time = models.BooleanField(_("按时办结"), null=True, blank=True)
    working_days = models.PositiveSmallIntegerField(_("用时（工作日）"), null=True, blank=True)
    instant = models.BooleanField(_("即办"), default=False)
    delivery = models.CharField(_("出件方式"), max_length=12, choices=Delivery.choices, blank=True)
    delivered_at = models.DateTimeField(_("出件时间"), null=True, blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(division="division", department="department", owner="applicant")
    audit_exclude = ("follow_token",)

    FLOW_KIND = "window_application"
    FLOW_EVENT_MODEL = "window.ApplicationEvent"
    FLOW_EVENT_FK = "application"
    FLOW_URL = "/window/applications/{pk}/"
    FLOW_BULK_COLUMNS = ("id", "number", "title", "department_id", "town_id", "stage")
    FLOW_MUTABLE: ClassVar[tuple[str, ...]] = (
        "accepted_at", "deemed_accepted", "accepted_by", "corrections", "missing", "deadline", "statutory_deadline",
        "suspended_at", "suspended_days", "extension_requested", "extended", "decision", "decision_reason",
        "decided_at", "decided_by", "on_time", "working_days", "instant", "delivery", "delivered_at")

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-id"]
        indexes = [
            # The front desk's queue: its town's (or station's) applications of a stage, newest first.
            models.Index(fields=["town", "stage", "-id"], name="window_app_desk_idx"),
            models.Index(fields=["division", "stage", "-id"], name="window_app_div_idx"),
            # An approver's queue: the department's applications of a stage.
            models.Index(fields=["department", "stage", "-id"], name="window_app_dept_idx"),
            models.Index(fields=["applicant", "-id"], name="window_app_applicant_idx"),
            models.Index(fields=["item", "-id"], name="window_app_item_idx"),
            models.Index(fields=["step_deadline"], condition=Q(status="open", overdue=False),
                         name="window_app_sweep_idx"),
            models.Index(fields=["town", "decided_at"], name="window_app_decided_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number or ''} {self.title}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.division_path and self.division_id:
            from gridgov.network.models import Division

            self.division_path = Division.objects.filter(pk=self.division_id).values_list("path", flat=True)[0]
        super().save(*args, **kwargs)

    # -- the engine's hooks -------------------------------------------------------------------------------
    def flow_number_prefix(self, now: Any) -> str:
        from django.utils import timezone

        return f"SQ{timezone.localtime(now):%Y%m%d}"

    def flow_allows(self, user: Any, permission: str) -> bool:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        if permission == "resubmit":  # the applicant, or the front desk that took the application
            return (_grants_match(self, user.grants("resubmit", "window.application"))
                    or _grants_match(self, user.grants("accept", "window.application")))
        return _grants_match(self, user.grants(permission, "window.application"))

    @classmethod
    def flow_scope_q(cls, user: Any, permission: str) -> Q | None:
        if permission == "resubmit":
            return scope_q(cls, user, "resubmit")
        return scope_q(cls, user, permission)

    def flow_clock(self) -> Any:
        return None if self.stage == "suspended" else self.deadline

    def flow_before(self, ctx: Any) -> None:
        self._was_overdue = self.overdue  # the sweep's mark, before entering the next stage clears it

    def flow_recipients(self, groups: Any) -> set[int]:
        from gridgov.accounts.models import RoleAssignment
        from gridgov.accounts.roles import Role

        out: set[int] = set()
        if "applicant" in groups and self.applicant_id:
            out.add(self.applicant_id)
        if "department" in groups and self.department_id:
            out |= set(RoleAssignment.objects.filter(role__in=(Role.APPROVER, Role.DEPT_STAFF),
                                                     department_id=self.department_id)
                       .values_list("user_id", flat=True))
        if "desk" in groups:
            out |= set(RoleAssignment.objects.filter(role=Role.FRONT_DESK, division_id=self.division_id)
                       .values_list("user_id", flat=True))
        if "leaders" in groups:
            out |= set(RoleAssignment.objects.filter(role=Role.LEADER, division_id=self.town_id)
                       .values_list("user_id", flat=True))
        return out

    @classmethod
    def flow_overdue_recipients(cls, rows: list[dict[str, Any]]) -> dict[int, set[int]]:
        from gridgov.accounts.models import RoleAssignment
        from gridgov.accounts.roles import Role

        depts = {r["department_id"] for r in rows if r.get("department_id")}
        by_dept: dict[int, set[int]] = {}
        for dept, uid in RoleAssignment.objects.filter(role=Role.APPROVER, department_id__in=depts).values_list(
                "department_id", "user_id"):
            by_dept.setdefault(dept, set()).add(uid)
        return {r["id"]: by_dept.get(r.get("department_id"), set()) for r in rows}

    @classmethod
    def flow_overdue_note(cls) -> str:
        return str(_("已超过本环节办理时限，系统自动督办；收件后 5 个工作日内未受理也未一次性告知补正的，"
                     "依《行政许可法》第三十二条自收到申请材料之日起即为受理"))


class ApplicationEvent(FlowEvent):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")

    class Meta(FlowEvent.Meta):
        verbose_name = _("办件记录")


class Upload(models.Model):
    """A file the applicant (or the desk, scanning) handed in for one material."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="uploads")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    file = models.FileField(upload_to="window/uploads/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=120, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("申请材料文件")


class Rating(models.Model):
    """好差评: one rating per matter (一事一评), 5 非常满意 … 1 非常不满意; 1–2 are 差评."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="rating")
    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("network.Department", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    score = models.PositiveSmallIntegerField(_("评价"))
    comment = models.TextField(_("评价内容"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    removed = models.BooleanField(_("复核撤销"), default=False)
    removed_reason = models.TextField(_("撤销理由"), blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(division="town", department="department", owner="rater")

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        indexes = [models.Index(fields=["town", "-created_at"], name="window_rating_town_idx")]
        constraints = [models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="window_rating_range")]

    def __str__(self) -> str:
        return f"{self.application.number} · {self.score}"

    @property
    def negative(self) -> bool:
        return self.score <= 2


class Rectification(FlowModel):
    """The call-back and rectification a 差评 opens (整改), in the department's inbox."""

    number = models.CharField(max_length=24, unique=True, null=True, blank=True)
    title = models.CharField(_("事项"), max_length=160)
    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("network.Department", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    deadline = models.DateTimeField(_("整改时限"))
    result = models.TextField(_("整改情况"), blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(division="town", department="department")

    FLOW_KIND = "window_rectification"
    FLOW_EVENT_MODEL = "window.RectificationEvent"
    FLOW_EVENT_FK = "rectification"
    FLOW_URL = "/window/rectifications/{pk}/"
    FLOW_BULK_COLUMNS = ("id", "number", "title", "department_id")
    FLOW_MUTABLE: ClassVar[tuple[str, ...]] = ("result",)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        indexes = [models.Index(fields=["step_deadline"], condition=Q(status="open", overdue=False),
                                name="window_rect_sweep_idx"),
                   models.Index(fields=["department", "stage"], name="window_rect_dept_idx")]

    def __str__(self) -> str:
        return self.title

    def flow_number_prefix(self, now: Any) -> str:
        return "ZG"

    def flow_allows(self, user: Any, permission: str) -> bool:
        q = scope_q(Rectification, user, permission)
        return q is not None and Rectification.objects.filter(q, pk=self.pk).exists()

    @classmethod
    def flow_scope_q(cls, user: Any, permission: str) -> Q | None:
        return scope_q(cls, user, permission)

    @classmethod
    def flow_overdue_recipients(cls, rows: list[dict[str, Any]]) -> dict[int, set[int]]:
        from gridgov.accounts.models import RoleAssignment
        from gridgov.accounts.roles import Role

        depts = {r["department_id"] for r in rows if r.get("department_id")}
        by_dept: dict[int, set[int]] = {}
        for dept, uid in RoleAssignment.objects.filter(role=Role.APPROVER, department_id__in=depts).values_list(
                "department_id", "user_id"):
            by_dept.setdefault(dept, set()).add(uid)
        return {r["id"]: by_dept.get(r.get("department_id"), set()) for r in rows}


class RectificationEvent(FlowEvent):
    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="events")
