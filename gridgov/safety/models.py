"""Enterprise safety supervision (智慧+安全监管, RULES.md §5): each register enterprise's safety profile, the town's
rules (risk bands, inspection frequencies, the dynamic rating), versioned checklist templates, the 重大事故隐患
rule table, inspection plans and inspections answered item by item, hazards as a flow on the core engine
(登记 → 整改 → 验收 → 销号) and the history of every enterprise's colour."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.core.flow.subject import FlowEvent, FlowModel
from gridgov.core.models import VersionedModel
from gridgov.core.scope import ScopedManager, ScopedQuerySet, ScopeSpec, scope_q


def towns_of(user: Any) -> list[int]:
    """The towns a member of staff works in (any role, over a division or a department of the town)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False) \
            or getattr(user, "kind", "staff") != "staff":
        return []
    out = set()
    for a in user.assignments_cached():
        town = a.division.town_id if a.division_id else (a.department.town_id if a.department_id else None)
        if town:
            out.add(town)
    return sorted(out)


class TownCatalogueQuerySet(ScopedQuerySet):
    """A town's catalogue (checklist templates, the 判定标准 table): every member of the town's staff reads it
    (a grid worker inspects with it); changing it follows the usual scope (the town's administrator)."""

    def restrict(self, user: Any, action: str = "view") -> ScopedQuerySet:
        if action != "view":
            return super().restrict(user, action)
        q = scope_q(self.model, user, action)
        path = getattr(self.model, "TOWN_PATH", "town")
        mine = Q(**{f"{path}_id__in": towns_of(user)})
        return self.filter(mine | q if q is not None else mine) if q != Q() else self


TownCatalogueManager = models.Manager.from_queryset(TownCatalogueQuerySet)


class Colour(models.TextChoices):
    """The four colours of RULES.md §5, most severe first."""

    RED = "red", _("红色（重大风险）")
    ORANGE = "orange", _("橙色（较大风险）")
    YELLOW = "yellow", _("黄色（一般风险）")
    BLUE = "blue", _("蓝色（低风险）")


COLOUR_RANK = {Colour.BLUE: 0, Colour.YELLOW: 1, Colour.ORANGE: 2, Colour.RED: 3}
COLOUR_WORD = {Colour.RED: _("红色"), Colour.ORANGE: _("橙色"), Colour.YELLOW: _("黄色"), Colour.BLUE: _("蓝色")}


class SupervisionClass(models.TextChoices):
    """监管分级: A the best managed (least often inspected) … D the worst (most often)."""

    A = "A", _("A 类")
    B = "B", _("B 类")
    C = "C", _("C 类")
    D = "D", _("D 类")


class Industry(models.TextChoices):
    """The 工贸 industries of 应急管理部令第10号 (Art. 4–10), and the rest."""

    METALLURGY = "metallurgy", _("冶金")
    NONFERROUS = "nonferrous", _("有色")
    BUILDING = "building", _("建材")
    MACHINERY = "machinery", _("机械")
    LIGHT = "light", _("轻工")
    TEXTILE = "textile", _("纺织")
    TOBACCO = "tobacco", _("烟草")
    TRADE = "trade", _("商贸")
    CHEMICAL = "chemical", _("危险化学品")
    OTHER = "other", _("其他")


class RiskMethod(models.TextChoices):
    MATRIX = "matrix", _("风险矩阵（R = L × S）")
    LEC = "lec", _("作业条件危险性（D = L × E × C）")


class HazardLevel(models.TextChoices):
    GENERAL = "general", _("一般隐患")
    MAJOR = "major", _("重大隐患")


