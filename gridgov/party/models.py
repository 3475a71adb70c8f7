"""Models of party building (智慧党建).

The organisation tree (镇党委 — 新村党委 — 网格党支部 — 党员中心户, and the 两新 committee with its branches) carries
its own materialized `path`, so a branch secretary sees their subtree and the town party office the whole town
with one indexed prefix match. Every other party row reaches the tree through `org` (see `access.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.models import VersionedModel
from gridgov.core.validators import validate_mobile, validate_resident_id

from .access import PartyManager, PartyScope


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", _("党委")
    WORKING_COMMITTEE = "working_committee", _("党工委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    GROUP = "group", _("党小组")
    HOUSEHOLD = "household", _("党员中心户")


# Organisations that hold members and run 三会一课 (the compliance board is per branch).
BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH)


class Sector(models.TextChoices):
    TOWN = "town", _("镇街机关")
    VILLAGE = "village", _("村（社区）")
    GRID = "grid", _("网格")
    DEPARTMENT = "department", _("部门")
    ENTERPRISE = "enterprise", _("非公企业")
    SOCIAL_ORG = "social_org", _("社会组织")


class PartyOrganisation(VersionedModel):
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("上级组织"))
    kind = models.CharField(_("组织类型"), max_length=20, choices=OrgKind.choices)
    sector = models.CharField(_("领域"), max_length=12, choices=Sector.choices, default=Sector.VILLAGE)
    name = models.CharField(_("组织名称"), max_length=100)
    code = models.CharField(_("组织代码"), max_length=40, unique=True)
    path = models.CharField(_("路径"), max_length=400, unique=True, editable=False)
    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("所属镇街"))
    # The division the organisation belongs to (a grid for a grid branch, the town for 两新 branches).
    division = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="party_organisations",
                                 verbose_name=_("对应区划网格"))
    enterprise = models.ForeignKey("register.Enterprise", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("所在企业"))
    department = models.ForeignKey("network.Department", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("所在部门"))
    is_two_new = models.BooleanField(_("两新组织"), default=False)
    has_committee = models.BooleanField(_("设支部委员会"), default=False)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)

    objects = PartyManager()
    scope = PartyScope(org="self", division="division")

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["path"]
        indexes = [models.Index(fields=["town", "kind"], name="party_org_town_kind_idx"),
                   models.Index(fields=["kind", "path"], name="party_org_kind_path_idx")]

    def __str__(self) -> str:
        return self.name


class OrgOfficer(models.Model):
    """Who leads an organisation: a secretary (and the town party office on the town committee) acts on its
    whole subtree."""

    class Post(models.TextChoices):
        SECRETARY = "secretary", _("书记")
        DEPUTY = "deputy", _("副书记")
        COMMITTEE = "committee", _("委员")
        OFFICE = "office", _("党建办")

    org = models.ForeignKey(PartyOrganisation, on_delete=models.CASCADE, related_name="officers",
                            verbose_name=_("党组织"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="party_posts",
                             verbose_name=_("用户"))
    post = models.CharField(_("职务"), max_length=12, choices=Post.choices)

    objects = PartyManager()
    scope = PartyScope(org="org", division="org__division")

    class Meta:
        verbose_name = _("组织负责人")
        verbose_name_plural = _("组织负责人")
        constraints = [models.UniqueConstraint(fields=["org", "user", "post"], name="party_officer_unique")]


class MemberStatus(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    ACTIVIST = "activist", _("入党积极分子")
    CANDIDATE = "candidate", _("发展对象")
    PROBATIONARY = "probationary", _("预备党员")
    FULL = "full", _("正式党员")


class Member(VersionedModel):
    class Registration(models.TextChoices):
        PENDING = "pending", _("待支部审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="party_member", verbose_name=_("登录账号"))
    resident = models.ForeignKey("register.Resident", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("居民档案"))
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True, validators=[validate_resident_id])
    phone = models.CharField(_("手机号"), max_length=11, blank=True, validators=[validate_mobile])
    status = models.CharField(_("党员状态"), max_length=14, choices=MemberStatus.choices,
                              default=MemberStatus.FULL)
    applied_on = models.DateField(_("申请入党日期"), null=True, blank=True)
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    confirmed_on = models.DateField(_("转正日期"), null=True, blank=True)
    org = models.ForeignKey(PartyOrganisation, on_delete=models.PROTECT, related_name="members",
                            verbose_name=_("所在支部"))
    group = models.ForeignKey(PartyOrganisation, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="group_members", verbose_name=_("党小组"))
    central_household = models.ForeignKey(PartyOrganisation, on_delete=models.SET_NULL, null=True, blank=True,
                                          related_name="household_members", verbose_name=_("党员中心户"))
    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("所属镇街"), editable=False)
    registration = models.CharField(_("注册审核"), max_length=10, choices=Registration.choices,
                                    default=Registration.APPROVED)
    active = models.BooleanField(_("在册"), default=True)

    objects = PartyManager()
    scope = PartyScope(org="org", division="org__division", owner="user")
    pii_fields = {"id_number": "id", "phone": "phone"}

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["org_id", "name"]
        indexes = [models.Index(fields=["org", "status"], name="party_member_org_status_idx"),
                   models.Index(fields=["town", "status"], name="party_member_town_status_idx"),
                   models.Index(fields=["registration", "org"], name="party_member_reg_idx"),
                   models.Index(fields=["name"], name="party_member_name_idx")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.status == MemberStatus.FULL and self.joined_on and self.confirmed_on \
                and self.confirmed_on < self.joined_on:
            raise ValidationError({"confirmed_on": _("转正日期不能早于入党日期")})


class Transfer(models.Model):
    """A move between branches; the rows are the member's history. Across towns the receiving side accepts."""

    class State(models.TextChoices):
        PENDING = "pending", _("待接收方确认")
        DONE = "done", _("已转接")
        REJECTED = "rejected", _("接收方拒绝")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="transfers", verbose_name=_("党员"))
    from_org = models.ForeignKey(PartyOrganisation, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("转出支部"))
    to_org = models.ForeignKey(PartyOrganisation, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("转入支部"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    cross_town = models.BooleanField(_("跨镇街"), default=False)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("发起人"))
    requested_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("接收方确认人"))
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    objects = PartyManager()
    # Either side of the move sees it (the receiving secretary must, to accept it).
    scope = PartyScope(org=("from_org", "to_org"), division="from_org__division", owner="member__user")

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["state", "to_org"], name="party_transfer_state_idx")]


