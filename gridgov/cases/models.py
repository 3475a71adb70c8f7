"""Models of the case engine (网格事件, 接诉即办).

One `Case` table for every case kind; the kind's flow (gridgov.cases.flows) says which stages and
transitions it has. Every transition leaves a `CaseEvent` in the timeline. Indicators (RULES.md §1) read the
dated and flagged columns here: dispatched_at, deadline, closed_at, on_time, rework_count, extension_count,
returned_count, deferred, voided, dispatch_on_time, verify_on_time, response_on_time, rating.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import ProCategory
from gridgov.core.flow.subject import FlowSubject
from gridgov.core.models import VersionedModel
from gridgov.core.scope import ScopedManager, ScopeSpec

# The work queue of each stage of each flow (Stage.queue in gridgov/cases/flows), as a table the database
# can compute and index: `Case.queue` is generated from (kind, stage). test_queues.py checks it against the
# flows, so a flow whose queues change fails until this table (and a migration) follows.
QUEUE_STAGES: dict[str, dict[str, tuple[str, ...]]] = {
    "file": {"complaint": ("reported",), "grid_event": ("reported",)},
    "dispatch": {"complaint": ("accepted",), "grid_event": ("filed",)},
    "handle": {"complaint": ("dispatched", "handling"), "grid_event": ("dispatched", "handling")},
    "verify": {"grid_event": ("verifying",)},
    "reply": {"complaint": ("replying",)},
    "rate": {"complaint": ("rating",)},
    "callback": {"complaint": ("callback",)},
    "evaluate": {"grid_event": ("closed",)},
}


def _queue_expression() -> models.Case:
    whens = []
    for queue, by_kind in QUEUE_STAGES.items():
        cond = models.Q()
        for kind, stages in by_kind.items():
            cond |= models.Q(kind=kind, stage__in=stages)
        whens.append(models.When(cond, then=models.Value(queue)))
    return models.Case(*whens, default=models.Value(""), output_field=models.CharField(max_length=12))


class Tree(models.TextChoices):
    EVENT = "event", _("事件")
    COMPONENT = "component", _("部件")


class TimeUnit(models.TextChoices):
    HOURS = "hours", _("工作时")
    DAYS = "days", _("工作日")


class Category(models.Model):
    """A node of the 事件 or 部件 tree: 大类 (2-digit code) with 小类 (4-digit code, e.g. 0101 私搭乱建).
    The 小类 carries the handling limit and whom cases go to by default."""

    tree = models.CharField(_("类别树"), max_length=10, choices=Tree.choices, default=Tree.EVENT)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("大类"))
    code = models.CharField(_("编码"), max_length=8)
    name = models.CharField(_("名称"), max_length=60)
    deadline_amount = models.PositiveIntegerField(_("处置时限"), default=5)
    deadline_unit = models.CharField(_("时限单位"), max_length=5, choices=TimeUnit.choices, default=TimeUnit.DAYS)
    department_name = models.CharField(_("默认责任部门（名称）"), max_length=100, blank=True,
                                       help_text=_("各镇街按名称匹配本镇街的部门"))
    pro_category = models.CharField(_("专业类别"), max_length=20, choices=ProCategory.choices, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("事件类别")
        verbose_name_plural = _("事件类别")
        ordering = ["tree", "code"]
        constraints = [models.UniqueConstraint(fields=["tree", "code"], name="case_category_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_leaf(self) -> bool:
        return len(self.code) >= 4


class Kind(models.TextChoices):
    GRID_EVENT = "grid_event", _("网格事件")
    COMPLAINT = "complaint", _("群众诉求")


class Channel(models.TextChoices):
    PATROL = "patrol", _("网格员巡查")
    PUBLIC = "public", _("群众上报")
    HOTLINE = "hotline", _("12345热线")
    OPEN311 = "open311", _("Open311接口")
    VIDEO = "video", _("视频监控")
    REFERRAL = "referral", _("上级转办")


class Status(models.TextChoices):
    OPEN = "open", _("办理中")
    CLOSED = "closed", _("已办结")


class CaseQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> CaseQuerySet:
        from .permissions import case_scope_q

        q = case_scope_q(user, action)
        if q is None:
            return self.none()
        return self.filter(q) if q else self


CaseManager = models.Manager.from_queryset(CaseQuerySet)


class Case(FlowSubject, VersionedModel):
    """One case of any kind. `stage` is changed only by the engine (gridgov.cases.engine.fire)."""

    number = models.CharField(_("案卷编号"), max_length=24, unique=True, null=True, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.GRID_EVENT)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, db_index=False, related_name="cases",
                                 verbose_name=_("类别"))
    title = models.CharField(_("标题"), max_length=120)
    description = models.TextField(_("描述"), blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度（WGS-84）"))
    lon = models.FloatField(_("经度（WGS-84）"))
    grid = models.ForeignKey("network.Division", on_delete=models.PROTECT, db_index=False, related_name="cases",
                             verbose_name=_("所属网格"))
    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, db_index=False, related_name="+",
                             verbose_name=_("所属镇街"))
    department = models.ForeignKey("network.Department", on_delete=models.PROTECT, db_index=False, null=True,
                                   blank=True, related_name="cases", verbose_name=_("责任部门"))
    pro_category = models.CharField(_("专业类别"), max_length=20, choices=ProCategory.choices, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, db_index=False, null=True,
                                 blank=True, related_name="assigned_cases", verbose_name=_("处置人"))
    # Reporter: a signed-in user, or an anonymous contact (name/phone may be empty).
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, db_index=False, null=True,
                                 blank=True, related_name="reported_cases", verbose_name=_("上报人"))
    reporter_name = models.CharField(_("联系人"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    anonymous = models.BooleanField(_("匿名"), default=False)
    channel = models.CharField(_("来源渠道"), max_length=10, choices=Channel.choices, default=Channel.PUBLIC)
    external_ref = models.CharField(_("外部编号"), max_length=64, blank=True)
    follow_token = models.CharField(_("查询凭证"), max_length=32, unique=True)

    stage = models.CharField(_("环节"), max_length=20)
    # Computed by the database from (kind, stage): the work queue the case waits in ("" when none).
    queue = models.GeneratedField(expression=_queue_expression(), output_field=models.CharField(max_length=12),
                                  db_persist=True, verbose_name=_("工作队列"))
    status = models.CharField(_("状态"), max_length=6, choices=Status.choices, default=Status.OPEN)
    # Deadline of the whole case (handling limit, clock from dispatch) and of the current step.
    deadline = models.DateTimeField(_("处置时限"), null=True, blank=True)
    deadline_provisional = models.BooleanField(_("时限为暂定（无官方节假日表）"), default=False)
    step_deadline = models.DateTimeField(_("本环节时限"), null=True, blank=True)
    overdue = models.BooleanField(_("已超期"), default=False)
    urge_count = models.PositiveSmallIntegerField(_("督办次数"), default=0)
    last_urged_at = models.DateTimeField(_("最近督办时间"), null=True, blank=True)

    filed_at = models.DateTimeField(_("立案时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派遣时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理/签收时间"), null=True, blank=True)
    solved_at = models.DateTimeField(_("处置反馈时间"), null=True, blank=True)
    verified_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)

    on_time = models.BooleanField(_("按期结案"), null=True, blank=True)
    dispatch_on_time = models.BooleanField(_("及时派遣"), null=True, blank=True)
    verify_on_time = models.BooleanField(_("按时核查"), null=True, blank=True)
    response_on_time = models.BooleanField(_("及时响应"), null=True, blank=True)
    rework_count = models.PositiveSmallIntegerField(_("返工次数"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("延期次数"), default=0)
    returned_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    extension_pending = models.BooleanField(_("延期待审批"), default=False)
    extension_requested = models.JSONField(_("延期申请"), null=True, blank=True)
    deferred = models.BooleanField(_("缓办"), default=False)
    voided = models.BooleanField(_("作废"), default=False)
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, db_index=False, null=True, blank=True,
                                    related_name="merged_cases", verbose_name=_("并入案卷"))
    rating = models.PositiveSmallIntegerField(_("评价（1-5）"), null=True, blank=True)
    rating_note = models.CharField(_("评价说明"), max_length=200, blank=True)
    reply = models.TextField(_("答复内容"), blank=True)

    objects = CaseManager()
    # Division and department scope as everywhere; own rows and professional categories are added by
    # gridgov.cases.permissions.case_scope_q.
    scope = ScopeSpec(division="grid", department="department")
    pii_fields = {"reporter_phone": "phone", "reporter_name": "name"}

    class Meta:
        verbose_name = _("案卷")
        verbose_name_plural = _("案卷")
        # Every index is written by every update that is not HOT (each transition, each 督办): no single-column
        # index where a composite one starts with the column (the foreign keys are db_index=False, stage has
        # none), and partial indexes for the rare values (overdue, merged).
        indexes = [
            # Work queues in deadline order, one index per kind of scope (town, department, grid, category):
            # a queue page reads its first rows off the index, a queue count stops at its cap.
            models.Index(fields=["town", "status", "queue", "step_deadline", "id"], name="case_town_queue_idx"),
            models.Index(fields=["department", "status", "queue", "step_deadline", "id"], name="case_dept_queue_idx"),
            models.Index(fields=["grid", "status", "queue", "step_deadline"], name="case_grid_queue_idx"),
            models.Index(fields=["pro_category", "status", "queue", "step_deadline"], name="case_pro_queue_idx"),
            # 我的待办 of a department's staff (core/flow/inbox.py): its sort keys read from the index alone.
            models.Index(fields=["department", "kind", "stage"], include=["step_deadline", "overdue", "id"],
                         condition=models.Q(status="open"), name="case_dept_inbox_idx"),
            models.Index(fields=["assignee", "status"], name="case_assignee_idx"),
            models.Index(fields=["reporter"], name="case_reporter_idx"),
            models.Index(fields=["category", "status", "created_at"], name="case_dupe_idx"),
            models.Index(fields=["created_at"], name="case_created_idx"),
            models.Index(fields=["kind", "status"], name="case_kind_idx"),
            models.Index(fields=["channel"], name="case_channel_idx"),
            models.Index(fields=["status"], condition=models.Q(overdue=True), name="case_overdue_idx"),
            models.Index(fields=["merged_into"], condition=models.Q(merged_into__isnull=False),
                         name="case_merged_idx"),
            # The sweep's candidates: open, not yet overdue, by step deadline (a small partial index).
            models.Index(fields=["step_deadline"], condition=models.Q(status="open", overdue=False),
                         name="case_sweep_idx"),
            # Indicators: a dirty (grid, month) group is recomputed through these (gridgov.cases.rollup) …
            models.Index(fields=["grid", "deadline"], name="case_grid_deadline_idx"),
            models.Index(fields=["grid", "filed_at"], name="case_grid_filed_idx"),
            # … and the partial months at a period's edges are counted live through these.
            models.Index(fields=["deadline"], name="case_due_idx"),
            models.Index(fields=["filed_at"], name="case_filed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number or '#' + str(self.pk)} {self.title}"

    @property
    def flow(self):
        from .engine import flow_for

        return flow_for(self.kind)

    @property
    def stage_label(self) -> str:
        return self.flow.stage(self.stage).label

    # -- the flow engine's hooks (gridgov.core.flow.subject) ---------------------------------------------
    FLOW_KIND_FIELD = "kind"
    FLOW_EVENT_MODEL = "cases.CaseEvent"
    FLOW_EVENT_FK = "case"
    FLOW_URL = "/cases/{pk}/"
    FLOW_BULK_COLUMNS = ("id", "number", "title", "kind", "stage", "queue", "town_id", "grid_id",
                         "department_id", "pro_category", "assignee_id")

    @classmethod
    def flow_mutable(cls) -> tuple[str, ...]:
        from .engine import MUTABLE

        return MUTABLE

    def flow_allows(self, user, permission: str) -> bool:
        from .permissions import allows

        return allows(user, permission, self)

    @classmethod
    def flow_scope_q(cls, user, permission: str):
        from .permissions import case_scope_q

        return case_scope_q(user, permission)

    def flow_clock(self):
        return None if self.deferred else self.deadline  # 缓办 suspends the handling clock

    def flow_number_prefix(self, now) -> str:
        from django.utils import timezone

        from .services import NUMBER_PREFIX

        return f"{NUMBER_PREFIX.get(self.kind, 'AJ')}{timezone.localtime(now):%Y%m%d}"

    def flow_before(self, ctx) -> None:
        from . import rollup

        self._rollup_before = (rollup.state_of(self), rollup.groups_of(self))

    def flow_after(self, ctx, event, photos) -> None:
        from . import rollup
        from .photos import save_photos

        state, groups = self._rollup_before
        if rollup.state_of(self) != state:  # the groups it left and entered are recomputed on read
            rollup.mark_dirty(groups | rollup.groups_of(self))
        if photos:
            save_photos(case=self, event=event, files=photos, user=ctx.user)

    def flow_recipients(self, groups) -> set[int]:
        from .notifications import recipients

        return recipients(self, groups)

    def flow_notify(self, ctx, event) -> None:
        from .notifications import notify_transition

        notify_transition(case=self, transition=ctx.transition, event=event, actor=ctx.user,
                          extra=ctx.notify_extra)

    def flow_notify_start(self, event, actor, groups) -> None:
        from .notifications import notify, recipients, report_title

        notify(user_ids=recipients(self, groups), case=self, kind="report", title=report_title(self),
               exclude=getattr(actor, "pk", None))

    @classmethod
    def flow_overdue_recipients(cls, rows):
        from .notifications import overdue_recipients

        return overdue_recipients(rows)

    @classmethod
    def flow_overdue_title(cls, row) -> str:
        from types import SimpleNamespace

        from .notifications import urge_title

        return urge_title(SimpleNamespace(number=row["number"], pk=row["id"], title=row["title"]))

    @classmethod
    def flow_overdue_digest(cls, count: int) -> str:
        from .notifications import urge_digest_title

        return urge_digest_title(count)

    @classmethod
    def flow_overdue_note(cls) -> str:
        from .notifications import urge_note

        return urge_note()

    @classmethod
    def flow_overdue_url(cls) -> str:
        return "/cases/?overdue=true"


class CaseFollower(models.Model):
    """Someone who follows a case besides its reporter: a resident who reported a duplicate, or the reporter
    of a case merged into this one. They see it and are told of its progress."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="followers", verbose_name=_("案卷"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name=_("用户"))
    via = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                            verbose_name=_("原案卷"))
    # The follower's own link (/cases/follow/<token>/): progress only. The case's follow_token stays its
    # reporter's, who alone reads the reply and rates it.
    token = models.CharField(_("查询凭证"), max_length=32, unique=True, null=True, blank=True)
    # A caller whom a 12345 operator made follow the case on the phone (no account: `user` is empty): their
    # name and mobile, shown masked to staff, and where their texts go.
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    pii_fields = {"phone": "phone", "name": "name"}

    class Meta:
        verbose_name = _("关注人")
        verbose_name_plural = _("关注人")
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_follower_once")]
        indexes = [models.Index(fields=["user"], name="case_follower_user_idx")]