class SafetyRules(VersionedModel):
    """A town's safety configuration (RULES.md §5: "bands are configuration"): the bands of the 5×5 matrix and
    of LEC, the inspection interval of each supervision class, and the dynamic rating's weights and thresholds.
    A town without a row uses the defaults (`rules.DEFAULTS`)."""

    town = models.OneToOneField("network.Division", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("镇街"))
    matrix_red = models.PositiveSmallIntegerField(_("矩阵红色下限"), default=20)
    matrix_orange = models.PositiveSmallIntegerField(_("矩阵橙色下限"), default=9)
    matrix_yellow = models.PositiveSmallIntegerField(_("矩阵黄色下限"), default=4)
    lec_red = models.PositiveIntegerField(_("LEC 红色（D 大于）"), default=320)
    lec_orange = models.PositiveIntegerField(_("LEC 橙色（D 不小于）"), default=160)
    lec_yellow = models.PositiveIntegerField(_("LEC 黄色（D 不小于）"), default=70)
    days_a = models.PositiveSmallIntegerField(_("A 类检查间隔（天）"), default=90)
    days_b = models.PositiveSmallIntegerField(_("B 类检查间隔（天）"), default=60)
    days_c = models.PositiveSmallIntegerField(_("C 类检查间隔（天）"), default=45)
    days_d = models.PositiveSmallIntegerField(_("D 类检查间隔（天）"), default=30)
    base_yellow = models.PositiveSmallIntegerField(_("固有风险黄色基础分"), default=2)
    base_orange = models.PositiveSmallIntegerField(_("固有风险橙色基础分"), default=5)
    base_red = models.PositiveSmallIntegerField(_("固有风险红色基础分"), default=9)
    w_open = models.PositiveSmallIntegerField(_("每项未整改隐患"), default=1)
    w_overdue = models.PositiveSmallIntegerField(_("每项逾期隐患"), default=2)
    w_major = models.PositiveSmallIntegerField(_("每项重大隐患"), default=4)
    w_repeat = models.PositiveSmallIntegerField(_("每项重复隐患"), default=1)
    w_incident = models.PositiveSmallIntegerField(_("每起事故或处罚"), default=3)
    score_yellow = models.PositiveSmallIntegerField(_("黄色分数线"), default=2)
    score_orange = models.PositiveSmallIntegerField(_("橙色分数线"), default=5)
    score_red = models.PositiveSmallIntegerField(_("红色分数线"), default=9)

    objects = ScopedManager()
    scope = ScopeSpec(division="town")

    class Meta:
        verbose_name = _("安全监管规则")
        verbose_name_plural = _("安全监管规则")

    def __str__(self) -> str:
        return str(_("%(t)s安全监管规则") % {"t": self.town})


class SafetyProfile(VersionedModel):
    """The safety side of a register enterprise (企业安全档案)."""

    enterprise = models.OneToOneField("register.Enterprise", on_delete=models.PROTECT, related_name="safety",
                                      verbose_name=_("企业"))
    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="+", editable=False,
                             verbose_name=_("所属镇街"))
    industry = models.CharField(_("行业类别"), max_length=12, choices=Industry.choices, default=Industry.OTHER)
    employees = models.PositiveIntegerField(_("从业人员数"), default=0)
    hazardous_chemicals = models.BooleanField(_("涉及危险化学品"), default=False)
    chemicals = models.CharField(_("危险化学品名称"), max_length=200, blank=True)
    dust = models.BooleanField(_("涉爆粉尘"), default=False)
    confined_space = models.BooleanField(_("有限空间作业"), default=False)
    ammonia = models.BooleanField(_("涉氨制冷"), default=False)
    special_operations = models.CharField(_("特种作业"), max_length=200, blank=True,
                                          help_text=_("如：电工作业、焊接与热切割作业、高处作业"))
    risk_method = models.CharField(_("固有风险评估方法"), max_length=6, choices=RiskMethod.choices,
                                   default=RiskMethod.MATRIX)
    likelihood = models.FloatField(_("可能性 L"), default=1)
    severity = models.FloatField(_("严重性 S"), default=1)
    exposure = models.FloatField(_("暴露频率 E"), default=1)
    consequence = models.FloatField(_("后果 C"), default=1)
    inherent_value = models.FloatField(_("固有风险值"), default=1, editable=False)
    inherent_colour = models.CharField(_("固有风险等级"), max_length=6, choices=Colour.choices,
                                       default=Colour.BLUE, editable=False)
    # The dynamic rating, written by `rating.recompute` (set-based) only.
    colour = models.CharField(_("风险颜色"), max_length=6, choices=Colour.choices, default=Colour.BLUE,
                              editable=False)
    supervision_class = models.CharField(_("监管分级"), max_length=1, choices=SupervisionClass.choices,
                                         default=SupervisionClass.A, editable=False)
    score = models.PositiveIntegerField(_("动态风险分"), default=0, editable=False)
    n_open = models.PositiveIntegerField(_("未销号隐患"), default=0, editable=False)
    n_overdue = models.PositiveIntegerField(_("逾期隐患"), default=0, editable=False)
    n_major = models.PositiveIntegerField(_("未销号重大隐患"), default=0, editable=False)
    n_repeat = models.PositiveIntegerField(_("重复隐患"), default=0, editable=False)
    n_incident = models.PositiveIntegerField(_("事故与处罚"), default=0, editable=False)
    rated_at = models.DateTimeField(_("评级时间"), null=True, blank=True, editable=False)
    last_inspected_at = models.DateTimeField(_("最近检查"), null=True, blank=True, editable=False)
    principal = models.CharField(_("主要负责人"), max_length=50, blank=True)
    principal_phone = models.CharField(_("主要负责人电话"), max_length=11, blank=True)
    safety_officer = models.CharField(_("安全管理人员"), max_length=50, blank=True)
    safety_officer_phone = models.CharField(_("安全管理人员电话"), max_length=11, blank=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("包保干部"))
    pro_worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("包保专业网格员"))
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="safety_profiles", verbose_name=_("企业账号"))

    objects = ScopedManager()
    scope = ScopeSpec(division="enterprise__grid", department="enterprise__department", owner="account")
    pii_fields = {"principal_phone": "phone", "safety_officer_phone": "phone"}

    class Meta:
        verbose_name = _("企业安全档案")
        verbose_name_plural = _("企业安全档案")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["town", "colour"], name="safety_prof_town_colour_idx"),
            models.Index(fields=["town", "supervision_class"], name="safety_prof_town_class_idx"),
            models.Index(fields=["town", "industry"], name="safety_prof_town_ind_idx"),
            models.Index(fields=["pro_worker"], name="safety_prof_pro_idx"),
        ]

    def __str__(self) -> str:
        return str(self.enterprise.name) if self.enterprise_id else f"#{self.pk}"