class MeetingKind(models.TextChoices):
    GENERAL_ASSEMBLY = "assembly", _("支部党员大会")
    COMMITTEE = "committee", _("支部委员会")
    GROUP = "group", _("党小组会")
    LECTURE = "lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")
    LIFE = "life", _("组织生活会")
    APPRAISAL = "appraisal", _("民主评议党员")


class Meeting(VersionedModel):
    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("已安排")
        HELD = "held", _("已召开")
        CANCELLED = "cancelled", _("已取消")

    org = models.ForeignKey(PartyOrganisation, on_delete=models.PROTECT, related_name="meetings",
                            verbose_name=_("党组织"))
    kind = models.CharField(_("类型"), max_length=12, choices=MeetingKind.choices)
    title = models.CharField(_("主题"), max_length=200)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.SCHEDULED)
    minutes = models.TextField(_("会议记录"), blank=True)
    checkin_token = models.CharField(_("签到码"), max_length=40, unique=True, editable=False)
    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("所属镇街"), editable=False)

    objects = PartyManager()
    scope = PartyScope(org="org", division="org__division", member_view="org")
    audit_exclude = ("checkin_token",)

    class Meta:
        verbose_name = _("组织生活")
        verbose_name_plural = _("组织生活")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["org", "kind", "starts_at"], name="party_meeting_org_kind_idx"),
                   models.Index(fields=["town", "starts_at"], name="party_meeting_town_idx"),
                   models.Index(fields=["kind", "starts_at"], name="party_meeting_kind_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.title}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("结束时间必须晚于开始时间")})


class MeetingPhoto(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="photos", verbose_name=_("会议"))
    image = models.FileField(_("照片"), upload_to="party/meetings/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = PartyManager()
    scope = PartyScope(org="meeting__org", division="meeting__org__division", member_view="org")
    audit_exclude = ("image",)


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("出席")
        LATE = "late", _("迟到")
        LEAVE = "leave", _("请假")
        ABSENT = "absent", _("缺席")

    class Method(models.TextChoices):
        QR = "qr", _("扫码签到")
        SECRETARY = "secretary", _("书记标记")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance",
                                verbose_name=_("会议"))
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="attendance",
                               verbose_name=_("党员"))
    status = models.CharField(_("出勤"), max_length=8, choices=Status.choices)
    method = models.CharField(_("方式"), max_length=10, choices=Method.choices)
    checked_at = models.DateTimeField(_("签到时间"))

    objects = PartyManager()
    scope = PartyScope(org="meeting__org", division="meeting__org__division", owner="member__user")

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="party_attendance_once")]
        indexes = [models.Index(fields=["member", "checked_at"], name="party_att_member_idx")]


