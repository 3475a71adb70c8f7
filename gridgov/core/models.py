"""Shared tables: the audit chain, the personal-data access log, working-day overrides."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .scope import ScopedManager, ScopeSpec


class VersionedModel(models.Model):
    """Optimistic concurrency: every update bumps `version`; an update against a stale version conflicts."""

    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class ChangeRecord(models.Model):
    """Append-only, hash-chained record of one create/update/delete (never edited, never deleted).

    `seq` is the record's place in the chain. Online writes insert records unsealed (`seq` NULL, no hashes)
    and the sealer chains them right after their transaction commits (see `gridgov.core.audit`)."""

    ACTIONS = [("create", _("新增")), ("update", _("修改")), ("delete", _("删除"))]

    time = models.DateTimeField(_("时间"), db_index=True)
    actor_id = models.BigIntegerField(_("操作人ID"), null=True)
    actor = models.CharField(_("操作人"), max_length=150, blank=True)
    request_id = models.CharField(_("请求ID"), max_length=64, blank=True)
    action = models.CharField(_("动作"), max_length=10, choices=ACTIONS)
    model = models.CharField(_("对象类型"), max_length=100)
    object_id = models.CharField(_("对象ID"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    before = models.JSONField(_("修改前"), null=True)
    after = models.JSONField(_("修改后"), null=True)
    seq = models.BigIntegerField(_("链序号"), null=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        indexes = [models.Index(fields=["model", "object_id", "id"], name="core_change_object_idx"),
                   # The sealer's work list: small, since records are sealed right after they commit.
                   models.Index(fields=["id"], name="core_change_unsealed_idx", condition=models.Q(seq__isnull=True))]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.model}:{self.object_id}"


class AuditHead(models.Model):
    """The chain's tip (one row). Sealing locks it, so the chain is a total order across processes."""

    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)
    last_seq = models.BigIntegerField(default=0)


