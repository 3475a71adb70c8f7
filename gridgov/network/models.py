"""Division tree and departments."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.models import VersionedModel
from gridgov.core.scope import ScopedManager, ScopeSpec


class Level(models.IntegerChoices):
    DISTRICT = 1, _("区（县）")
    TOWN = 2, _("镇（街道）")
    VILLAGE = 3, _("村（社区）")
    REGION_GRID = 4, _("片区网格")
    BASE_GRID = 5, _("基础网格")


class GridType(models.TextChoices):
    URBAN = "urban", _("城镇社区网格")
    RURAL = "rural", _("农村网格")
    INDUSTRIAL = "industrial", _("园区企业网格")
    SPECIAL = "special", _("专属网格")


class Division(VersionedModel):
    """A node of the tree. `path` is the chain of codes from the root ("370211/370211107000/…/"), so a
    subtree is one indexed prefix match. Codes follow RULES.md §6: 6 digits for a district, 12 for a town or
    village (county 6 + township 3 + village 3), and village code + 3 + 3 digits for region and base grids."""

    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("上级"))
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices, db_index=True)
    code = models.CharField(_("统计代码"), max_length=18, unique=True,
                            validators=[RegexValidator(r"^\d{6}(\d{6}(\d{3}(\d{3})?)?)?$", _("统计代码格式错误"))])
    name = models.CharField(_("名称"), max_length=100)
    path = models.CharField(_("路径"), max_length=255, unique=True, editable=False)
    town = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("所属镇街"), editable=False)
    grid_type = models.CharField(_("网格类型"), max_length=12, choices=GridType.choices, blank=True)
    polygon = models.TextField(_("边界（GeoJSON，WGS-84）"), blank=True)
    area_km2 = models.FloatField(_("面积（平方公里）"), null=True, blank=True)
    center_lat = models.FloatField(_("中心纬度"), null=True, blank=True)
    center_lon = models.FloatField(_("中心经度"), null=True, blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(division="self")
    audit_exclude = ("polygon",)

    class Meta:
        verbose_name = _("区划网格")
        verbose_name_plural = _("区划网格")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_grid(self) -> bool:
        return self.level >= Level.REGION_GRID

    def ancestors_paths(self) -> list[str]:
        parts = self.path.strip("/").split("/")
        return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts) - 1)]


class Department(VersionedModel):
    """One of the town's departments merged into the one network (15 in 泊里镇)."""

    town = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="departments",
                             verbose_name=_("所属镇街"), limit_choices_to={"level": Level.TOWN})
    code = models.CharField(_("部门代码"), max_length=20)
    name = models.CharField(_("部门名称"), max_length=100)
    head = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("部门负责人"))

    objects = ScopedManager()
    scope = ScopeSpec(division="town", department="self")

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["town_id", "code"]
        constraints = [models.UniqueConstraint(fields=["town", "code"], name="department_code_per_town"),
                       models.UniqueConstraint(fields=["town", "name"], name="department_name_per_town")]

    def __str__(self) -> str:
        return self.name


class GeoState(models.Model):
    """One row: bumped whenever a grid polygon changes, so every process rebuilds its locator."""

    version = models.BigIntegerField(default=0)