class Vote(models.Model):
    """A decision of the 支部党员大会: valid only with more than half of the voting (full) members present."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="votes", verbose_name=_("会议"))
    subject = models.CharField(_("表决事项"), max_length=200)
    voting_members = models.PositiveIntegerField(_("有表决权党员数"))
    present_voting = models.PositiveIntegerField(_("到会有表决权党员数"))
    yes = models.PositiveIntegerField(_("赞成"), default=0)
    no = models.PositiveIntegerField(_("反对"), default=0)
    abstain = models.PositiveIntegerField(_("弃权"), default=0)
    passed = models.BooleanField(_("通过"), default=False)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = PartyManager()
    scope = PartyScope(org="meeting__org", division="meeting__org__division")


class PointCategory(models.TextChoices):
    MEETING = "meeting", _("三会一课")
    THEME_DAY = "theme_day", _("主题党日")
    VOLUNTEER = "volunteer", _("志愿服务")
    STUDY = "study", _("学习课程")
    ABSENCE = "absence", _("缺席")
    LATENESS = "lateness", _("迟到")
    OTHER = "other", _("其他")
    VETO = "veto", _("一票否决")


class PointRule(VersionedModel):
    """One line of the rules table (RULES.md §4 defaults); a town may override a code with its own row."""

    code = models.CharField(_("规则代码"), max_length=30)
    town = models.ForeignKey("network.Division", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name=_("适用镇街（空为默认）"))
    category = models.CharField(_("类别"), max_length=12, choices=PointCategory.choices)
    label = models.CharField(_("名称"), max_length=100)
    points = models.IntegerField(_("分值"))
    annual_cap = models.PositiveIntegerField(_("年度上限"), null=True, blank=True)
    claimable = models.BooleanField(_("党员可申报"), default=False)
    active = models.BooleanField(_("启用"), default=True)

    objects = PartyManager()
    scope = PartyScope(division="town", member_view="town")

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        constraints = [models.UniqueConstraint(fields=["code", "town"], name="party_rule_code_town")]

    def __str__(self) -> str:
        return self.label


class PointEntry(models.Model):
    """Append-only ledger line: never updated, never deleted; corrections are new lines with a reason."""

    class Source(models.TextChoices):
        AUTO = "auto", _("自动")
        CLAIM = "claim", _("申报")
        MANUAL = "manual", _("书记录入")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="point_entries",
                               verbose_name=_("党员"))
    org = models.ForeignKey(PartyOrganisation, on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("支部"))
    year = models.PositiveSmallIntegerField(_("年度"))
    category = models.CharField(_("类别"), max_length=12, choices=PointCategory.choices)
    rule_code = models.CharField(_("规则代码"), max_length=30, blank=True)
    points = models.IntegerField(_("分值"))
    reason = models.CharField(_("事由"), max_length=200)
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    source_ref = models.CharField(_("来源标识"), max_length=60, null=True, blank=True, unique=True)
    occurred_on = models.DateField(_("发生日期"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("记录人"))

    objects = PartyManager()
    scope = PartyScope(org="org", division="org__division", owner="member__user")

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        ordering = ["-id"]
        indexes = [models.Index(fields=["member", "year", "category"], name="party_entry_member_idx"),
                   models.Index(fields=["org", "year"], name="party_entry_org_idx")]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise RuntimeError("point entries are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("point entries are append-only")


class PointTally(models.Model):
    """Running total per member, year and category, kept in the entry's transaction (cap checks lock it)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    category = models.CharField(max_length=12, choices=PointCategory.choices)
    total = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "year", "category"], name="party_tally_unique")]