class MajorHazardRule(VersionedModel):
    """One item of the 工贸企业重大事故隐患判定标准 (应急管理部令第10号, 2023): a finding on a linked checklist
    item is a 重大隐患 whatever the inspector ticks. A town's administrator keeps the table current."""

    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("镇街"))
    code = models.CharField(_("编号"), max_length=20)
    article = models.CharField(_("条款"), max_length=40)
    category = models.CharField(_("适用范围"), max_length=20)
    text = models.TextField(_("判定情形"))
    source = models.CharField(_("依据"), max_length=100, default="工贸企业重大事故隐患判定标准（应急管理部令第10号）")
    active = models.BooleanField(_("有效"), default=True)

    objects = TownCatalogueManager()
    scope = ScopeSpec(division="town")

    class Meta:
        verbose_name = _("重大事故隐患判定标准条目")
        verbose_name_plural = _("重大事故隐患判定标准条目")
        ordering = ["town", "code"]
        constraints = [models.UniqueConstraint(fields=["town", "code"], name="safety_rule_code_per_town")]

    def __str__(self) -> str:
        return f"{self.article} {self.text[:30]}"

    def citation(self) -> str:
        return f"《{self.source.split('（')[0]}》{self.article}"


class ChecklistTemplate(VersionedModel):
    """A checklist (检查表) in one version. Published versions are never edited: a change is a new version,
    and the one before is superseded; an inspection keeps the version it was started with."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ACTIVE = "active", _("现行")
        SUPERSEDED = "superseded", _("已被替换")

    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("镇街"))
    code = models.CharField(_("模板编码"), max_length=30)
    name = models.CharField(_("名称"), max_length=100)
    number = models.PositiveIntegerField(_("版本号"), default=1)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    applies_to = models.CharField(_("适用"), max_length=20, blank=True,
                                  help_text=_("dust / confined_space / ammonia / chemicals，空为所有企业"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    objects = TownCatalogueManager()
    scope = ScopeSpec(division="town")

    class Meta:
        verbose_name = _("检查表模板")
        verbose_name_plural = _("检查表模板")
        ordering = ["code", "-number"]
        constraints = [models.UniqueConstraint(fields=["town", "code", "number"], name="safety_template_version")]
        indexes = [models.Index(fields=["town", "state"], name="safety_tpl_town_state_idx")]

    def __str__(self) -> str:
        return f"{self.name}（第{self.number}版）"


class ChecklistSection(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    title = models.CharField(_("标题"), max_length=100)

    objects = TownCatalogueManager()
    scope = ScopeSpec(division="template__town")
    TOWN_PATH = "template__town"

    class Meta:
        ordering = ["template", "order"]

    def __str__(self) -> str:
        return self.title


class ChecklistItem(models.Model):
    """One row of a checklist (RULES.md §5: item, content, legal basis, method …) with its scoring and logic."""

    class Evidence(models.TextChoices):
        NONE = "none", _("不要求")
        PHOTO = "photo", _("须拍照")
        NOTE = "note", _("须说明")
        BOTH = "both", _("须拍照并说明")

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(ChecklistSection, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    code = models.CharField(_("编号"), max_length=20)
    content = models.TextField(_("检查内容"))
    legal_basis = models.CharField(_("法律依据"), max_length=300, blank=True)
    method = models.CharField(_("检查方法"), max_length=200, blank=True)
    points = models.PositiveSmallIntegerField(_("分值"), default=2)
    deduction = models.CharField(_("扣分标准"), max_length=200, blank=True)
    suggested_level = models.CharField(_("不符合时建议隐患等级"), max_length=8, choices=HazardLevel.choices,
                                       default=HazardLevel.GENERAL)
    evidence = models.CharField(_("不符合须留证"), max_length=6, choices=Evidence.choices, default=Evidence.PHOTO)
    follow_up = models.CharField(_("不符合时追问"), max_length=200, blank=True)
    notify = models.BooleanField(_("不符合时通知包保人"), default=False)
    major_rule = models.ForeignKey(MajorHazardRule, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="items", verbose_name=_("关联重大隐患判定条目"))

    objects = TownCatalogueManager()
    scope = ScopeSpec(division="template__town")
    TOWN_PATH = "template__town"

    class Meta:
        ordering = ["template", "order"]
        indexes = [models.Index(fields=["template", "order"], name="safety_item_tpl_order_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.content[:30]}"


class InspectionPlan(VersionedModel):
    """A batch of inspections: by supervision class (each class's interval) or a 双随机 draw."""

    class Kind(models.TextChoices):
        CLASS = "class", _("按监管分级")
        RANDOM = "random", _("双随机抽查")

    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("镇街"))
    kind = models.CharField(_("方式"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("检查表"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("截止日期"))
    seed = models.CharField(_("抽取种子"), max_length=40, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("制定人"))
    published_at = models.DateTimeField(_("结果公示时间"), null=True, blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(division="town")

    class Meta:
        verbose_name = _("检查计划")
        verbose_name_plural = _("检查计划")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name


class Inspection(VersionedModel):
    """One inspection of one enterprise with one template version: answered item by item (each answer saved
    as it is given), then submitted once (scored, hazards registered, rating recomputed)."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("监管检查")
        SELF = "self", _("企业自查")
        JOINT = "joint", _("联合检查")

    class State(models.TextChoices):
        ASSIGNED = "assigned", _("待检查")
        ONGOING = "ongoing", _("检查中")
        SUBMITTED = "submitted", _("已提交")

    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="+", editable=False)
    profile = models.ForeignKey(SafetyProfile, on_delete=models.PROTECT, related_name="inspections",
                                verbose_name=_("企业"))
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="inspections",
                                 verbose_name=_("检查表"))
    plan = models.ForeignKey(InspectionPlan, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="inspections", verbose_name=_("检查计划"))
    kind = models.CharField(_("类型"), max_length=6, choices=Kind.choices, default=Kind.STAFF)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.ASSIGNED)
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("检查人"))
    departments = models.ManyToManyField("network.Department", blank=True, related_name="+",
                                         verbose_name=_("联合检查部门"))
    due_on = models.DateField(_("应检日期"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    score = models.FloatField(_("得分"), null=True, blank=True)
    max_score = models.PositiveIntegerField(_("满分"), default=0)
    n_fail = models.PositiveIntegerField(_("不符合项"), default=0)
    n_major = models.PositiveIntegerField(_("重大隐患"), default=0)

    objects = ScopedManager()
    scope = ScopeSpec(division="profile__enterprise__grid", department="profile__enterprise__department",
                      owner="inspector")

    class Meta:
        verbose_name = _("安全检查")
        verbose_name_plural = _("安全检查")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["inspector", "state"], name="safety_insp_inspector_idx"),
            models.Index(fields=["profile", "-id"], name="safety_insp_profile_idx"),
            models.Index(fields=["town", "state", "due_on"], name="safety_insp_town_idx"),
        ]

    def __str__(self) -> str:
        return str(_("%(e)s · %(t)s") % {"e": self.profile, "t": self.template.name})


class InspectionAnswer(models.Model):
    """One item's answer, saved the moment it is given (a lost connection loses nothing)."""

    class Result(models.TextChoices):
        PASS = "pass", _("符合")
        FAIL = "fail", _("不符合")
        NA = "na", _("不适用")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("结果"), max_length=4, choices=Result.choices)
    level = models.CharField(_("隐患等级"), max_length=8, choices=HazardLevel.choices, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    follow_up = models.CharField(_("追问回答"), max_length=500, blank=True)
    place = models.CharField(_("部位"), max_length=100, blank=True)
    photo = models.FileField(_("照片"), upload_to="safety/%Y/%m/", blank=True)
    answered_at = models.DateTimeField(_("作答时间"), auto_now=True)

    objects = ScopedManager()
    scope = ScopeSpec(division="inspection__profile__enterprise__grid",
                      department="inspection__profile__enterprise__department", owner="inspection__inspector")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="safety_answer_once")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.result}"


class Hazard(FlowModel):
    """A 隐患 through 登记 → 整改 (五定) → 验收 → 销号 (the flow in `flow.py`)."""

    number = models.CharField(_("编号"), max_length=24, unique=True, null=True, blank=True)
    title = models.CharField(_("隐患"), max_length=200)
    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="+", editable=False)
    profile = models.ForeignKey(SafetyProfile, on_delete=models.PROTECT, related_name="hazards",
                                verbose_name=_("企业"))
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="hazards", verbose_name=_("来源检查"))
    item = models.ForeignKey(ChecklistItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("检查项"))
    level = models.CharField(_("等级"), max_length=8, choices=HazardLevel.choices)
    major_rule = models.ForeignKey(MajorHazardRule, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("重大隐患判定依据"))
    major_reason = models.CharField(_("判定为重大隐患的依据"), max_length=300, blank=True)
    place = models.CharField(_("部位"), max_length=100, blank=True)
    legal_basis = models.CharField(_("法律依据"), max_length=300, blank=True)
    photo = models.FileField(_("照片"), upload_to="safety/%Y/%m/", blank=True)
    found_at = models.DateTimeField(_("发现时间"))
    found_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("发现人"))
    is_repeat = models.BooleanField(_("重复隐患"), default=False)
    # 五定
    rect_person = models.CharField(_("整改责任人"), max_length=50, blank=True)
    rect_measure = models.TextField(_("整改措施"), blank=True)
    rect_funds = models.DecimalField(_("整改资金（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    deadline = models.DateTimeField(_("整改期限"), null=True, blank=True)
    rect_contingency = models.TextField(_("应急预案/防范措施"), blank=True)
    evidence_note = models.TextField(_("整改情况"), blank=True)
    evidence_photo = models.FileField(_("整改照片"), upload_to="safety/%Y/%m/", blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("验收人"))
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    reported_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    supervised_at = models.DateTimeField(_("挂牌督办时间"), null=True, blank=True)
    supervisor_note = models.CharField(_("督办要求"), max_length=300, blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(division="profile__enterprise__grid", department="profile__enterprise__department",
                      owner="profile__account")

    FLOW_KIND = "hazard"
    FLOW_EVENT_MODEL = "safety.HazardEvent"
    FLOW_EVENT_FK = "hazard"
    FLOW_MUTABLE = ("rect_person", "rect_measure", "rect_funds", "deadline", "rect_contingency", "evidence_note",
                    "accepted_by", "accepted_at", "closed_at", "reported_at", "supervised_at", "supervisor_note")
    FLOW_URL = "/safety/hazards/{pk}/"
    FLOW_BULK_COLUMNS = ("id", "number", "title", "profile_id", "town_id", "level")

    class Meta:
        verbose_name = _("隐患")
        verbose_name_plural = _("隐患")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["step_deadline"], condition=Q(status="open", overdue=False),
                         name="safety_hazard_sweep_idx"),
            models.Index(fields=["profile", "status"], name="safety_hazard_profile_idx"),
            models.Index(fields=["town", "found_at"], name="safety_hazard_town_found_idx"),
            models.Index(fields=["town", "status", "level"], name="safety_hazard_town_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number or ''} {self.title}".strip()

    # -- the engine's hooks --------------------------------------------------------------------------------
    def flow_number_prefix(self, now: Any) -> str:
        return "YH" + now.strftime("%Y")

    def flow_allows(self, user: Any, permission: str) -> bool:
        from gridgov.core.scope import scope_q

        q = scope_q(Hazard, user, permission)
        return q is not None and Hazard._base_manager.filter(q, pk=self.pk).exists()

    @classmethod
    def flow_scope_q(cls, user: Any, permission: str) -> Q | None:
        from gridgov.core.scope import scope_q

        return scope_q(cls, user, permission)

    def flow_after(self, ctx: Any, event: Any, photos: Any) -> None:
        """Evidence photos of 提交整改 kept on the hazard; the enterprise re-rated after every step."""
        from . import rating
        from .services import store_evidence

        if ctx.transition.name == "submit" and photos:
            store_evidence(self, photos)
        rating.recompute(profile_ids=[self.profile_id], trigger=str(ctx.transition.label))

    def flow_recipients(self, groups: Any) -> set[int]:
        from .selectors import hazard_people

        return hazard_people(self, groups)

    @classmethod
    def flow_overdue_recipients(cls, rows: list[dict[str, Any]]) -> dict[int, set[int]]:
        from .selectors import overdue_people

        return overdue_people(rows)


class HazardEvent(FlowEvent):
    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="events")

    objects = ScopedManager()
    scope = ScopeSpec(division="hazard__profile__enterprise__grid",
                      department="hazard__profile__enterprise__department", owner="hazard__profile__account")


class Incident(VersionedModel):
    """An accident or an administrative penalty of an enterprise: both weigh on its rating for 12 months."""

    class Kind(models.TextChoices):
        ACCIDENT = "accident", _("生产安全事故")
        PENALTY = "penalty", _("行政处罚")

    profile = models.ForeignKey(SafetyProfile, on_delete=models.PROTECT, related_name="incidents",
                                verbose_name=_("企业"))
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    occurred_on = models.DateField(_("日期"))
    description = models.CharField(_("情况"), max_length=300)

    objects = ScopedManager()
    scope = ScopeSpec(division="profile__enterprise__grid", department="profile__enterprise__department")

    class Meta:
        verbose_name = _("事故与处罚")
        verbose_name_plural = _("事故与处罚")
        indexes = [models.Index(fields=["profile", "occurred_on"], name="safety_incident_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


class RatingChange(models.Model):
    """One change of an enterprise's colour or class, with the reason in words."""

    profile = models.ForeignKey(SafetyProfile, on_delete=models.CASCADE, related_name="rating_changes")
    time = models.DateTimeField(_("时间"))
    colour_before = models.CharField(_("原颜色"), max_length=6, choices=Colour.choices)
    colour = models.CharField(_("新颜色"), max_length=6, choices=Colour.choices)
    class_before = models.CharField(_("原分级"), max_length=1)
    supervision_class = models.CharField(_("新分级"), max_length=1)
    score = models.PositiveIntegerField(_("风险分"))
    trigger = models.CharField(_("触发"), max_length=40)
    reason = models.CharField(_("原因"), max_length=300)

    objects = ScopedManager()
    scope = ScopeSpec(division="profile__enterprise__grid", department="profile__enterprise__department",
                      owner="profile__account")

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["profile", "-time"], name="safety_rating_profile_idx"),
                   models.Index(fields=["time"], name="safety_rating_time_idx")]

    def __str__(self) -> str:
        return f"{self.profile_id} {self.colour_before}→{self.colour}"
