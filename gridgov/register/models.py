"""Residents, households and enterprises. Every row carries its base grid and its town (derived from the
grid), and is scoped by the grid's subtree."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.models import VersionedModel
from gridgov.core.scope import ScopedManager, ScopeSpec
from gridgov.core.validators import validate_credit_code, validate_mobile, validate_resident_id


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Tag(models.TextChoices):
    """Care and attention tags of a resident (人员标签)."""

    DIBAO = "dibao", _("低保")
    ELDERLY_ALONE = "elderly_alone", _("独居老人")
    DISABLED = "disabled", _("残疾人")
    PARTY_MEMBER = "party_member", _("党员")
    VETERAN = "veteran", _("退役军人")
    LEFT_BEHIND_CHILD = "left_behind_child", _("留守儿童")
    KEY_PERSON = "key_person", _("重点人员")
    FLOATING = "floating", _("流动人口")


class Household(VersionedModel):
    number = models.CharField(_("户编号"), max_length=30)
    address = models.CharField(_("住址"), max_length=200)
    grid = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="households",
                             verbose_name=_("所属网格"))
    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("所属镇街"), editable=False)

    objects = ScopedManager()
    scope = ScopeSpec(division="grid")

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["town", "number"], name="household_number_per_town")]

    def __str__(self) -> str:
        return f"{self.number} {self.address}"


class Resident(VersionedModel):
    class Relation(models.TextChoices):
        HEAD = "head", _("户主")
        SPOUSE = "spouse", _("配偶")
        CHILD = "child", _("子女")
        PARENT = "parent", _("父母")
        OTHER = "other", _("其他")

    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18, validators=[validate_resident_id])
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("出生日期"), editable=False)
    phone = models.CharField(_("手机号"), max_length=11, blank=True, validators=[validate_mobile])
    household = models.ForeignKey(Household, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="members", verbose_name=_("所属户"))
    relation = models.CharField(_("与户主关系"), max_length=10, choices=Relation.choices, blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    grid = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="residents",
                             verbose_name=_("所属网格"))
    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("所属镇街"), editable=False)

    objects = ScopedManager()
    scope = ScopeSpec(division="grid")
    pii_fields = {"id_number": "id", "phone": "phone"}

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["town", "id_number"], name="resident_id_per_town")]
        indexes = [
            models.Index(fields=["grid", "-id"], name="reg_res_grid_idx"),
            models.Index(fields=["town", "name"], name="reg_res_town_name_idx"),
            models.Index(fields=["sex", "birth_date"], name="reg_res_sex_birth_idx"),
            models.Index(fields=["birth_date"], name="reg_res_birth_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tags(self) -> list[str]:
        # Lists prefetch into `tag_list` (a plain list): `tag_rows.all()` would build a queryset per row.
        rows = getattr(self, "tag_list", None)
        return [t.tag for t in (rows if rows is not None else self.tag_rows.all())]

    @property
    def tag_labels(self) -> list[str]:
        labels = dict(Tag.choices)
        return [str(labels.get(t, t)) for t in self.tags]


class ResidentTag(models.Model):
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="tag_rows")
    tag = models.CharField(_("标签"), max_length=20, choices=Tag.choices)

    class Meta:
        verbose_name = _("人员标签")
        constraints = [models.UniqueConstraint(fields=["tag", "resident"], name="resident_tag_unique")]


class Enterprise(VersionedModel):
    class Scale(models.TextChoices):
        LARGE = "large", _("大型")
        MEDIUM = "medium", _("中型")
        SMALL = "small", _("小型")
        MICRO = "micro", _("微型")

    name = models.CharField(_("企业名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, validators=[validate_credit_code])
    industry = models.CharField(_("行业"), max_length=50)
    scale = models.CharField(_("规模"), max_length=10, choices=Scale.choices)
    legal_representative = models.CharField(_("法定代表人"), max_length=50)
    legal_rep_phone = models.CharField(_("法定代表人手机号"), max_length=11, blank=True, validators=[validate_mobile])
    address = models.CharField(_("地址"), max_length=200)
    lat = models.FloatField(_("纬度"))
    lon = models.FloatField(_("经度"))
    grid = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="enterprises",
                             verbose_name=_("所属网格"))
    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("所属镇街"), editable=False)
    department = models.ForeignKey("network.Department", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="enterprises", verbose_name=_("主管部门"))
    is_key = models.BooleanField(_("重点企业"), default=False, db_index=True)

    objects = ScopedManager()
    scope = ScopeSpec(division="grid", department="department")
    pii_fields = {"legal_rep_phone": "phone"}

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["town", "credit_code"], name="enterprise_code_per_town")]
        indexes = [
            models.Index(fields=["grid", "-id"], name="reg_ent_grid_idx"),
            models.Index(fields=["town", "industry"], name="reg_ent_town_industry_idx"),
            models.Index(fields=["scale"], name="reg_ent_scale_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class ImportRun(models.Model):
    """One import of a register file: who, which file, how many rows went in, and the per-row error report
    (kept so the report can be downloaded again from any app process). Not a register record: not audited;
    the imported rows themselves are."""

    KINDS = [("residents", _("居民")), ("households", _("户")), ("enterprises", _("企业"))]

    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("导入人"))
    kind = models.CharField(_("类型"), max_length=12, choices=KINDS)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    partial = models.BooleanField(_("只导入正确的行"), default=False)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    imported = models.PositiveIntegerField(_("导入条数"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    errors = models.JSONField(_("错误明细"), default=list)  # [[row, column, value, reason], ...], capped

    objects = ScopedManager()
    scope = ScopeSpec(owner="user")

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"

    @property
    def rejected(self) -> bool:
        return self.error_count > 0 and not self.partial