class PointYear(models.Model):
    """A member's score of one year (base 100 + additions − deductions, floor 0; veto → 0), for rankings."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="point_years",
                               verbose_name=_("党员"))
    org = models.ForeignKey(PartyOrganisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("支部"))
    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("所属镇街"))
    year = models.PositiveSmallIntegerField(_("年度"))
    delta = models.IntegerField(_("增减合计"), default=0)
    vetoed = models.BooleanField(_("一票否决"), default=False)
    score = models.IntegerField(_("得分"), default=100)

    objects = PartyManager()
    scope = PartyScope(org="org", division="org__division", owner="member__user")

    class Meta:
        verbose_name = _("年度积分")
        verbose_name_plural = _("年度积分")
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="party_year_unique")]
        indexes = [models.Index(fields=["year", "town", "score"], name="party_year_town_idx"),
                   models.Index(fields=["year", "org", "score"], name="party_year_org_idx")]


class PointClaim(VersionedModel):
    class State(models.TextChoices):
        PENDING = "pending", _("待书记审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("已驳回")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="claims", verbose_name=_("党员"))
    org = models.ForeignKey(PartyOrganisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("支部"))
    rule_code = models.CharField(_("积分规则"), max_length=30)
    occurred_on = models.DateField(_("活动日期"))
    description = models.CharField(_("活动说明"), max_length=300)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("审核人"))
    decision_note = models.CharField(_("审核意见"), max_length=200, blank=True)

    objects = PartyManager()
    scope = PartyScope(org="org", division="org__division", owner="member__user")

    class Meta:
        verbose_name = _("积分申报")
        verbose_name_plural = _("积分申报")
        ordering = ["-id"]
        indexes = [models.Index(fields=["org", "state"], name="party_claim_org_state_idx")]


class Publication(models.Model):
    """The year's results shown to the branch for 7 days; objections are recorded against it."""

    org = models.ForeignKey(PartyOrganisation, on_delete=models.PROTECT, related_name="publications",
                            verbose_name=_("支部"))
    year = models.PositiveSmallIntegerField(_("年度"))
    starts_on = models.DateField(_("公示开始"))
    ends_on = models.DateField(_("公示结束"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PartyManager()
    scope = PartyScope(org="org", division="org__division", member_view="org")

    class Meta:
        verbose_name = _("积分公示")
        verbose_name_plural = _("积分公示")
        indexes = [models.Index(fields=["org", "year"], name="party_pub_org_idx")]


class Objection(models.Model):
    """An objection a member raises during the 7-day publication; the branch accepts or rejects it with a
    reply that the member sees on their phone."""

    class State(models.TextChoices):
        PENDING = "pending", _("待答复")
        ACCEPTED = "accepted", _("已采纳")
        REJECTED = "rejected", _("不予采纳")

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="objections",
                                    verbose_name=_("公示"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("提出人"))
    text = models.CharField(_("异议内容"), max_length=500)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    state = models.CharField(_("处理结果"), max_length=10, choices=State.choices, default=State.PENDING)
    response = models.CharField(_("答复"), max_length=500, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("答复人"))
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    objects = PartyManager()
    scope = PartyScope(org="publication__org", division="publication__org__division", owner="member__user")

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["-id"]
        indexes = [models.Index(fields=["publication", "state"], name="party_objection_pub_idx")]

    def __str__(self) -> str:
        return self.text[:40]


# ---- cadres -------------------------------------------------------------------------------------------------


class Cadre(VersionedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("账号"))
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务"), max_length=100, blank=True)
    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("所属镇街"))
    department = models.ForeignKey("network.Department", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("所在部门"))
    org = models.ForeignKey(PartyOrganisation, on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="cadres", verbose_name=_("所在党组织"))

    objects = PartyManager()
    scope = PartyScope(org="org", division="town", department="department")

    class Meta:
        verbose_name = _("干部")
        verbose_name_plural = _("干部")
        ordering = ["name"]
        indexes = [models.Index(fields=["town", "department"], name="party_cadre_town_idx")]

    def __str__(self) -> str:
        return self.name


class CadreRecord(models.Model):
    """One line of the 干部表现情况档案: a record, an evaluation, an award or a 三述 report."""

    class Kind(models.TextChoices):
        RECORD = "record", _("表现记录")
        EVALUATION = "evaluation", _("担当作为评价")
        AWARD = "award", _("表彰")
        REPORT = "report", _("三述报告")

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="records", verbose_name=_("干部"))
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    on = models.DateField(_("日期"))
    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("内容"), blank=True)
    grade = models.CharField(_("等次"), max_length=20, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    objects = PartyManager()
    scope = PartyScope(org="cadre__org", division="cadre__town", department="cadre__department")

    class Meta:
        verbose_name = _("干部档案记录")
        verbose_name_plural = _("干部档案记录")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["cadre", "kind"], name="party_cadre_rec_idx")]

    def __str__(self) -> str:
        return self.title