class AccessLog(models.Model):
    """Who saw or exported unmasked personal data: when, which record, which fields, why (RULES.md §7)."""

    time = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("用户"))
    request_id = models.CharField(max_length=64, blank=True)
    kind = models.CharField(_("方式"), max_length=10, choices=[("view", _("查看")), ("export", _("导出"))])
    model = models.CharField(_("对象类型"), max_length=100)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True)
    count = models.PositiveIntegerField(_("记录数"), default=1)
    fields = models.CharField(_("字段"), max_length=200)
    reason = models.CharField(_("事由"), max_length=200, blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(owner="user")

    class Meta:
        verbose_name = _("个人信息访问记录")
        verbose_name_plural = _("个人信息访问记录")
        indexes = [models.Index(fields=["model", "object_id"], name="core_access_object_idx")]


class WorkdayOverride(models.Model):
    """Official holiday table for a year, loaded by an administrator (RULES.md §2): a date and whether it
    is a working day (调休 make-up day) or not (statutory holiday)."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")


class OfficialYear(models.Model):
    """A year whose holiday table is official (RULES.md §2): a complete table was loaded for it (`gridgov holidays
    load`, the holiday page's upload) or the administrator marked it official. A single override row does not make
    a year official: the rest of it would still be the package's estimate."""

    class Source(models.TextChoices):
        TABLE = "table", _("加载正式安排")
        MARK = "mark", _("管理员标为正式")

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("依据"), max_length=5, choices=Source.choices)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("正式节假日年份")
        verbose_name_plural = _("正式节假日年份")

    def __str__(self) -> str:
        return str(self.year)


class CalendarState(models.Model):
    """One row: bumped whenever the working-day overrides or working hours change, so every process
    reloads its cached calendar (gridgov.core.calendar) on its next version check."""

    version = models.BigIntegerField(default=0)


class WorkingHoursConfig(models.Model):
    """Working hours of one jurisdiction (a division code; empty = the installation default), RULES.md §2.
    `periods` is written "09:00-12:00,13:30-17:30"."""

    jurisdiction = models.CharField(_("辖区代码"), max_length=18, unique=True, blank=True)
    periods = models.CharField(_("工作时段"), max_length=200, default="09:00-12:00,13:30-17:30")
    timezone = models.CharField(_("时区"), max_length=40, default="Asia/Shanghai")
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("工作时间")
        verbose_name_plural = _("工作时间")

    def __str__(self) -> str:
        return f"{self.jurisdiction or '*'} {self.periods}"


class Notification(models.Model):
    """An in-app notification of any flow: its subject named by model label and id (a case, an application, a
    hazard …), its link, read or not. External channels are sent after commit (gridgov.core.notify)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("接收人"))
    subject_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    subject_id = models.BigIntegerField(_("对象ID"), null=True, blank=True)
    kind = models.CharField(_("类型"), max_length=30)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "id"], name="core_notice_inbox_idx"),
                   models.Index(fields=["subject_type", "subject_id"], name="core_notice_subject_idx")]


class DocumentCounter(models.Model):
    """The last number given to a kind of document in one jurisdiction and year (泊里受字〔2026〕第0001号):
    locked while a document takes the next one, so two issuers never share a number."""

    kind = models.CharField(_("文书类型"), max_length=60)
    jurisdiction = models.CharField(_("辖区代码"), max_length=18, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已用序号"), default=0)

    class Meta:
        verbose_name = _("文书编号计数")
        verbose_name_plural = _("文书编号计数")
        constraints = [models.UniqueConstraint(fields=["kind", "jurisdiction", "year"],
                                               name="core_doccounter_unique")]


class Document(VersionedModel):
    """A document issued by an app (受理通知书, 处罚决定书 …): numbered, its content as structured blocks, signed
    with the installation's Ed25519 key, rendered once to a PDF carrying a QR code of its verification link
    (gridgov.core.documents). Only withdrawal or replacement changes it afterwards."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("有效")
        WITHDRAWN = "withdrawn", _("已撤销")
        SUPERSEDED = "superseded", _("已被替代")

    kind = models.CharField(_("文书类型"), max_length=60)
    number = models.CharField(_("文号"), max_length=80)
    jurisdiction = models.CharField(_("辖区代码"), max_length=18, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    seq = models.PositiveIntegerField(_("序号"))
    title = models.CharField(_("标题"), max_length=200)
    issuer = models.CharField(_("出具机关"), max_length=100)
    issued_at = models.DateTimeField(_("出具时间"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("出具人"))
    subject_type = models.CharField(_("对象类型"), max_length=60)
    subject_id = models.BigIntegerField(_("对象ID"))
    subject_summary = models.CharField(_("对象摘要（已脱敏）"), max_length=200, blank=True)
    body = models.JSONField(_("正文"), default=list)
    content_sha256 = models.CharField(_("内容摘要"), max_length=64)
    key_id = models.CharField(_("签名密钥"), max_length=16)
    signature = models.CharField(_("签名"), max_length=100)
    pdf = models.FileField(_("PDF"), upload_to="documents/%Y/%m/", max_length=200, blank=True)
    pdf_sha256 = models.CharField(_("PDF 摘要"), max_length=64, blank=True)
    pdf_signature = models.CharField(_("PDF 签名"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.ISSUED)
    status_reason = models.CharField(_("撤销或替代原因"), max_length=200, blank=True)
    status_changed_at = models.DateTimeField(_("撤销或替代时间"), null=True, blank=True)
    superseded_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                      verbose_name=_("替代文书"))

    class Meta:
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        constraints = [models.UniqueConstraint(fields=["kind", "jurisdiction", "year", "seq"],
                                               name="core_document_number_unique")]
        indexes = [models.Index(fields=["subject_type", "subject_id", "id"], name="core_document_subject_idx"),
                   models.Index(fields=["pdf_sha256"], name="core_document_pdf_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class RateCount(models.Model):
    """Requests counted against one key in one fixed window of a public route's rate limit (core/ratelimit.py)."""

    key = models.CharField(max_length=200)
    window_start = models.BigIntegerField()  # seconds since the epoch, a multiple of the window's length
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="core_ratecount_key_window")]
