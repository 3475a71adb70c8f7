"""Open311 clients (a system allowed to post reports, with a hashed API key) and the Open311 details of a
posted request that the case itself does not keep (contact e-mail, device, account, media URL)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.scope import ScopedManager, ScopeSpec


class Client(models.Model):
    """A system that posts reports. Its API key is shown once; only a SHA-256 of it is stored (keys are 256
    random bits, so a fast hash is as safe as a slow one and keeps every POST cheap)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    contact = models.CharField(_("联系人"), max_length=100, blank=True)
    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("限定镇街（空为不限）"))
    key_prefix = models.CharField(_("密钥前缀"), max_length=8, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    audit_exclude = ("key_hash",)
    # A town's administrator sees and keeps its town's clients; one reporting into every town (town empty)
    # is the installation's, kept by who administers it.
    scope = ScopeSpec(division="town")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("Open311 客户端")
        verbose_name_plural = _("Open311 客户端")

    def __str__(self) -> str:
        return self.name


class Request(models.Model):
    """One POST of a client: which case it made (or followed, when it duplicated an open case)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="open311_requests",
                             verbose_name=_("案卷"))
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="requests",
                               verbose_name=_("客户端"))
    email = models.CharField(_("电子邮箱"), max_length=254, blank=True)
    device_id = models.CharField(_("设备标识"), max_length=100, blank=True)
    account_id = models.CharField(_("账户标识"), max_length=100, blank=True)
    media_url = models.URLField(_("图片链接"), max_length=500, blank=True)
    attributes = models.JSONField(_("属性"), default=dict, blank=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=100, null=True, blank=True)
    followed = models.BooleanField(_("重复上报（关注已有案卷）"), default=False)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 请求")
        verbose_name_plural = _("Open311 请求")
        indexes = [models.Index(fields=["case"], name="open311_request_case_idx")]
        constraints = [models.UniqueConstraint(fields=["client", "idempotency_key"], name="open311_request_once")]