class CaseEvent(models.Model):
    """One line of a case's timeline: who did what, when, from which stage to which."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("案卷"))
    time = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("操作人"))
    actor_name = models.CharField(_("操作人"), max_length=60, blank=True)
    transition = models.CharField(_("动作"), max_length=30)
    label = models.CharField(_("动作名称"), max_length=30)
    from_stage = models.CharField(_("原环节"), max_length=20, blank=True)
    to_stage = models.CharField(_("新环节"), max_length=20, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["time", "id"]
        indexes = [models.Index(fields=["case", "time"], name="case_event_case_idx"),
                   models.Index(fields=["transition", "time"], name="case_event_tr_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.label}"


class AttachmentQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> AttachmentQuerySet:
        """Photos follow their case's scope."""
        return self.filter(case__in=Case.objects.restrict(user, action).values("pk"))


def attachment_path(instance: Attachment, filename: str) -> str:
    import uuid

    ext = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp",
           "image/heic": "heic"}.get(instance.content_type, "bin")
    return f"cases/{instance.case_id}/{uuid.uuid4().hex}.{ext}"


class Attachment(models.Model):
    """A photo of a case (report, handling result, verification). Type checked from the bytes, not the name."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("案卷"))
    event = models.ForeignKey(CaseEvent, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="attachments", verbose_name=_("办理记录"))
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    content_type = models.CharField(_("类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小"))
    original_name = models.CharField(_("原文件名"), max_length=120, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = models.Manager.from_queryset(AttachmentQuerySet)()

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")
        indexes = [models.Index(fields=["case"], name="case_attachment_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.original_name or self.pk}"


class DispatchRule(models.Model):
    """Where a case goes: category (or 大类, or any) and optionally a grid subtree → department and/or
    professional category. The most specific matching rule wins; lower `priority` first among equals."""

    town = models.ForeignKey("network.Division", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("镇街"))
    category = models.ForeignKey(Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                 verbose_name=_("类别（空为全部）"))
    area = models.ForeignKey("network.Division", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name=_("区域（空为全镇）"))
    department = models.ForeignKey("network.Department", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="+", verbose_name=_("责任部门"))
    pro_category = models.CharField(_("专业类别"), max_length=20, choices=ProCategory.choices, blank=True)
    priority = models.PositiveSmallIntegerField(_("优先级"), default=100)

    objects = ScopedManager()
    scope = ScopeSpec(division="town")

    class Meta:
        verbose_name = _("派遣规则")
        verbose_name_plural = _("派遣规则")
        indexes = [models.Index(fields=["town", "category"], name="case_rule_idx")]

    def __str__(self) -> str:
        target = " / ".join(str(x) for x in (self.department, self.get_pro_category_display()) if x)
        return f"{self.category or _('全部类别')} · {self.area or _('全镇')} → {target}"


class CategoryLimit(models.Model):
    """A town's own handling limit for a category (local practice, RULES.md §1): it overrides the category's
    default limit for the cases of that town; the other towns keep theirs."""

    town = models.ForeignKey("network.Division", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("镇街"))
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="town_limits",
                                 verbose_name=_("类别"))
    deadline_amount = models.PositiveIntegerField(_("处置时限"))
    deadline_unit = models.CharField(_("时限单位"), max_length=5, choices=TimeUnit.choices)

    objects = ScopedManager()
    scope = ScopeSpec(division="town")

    class Meta:
        verbose_name = _("本镇街处置时限")
        verbose_name_plural = _("本镇街处置时限")
        constraints = [models.UniqueConstraint(fields=["town", "category"], name="case_category_limit_once")]

    def __str__(self) -> str:
        return f"{self.category}：{self.deadline_amount} {self.get_deadline_unit_display()}"


class IdempotencyKey(models.Model):
    """A client's `Idempotency-Key` on case creation: a retry finds the case the first attempt made."""

    owner = models.CharField(max_length=40)  # "u:<user id>" or "anon"
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, related_name="+")
    follow_token = models.CharField(max_length=32, blank=True, default="")  # a follow's link, handed out again
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="case_idempotency_once")]


class CaseNotificationManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(subject_type=CASE_SUBJECT)


CASE_SUBJECT = "cases.case"


class Notification(models.Model):
    """The notifications about cases: a typed view of core's `Notification` table (gridgov.core.notify), its
    subject id read as the case. Written through gridgov.core.notify.notify like every flow's."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications", verbose_name=_("接收人"))
    subject_type = models.CharField(max_length=60, default=CASE_SUBJECT, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                             db_column="subject_id", db_constraint=False, verbose_name=_("案卷"))
    kind = models.CharField(_("类型"), max_length=30)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = CaseNotificationManager()

    class Meta:
        managed = False
        db_table = "core_notification"
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-id"]


# -- Indicator rollup: internal data, derivable from the cases (gridgov.cases.rollup) ----------------------

class IndicatorRollup(models.Model):
    """The counts of RULES.md §1 per (town, grid, department, worker, professional category, kind, month):
    a row of the *due* part counts the cases whose handling deadline falls in `month` (应结案 and its
    numerators), a row of the *filed* part the cases filed (立案) in `month`; readers sum them. Derived from
    `Case` alone and recomputed from it (gridgov.cases.rollup.refresh), so it holds no user's change and has
    no audit records of its own."""

    town = models.ForeignKey("network.Division", on_delete=models.CASCADE, related_name="+")
    grid = models.ForeignKey("network.Division", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("network.Department", on_delete=models.CASCADE, null=True, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+")
    pro_category = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=20)
    month = models.DateField()  # first day of the month, Asia/Shanghai
    due = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    closed_on_time = models.PositiveIntegerField(default=0)
    deferred = models.PositiveIntegerField(default=0)
    reworked = models.PositiveIntegerField(default=0)
    extended = models.PositiveIntegerField(default=0)
    dispatched_on_time = models.PositiveIntegerField(default=0)
    dispatched_accurately = models.PositiveIntegerField(default=0)
    verified_on_time = models.PositiveIntegerField(default=0)
    complaints = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    solved = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    filed = models.PositiveIntegerField(default=0)

    # The columns the case scope (gridgov.cases.permissions.case_scope_q) names, under the same names.
    scope = ScopeSpec(division="grid", department="department")

    class Meta:
        indexes = [models.Index(fields=["grid", "month"], name="case_rollup_grid_idx"),
                   models.Index(fields=["town", "month"], name="case_rollup_town_idx")]


class IndicatorDirty(models.Model):
    """A (grid, month) group of the rollup that a transition changed: one plain INSERT per transition (no
    unique key, so concurrent transitions never wait on one another and a row is never absorbed by one a
    concurrent refresh is deleting); the next indicator read recomputes the group and deletes its rows.
    `grid_id` NULL marks everything dirty (after a migration or a bulk load)."""

    grid_id = models.BigIntegerField(null=True)
    month = models.DateField(null=True)