class Deployment(VersionedModel):
    class Kind(models.TextChoices):
        SINK = "sink", _("下沉一线")
        INSTRUCTOR = "instructor", _("指导员")
        WORK_TEAM = "work_team", _("驻村工作队")

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="deployments",
                              verbose_name=_("干部"))
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    division = models.ForeignKey("network.Division", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("派驻网格/村"))
    enterprise = models.ForeignKey("register.Enterprise", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("派驻企业"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("所属镇街"))

    objects = PartyManager()
    scope = PartyScope(org="cadre__org", division="town")

    class Meta:
        verbose_name = _("干部派驻")
        verbose_name_plural = _("干部派驻")
        indexes = [models.Index(fields=["town", "kind"], name="party_deploy_town_idx")]

    def __str__(self) -> str:
        return f"{self.cadre.name} {self.get_kind_display()}"


class DeploymentTarget(models.Model):
    """A target of a deployment (e.g. 薄弱班子转化, 信访隐患化解) with its progress."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="targets",
                                   verbose_name=_("派驻"))
    name = models.CharField(_("目标"), max_length=100)
    goal = models.PositiveIntegerField(_("目标值"), default=1)
    done = models.PositiveIntegerField(_("完成值"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    objects = PartyManager()
    scope = PartyScope(org="deployment__cadre__org", division="deployment__town")

    class Meta:
        verbose_name = _("派驻目标")
        verbose_name_plural = _("派驻目标")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class RedFlagRating(models.Model):
    """红旗党组织 rating of an organisation for a year."""

    class Level(models.TextChoices):
        RED_FLAG = "red_flag", _("红旗党组织")
        GOOD = "good", _("先进")
        AVERAGE = "average", _("一般")
        WEAK = "weak", _("软弱涣散")

    org = models.ForeignKey(PartyOrganisation, on_delete=models.CASCADE, related_name="ratings",
                            verbose_name=_("党组织"))
    year = models.PositiveSmallIntegerField(_("年度"))
    level = models.CharField(_("等次"), max_length=10, choices=Level.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    objects = PartyManager()
    scope = PartyScope(org="org", division="org__division")

    def __str__(self) -> str:
        return f"{self.org.name} {self.year} {self.get_level_display()}"

    class Meta:
        verbose_name = _("红旗党组织评定")
        verbose_name_plural = _("红旗党组织评定")
        ordering = ["-year", "org_id"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="party_rating_once")]
        indexes = [models.Index(fields=["year", "level"], name="party_rating_year_idx")]


# ---- online study ---------------------------------------------------------------------------------------------


class Course(VersionedModel):
    class Kind(models.TextChoices):
        TEXT = "text", _("图文")
        DOCUMENT = "document", _("文档")
        VIDEO = "video", _("视频")

    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("所属镇街"))
    title = models.CharField(_("课程名称"), max_length=200)
    kind = models.CharField(_("形式"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    body = models.TextField(_("正文"), blank=True)
    document = models.FileField(_("文档"), upload_to="party/courses/", blank=True)
    video_url = models.URLField(_("视频链接"), blank=True)
    published = models.BooleanField(_("已发布"), default=True)

    objects = PartyManager()
    scope = PartyScope(division="town", member_view="town")
    audit_exclude = ("document",)

    class Meta:
        verbose_name = _("学习课程")
        verbose_name_plural = _("学习课程")
        ordering = ["-id"]
        indexes = [models.Index(fields=["town", "published"], name="party_course_town_idx")]

    def __str__(self) -> str:
        return self.title


class QuizQuestion(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions", verbose_name=_("课程"))
    text = models.CharField(_("题目"), max_length=300)
    options = models.JSONField(_("选项"))
    answer = models.PositiveSmallIntegerField(_("正确选项序号"))

    objects = PartyManager()
    scope = PartyScope(division="course__town", member_view="town")


class StudyRecord(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="study_records",
                               verbose_name=_("党员"))
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="records", verbose_name=_("课程"))
    completed_at = models.DateTimeField(_("完成时间"))
    quiz_score = models.PositiveSmallIntegerField(_("测验得分"), null=True, blank=True)

    objects = PartyManager()
    scope = PartyScope(org="member__org", division="member__org__division", owner="member__user")

    class Meta:
        verbose_name = _("学习记录")
        verbose_name_plural = _("学习记录")
        constraints = [models.UniqueConstraint(fields=["member", "course"], name="party_study_once")]
        indexes = [models.Index(fields=["course", "completed_at"], name="party_study_course_idx")]
