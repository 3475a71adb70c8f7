"""Safety supervision pages: the same selectors and services as the API. A refused form escapes as
ValidationFailed and the page middleware shows its page again with the errors beside the fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gridgov.core.errors import Conflict, NotFound, ValidationFailed
from gridgov.core.forms import FormInput
from gridgov.core.paging import page_of
from gridgov.core.scope import get_scoped, scope_q
from gridgov.core.tabular import file_response, write_rows
from gridgov.core.validators import DateWindow

from . import rating, selectors, services
from .flow import FLOW
from .models import (
    ChecklistTemplate,
    Colour,
    HazardLevel,
    Industry,
    Inspection,
    InspectionAnswer,
    InspectionPlan,
    RiskMethod,
    SafetyProfile,
    SafetyRules,
)
from .rules import RULE_FIELDS, rules_for

PAGE_SIZE = 50
PLAN_DATES = DateWindow(back=1, ahead=1)
INCIDENT_DATES = DateWindow(back=2, ahead=None)


def _page(request: HttpRequest, qs: Any) -> Any:
    return page_of(qs, request.GET.get("page"), default=PAGE_SIZE, largest=PAGE_SIZE)


def _staff(request: HttpRequest) -> None:
    if scope_q(SafetyProfile, request.user, "view") is None or getattr(request.user, "kind", "") == "enterprise":
        raise NotFound()


def _towns(user: Any, action: str = "change") -> list[Any]:
    """The towns where `user` may do town-wide acts (rules, templates, plans)."""
    from gridgov.network.models import Division, Level

    towns = Division.objects.restrict(user, "view").filter(level=Level.TOWN).only("id", "name", "path")
    return [t for t in towns if services._may_town(user, t, action)]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    _staff(request)
    return render(request, "safety/home.html", {
        "colours": selectors.colour_counts(user=request.user), "colour_choices": Colour.choices,
        "warnings": selectors.warnings(user=request.user, limit=10), "towns": _towns(request.user)})


@login_required
def profile_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    page = _page(request, selectors.profile_list(user=request.user, filters=request.GET))
    return render(request, "safety/profile_list.html", {
        "page": page, "colours": Colour.choices, "industries": Industry.choices,
        "classes": SafetyProfile._meta.get_field("supervision_class").choices})


def _profile_values(request: HttpRequest) -> dict[str, Any]:
    read = FormInput(request.POST)
    values: dict[str, Any] = {
        "industry": read.text("industry", required=True), "employees": read.integer("employees", default=0, least=0,
                                                                                    most=1_000_000),
        "chemicals": read.text("chemicals", max_length=200),
        "special_operations": read.text("special_operations", max_length=200),
        "risk_method": read.text("risk_method", required=True),
        "likelihood": read.number("likelihood", required=True, least=0, most=100),
        "severity": read.number("severity", default=1, least=0, most=100),
        "exposure": read.number("exposure", default=1, least=0, most=100),
        "consequence": read.number("consequence", default=1, least=0, most=100),
        "principal": read.text("principal", max_length=50), "principal_phone": read.text("principal_phone"),
        "safety_officer": read.text("safety_officer", max_length=50),
        "safety_officer_phone": read.text("safety_officer_phone"),
        "staff": read.integer("staff", least=1, most=2**62), "pro_worker": read.integer("pro_worker", least=1,
                                                                                       most=2**62)}
    for name in ("hazardous_chemicals", "dust", "confined_space", "ammonia"):
        values[name] = request.POST.get(name) == "1"
    if values["industry"] and values["industry"] not in Industry.values:
        read.refuse("industry", _("请选择有效的选项"))
    read.check()
    return values


@login_required
@require_http_methods(["GET", "POST"])
def profile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    p = selectors.profile_get(user=request.user, pk=pk)
    if getattr(request.user, "kind", "") == "enterprise":
        return redirect("safety:my")
    may_change = SafetyProfile.objects.restrict(request.user, "change").filter(pk=p.pk).exists()
    if request.method == "POST":
        if not may_change:
            raise NotFound()
        action = request.POST.get("action")
        if action == "profile":
            read = FormInput(request.POST)
            version = read.integer("version", required=True, least=1, most=2**31)
            read.check()
            services.profile_update(acting_user=request.user, profile=p, version=version,
                                    values=_profile_values(request))
            messages.success(request, _("已保存安全档案"))
        elif action == "incident":
            read = FormInput(request.POST)
            kind = read.text("kind", required=True)
            on = read.date("occurred_on", window=INCIDENT_DATES)
            text = read.text("description", required=True, max_length=300)
            read.check()
            assert on is not None
            services.incident_record(acting_user=request.user, profile=p, kind=kind, occurred_on=on, description=text)
            messages.success(request, _("已记录"))
        else:
            raise ValidationFailed({"__all__": [_("未知操作")]})
        return redirect("safety:profile_detail", pk=p.pk)
    from gridgov.accounts.models import User

    staff = list(User.objects.restrict(request.user, "view").filter(town_id=p.town_id, kind=User.Kind.STAFF,
                                                                    is_active=True)
                 .only("id", "display_name", "username").order_by("id")[:500]) if may_change else []
    templates = ChecklistTemplate.objects.restrict(request.user, "view").filter(
        town_id=p.town_id, state=ChecklistTemplate.State.ACTIVE).order_by("code")
    from .models import Incident

    return render(request, "safety/profile_detail.html", {
        "p": p, "why": rating.explain(p.colour, p.inherent_colour, rating.counts_of(p)),
        "history": selectors.rating_history(user=request.user, profile=p),
        "hazards": selectors.open_hazards(user=request.user, profile=p).select_related()[:50],
        "inspections": selectors.inspection_list(user=request.user, filters={"profile": p.pk})[:20],
        "may_change": may_change, "staff": [(u.pk, str(u)) for u in staff], "templates": templates,
        "industries": Industry.choices, "methods": RiskMethod.choices, "incident_kinds": Incident.Kind.choices,
        "may_inspect": SafetyProfile.objects.restrict(request.user, "inspect").filter(pk=p.pk).exists()})


@login_required
@require_http_methods(["GET", "POST"])
def inspection_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start an inspection of a profile in the inspector's scope (the enterprise account: a self-inspection)."""
    own = getattr(request.user, "kind", "") == "enterprise"
    p = get_scoped(SafetyProfile.objects.select_related("enterprise"), request.user, "view" if own else "inspect",
                   pk=pk)
    if own and p.account_id != request.user.pk:
        raise NotFound()
    if own:
        templates = ChecklistTemplate.objects.filter(town_id=p.town_id, state=ChecklistTemplate.State.ACTIVE)
    else:
        templates = ChecklistTemplate.objects.restrict(request.user, "view").filter(
            town_id=p.town_id, state=ChecklistTemplate.State.ACTIVE)
    if request.method == "GET":
        return render(request, "safety/inspection_start.html", {"p": p, "templates": templates.order_by("code")})
    read = FormInput(request.POST)
    template_id = read.integer("template", required=True, least=1, most=2**62)
    kind = read.text("kind") or Inspection.Kind.STAFF
    read.check()
    template = templates.filter(pk=template_id).first()
    if template is None:
        raise ValidationFailed({"template": [_("请选择有效的选项")]})
    i = services.inspection_start(acting_user=request.user, profile_id=p.pk, template=template, kind=kind)
    return redirect("safety:inspection_detail", pk=i.pk)


@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.inspection_list(user=request.user, filters=request.GET))
    return render(request, "safety/inspection_list.html", {"page": page, "states": Inspection.State.choices,
                                                           "kinds": Inspection.Kind.choices})


@login_required
@require_http_methods(["GET", "POST"])
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    i = selectors.inspection_get(user=request.user, pk=pk)
    mine = i.inspector_id == request.user.pk and i.state != Inspection.State.SUBMITTED
    if request.method == "POST":
        if not mine:
            raise NotFound() if i.inspector_id != request.user.pk else ValidationFailed(
                {"__all__": [_("检查已提交，不能再修改")]})
        _save_all(request, i)
        if request.POST.get("action") == "submit":
            read = FormInput(request.POST)
            lat = read.number("lat", least=-90, most=90)
            lon = read.number("lon", least=-180, most=180)
            read.check()
            _i, fresh = services.inspection_submit(acting_user=request.user, inspection=i, lat=lat, lon=lon)
            messages.success(request, _("检查已提交") if fresh else _("检查此前已提交"))
        else:
            messages.success(request, _("已保存"))
        return redirect("safety:inspection_detail", pk=i.pk)
    form = selectors.inspection_form(inspection=i)
    refusal = getattr(request, "form_refusal", None)
    sent = refusal.data if refusal is not None else None
    rows = []
    for section, items in form:  # a refused form shows again what was typed, else what is saved
        out = []
        for item, a, key in items:
            saved = {"result": a.result if a else "", "level": a.level if a else "", "note": a.note if a else "",
                     "place": a.place if a else "", "follow": a.follow_up if a else ""}
            if sent is not None:
                saved = {k: sent.get(f"{k}-{item.pk}", v) for k, v in saved.items()}
            out.append((item, a, key, saved))
        rows.append((section, out))
    form = rows
    return render(request, "safety/inspection_detail.html", {
        "i": i, "form": form, "editable": mine, "results": InspectionAnswer.Result.choices,
        "levels": HazardLevel.choices, "hazards": i.hazards.all().only("id", "number", "title", "level", "stage")
        if i.state == Inspection.State.SUBMITTED else []})


def _save_all(request: HttpRequest, i: Inspection) -> None:
    """The form sent whole (no script, or a last save): every answered item saved; refusals named per item."""
    errors: dict[str, list[str]] = {}
    for key in request.POST:
        if not key.startswith("result-"):
            continue
        raw = key.removeprefix("result-")
        if not raw.isdigit() or len(raw) > 18:
            continue
        item_id = int(raw)
        try:
            services.answer_save(acting_user=request.user, inspection=i, item_id=item_id,
                                 result=request.POST.get(key, ""), level=request.POST.get(f"level-{raw}", ""),
                                 note=request.POST.get(f"note-{raw}", ""), place=request.POST.get(f"place-{raw}", ""),
                                 follow_up=request.POST.get(f"follow-{raw}", ""),
                                 photo=request.FILES.get(f"photo-{raw}"))
        except ValidationFailed as exc:
            errors[f"item-{raw}"] = [r for reasons in exc.errors.values() for r in reasons]
    if errors:
        raise ValidationFailed(errors)


@login_required
def hazard_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.hazard_list(user=request.user, filters=request.GET))
    return render(request, "safety/hazard_list.html", {"page": page, "levels": HazardLevel.choices,
                                                       "stages": {s.name: s.label for s in FLOW.stages}})


@login_required
@require_http_methods(["GET", "POST"])
def hazard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    h = selectors.hazard_get(user=request.user, pk=pk)
    if request.method == "POST":
        read = FormInput(request.POST)
        transition = read.text("transition", required=True)
        version = read.integer("version", required=True, least=1, most=2**31)
        read.check()
        t = FLOW.transition(transition)
        data = {i.name: request.POST.get(i.name, "") for i in t.inputs}
        try:
            services.hazard_fire(acting_user=request.user, hazard=h, transition=transition,
                                 expected_version=version, data=data, note=request.POST.get("note", ""),
                                 photos=request.FILES.getlist("photos"))
        except Conflict as exc:
            # The page comes back with the hazard as it now stands, saying someone acted first.
            label = exc.extra.get("current_stage_label")
            said = (_("隐患已被他人处理（当前环节：%(s)s），本页已更新为最新状态，请确认后再操作") % {"s": label}
                    if label else exc.message)
            return _hazard_page(request, selectors.hazard_get(user=request.user, pk=pk), said, 409)
        messages.success(request, _("已%(t)s") % {"t": t.done or t.label})
        return redirect("safety:hazard_detail", pk=h.pk)
    return _hazard_page(request, h, "", 200)


def _hazard_page(request: HttpRequest, h: Any, conflict: str, status: int) -> HttpResponse:
    return render(request, "safety/hazard_detail.html", {
        "h": h, "stage": FLOW.stage(h.stage), "actions": FLOW.available(h, request.user), "conflict": conflict,
        "events": h.events.all()[:100], "may_report": h.level == HazardLevel.MAJOR}, status=status)


@login_required
def hazard_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The 重大隐患 report (RULES.md §5: present state and causes, harm and difficulty, 治理方案) as .xlsx."""
    h = selectors.hazard_get(user=request.user, pk=pk)
    if h.level != HazardLevel.MAJOR:
        raise NotFound()
    e = h.profile.enterprise
    rows = [[_("企业名称"), e.name], [_("统一社会信用代码"), e.credit_code], [_("隐患编号"), h.number],
            [_("隐患名称"), h.title], [_("部位"), h.place], [_("发现时间"), timezone.localtime(h.found_at)
                                                          .strftime("%Y-%m-%d %H:%M")],
            [_("判定依据"), h.major_reason or h.legal_basis], [_("现状与成因"), h.title],
            [_("危害程度与整改难度"), _("重大事故隐患：应当全部或者局部停产停业整改")],
            [_("治理方案：措施"), h.rect_measure], [_("治理方案：责任人"), h.rect_person],
            [_("治理方案：资金（元）"), str(h.rect_funds or "")],
            [_("治理方案：期限"), timezone.localtime(h.deadline).date().isoformat() if h.deadline else ""],
            [_("应急预案/防范措施"), h.rect_contingency], [_("当前环节"), str(FLOW.stage(h.stage).label)],
            [_("挂牌督办"), h.supervisor_note]]
    return file_response(f"major-hazard-{h.pk}.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         write_rows("xlsx", [_("项目"), _("内容")], rows, sheet_title=_("重大事故隐患报告")))


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    return render(request, "safety/template_list.html", {
        "templates": selectors.template_list(user=request.user, filters=request.GET),
        "states": ChecklistTemplate.State.choices, "towns": _towns(request.user)})


@login_required
@require_POST
def catalogue_install(request: HttpRequest) -> HttpResponse:
    read = FormInput(request.POST)
    town_id = read.integer("town", required=True, least=1, most=2**62)
    read.check()
    town = next((t for t in _towns(request.user) if t.pk == town_id), None)
    if town is None:
        raise ValidationFailed({"town": [_("请选择镇街")]})
    made = services.catalogue_install(acting_user=request.user, town=town)
    messages.success(request, _("已导入 %(n)d 个检查表") % {"n": len(made)})
    return redirect("safety:template_list")


@login_required
@require_http_methods(["GET", "POST"])
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    t = selectors.template_get(user=request.user, pk=pk)
    may_change = ChecklistTemplate.objects.restrict(request.user, "change").filter(pk=t.pk).exists()
    if request.method == "POST":
        if not may_change:
            raise NotFound()
        action = request.POST.get("action")
        if action == "publish":
            services.template_publish(acting_user=request.user, template=t)
            messages.success(request, _("已发布"))
        elif action == "revise":
            t = services.template_revise(acting_user=request.user, template=t)
            messages.success(request, _("已生成新版本草稿"))
        else:
            raise ValidationFailed({"__all__": [_("未知操作")]})
        return redirect("safety:template_detail", pk=t.pk)
    return render(request, "safety/template_detail.html", {"t": t, "sections": selectors.template_sections(t),
                                                           "may_change": may_change})


@login_required
@require_http_methods(["GET", "POST"])
def major_rules(request: HttpRequest) -> HttpResponse:
    _staff(request)
    towns = _towns(request.user)
    if request.method == "POST":
        read = FormInput(request.POST)
        town_id = read.integer("town", required=True, least=1, most=2**62)
        code = read.text("code", required=True, max_length=20)
        article = read.text("article", required=True, max_length=40)
        category = read.text("category", max_length=20)
        text = read.text("text", required=True, max_length=1000)
        read.check()
        town = next((t for t in towns if t.pk == town_id), None)
        if town is None:
            raise ValidationFailed({"town": [_("请选择镇街")]})
        services.major_rule_save(acting_user=request.user, town=town, rule=None, version=None, code=code,
                                 article=article, category=category, text=text)
        messages.success(request, _("已添加判定条目"))
        return redirect("safety:major_rules")
    return render(request, "safety/major_rules.html", {"rules": selectors.major_rules(user=request.user),
                                                       "towns": [(t.pk, t.name) for t in towns]})


@login_required
@require_http_methods(["GET", "POST"])
def rules_edit(request: HttpRequest) -> HttpResponse:
    towns = _towns(request.user)
    if not towns:
        raise NotFound()
    read = FormInput(request.GET)
    town_id = read.integer("town", least=1, most=2**62) or towns[0].pk
    town = next((t for t in towns if t.pk == town_id), towns[0])
    row = SafetyRules._base_manager.filter(town=town).first()
    if request.method == "POST":
        read = FormInput(request.POST)
        values = {f: read.integer(f, required=True, least=0, most=100_000) for f in RULE_FIELDS}
        version = read.integer("version", least=1, most=2**31)
        read.check()
        services.rules_update(acting_user=request.user, town=town, version=version, values=values)
        messages.success(request, _("已保存规则，本镇街企业已重新评级"))
        return redirect(f"{request.path}?town={town.pk}")
    current = rules_for([town.pk])[town.pk]
    fields = [(f, SafetyRules._meta.get_field(f).verbose_name, getattr(current, f)) for f in RULE_FIELDS]
    return render(request, "safety/rules.html", {"town": town, "towns": [(t.pk, t.name) for t in towns],
                                                 "fields": fields, "version": row.version if row else ""})


@login_required
@require_http_methods(["GET", "POST"])
def plan_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    towns = _towns(request.user, "add")
    if request.method == "POST":
        if not towns:
            raise NotFound()
        read = FormInput(request.POST)
        kind = read.text("kind", required=True)
        town_id = read.integer("town", required=True, least=1, most=2**62)
        template_id = read.integer("template", required=True, least=1, most=2**62)
        starts = read.date("starts_on", window=PLAN_DATES)
        ends = read.date("ends_on", window=PLAN_DATES)
        n = read.integer("n_enterprises", least=1, most=100_000) if kind == "random" else None
        if kind == "random" and n is None and "n_enterprises" not in read.errors:
            read.refuse("n_enterprises", _("必填"))
        if kind not in InspectionPlan.Kind.values:
            read.refuse("kind", _("请选择有效的选项"))
        read.check()
        assert starts is not None and ends is not None
        town = next((t for t in towns if t.pk == town_id), None)
        template = ChecklistTemplate.objects.restrict(request.user, "view").filter(pk=template_id).first()
        if town is None or template is None:
            raise ValidationFailed({"town" if town is None else "template": [_("请选择有效的选项")]})
        if kind == "random":
            assert n is not None
            plan = services.plan_draw(acting_user=request.user, town=town, template=template, starts_on=starts,
                                      ends_on=ends, n_enterprises=n, seed=read.text("seed", max_length=40))
        else:
            plan = services.plan_by_class(acting_user=request.user, town=town, template=template, starts_on=starts,
                                          ends_on=ends)
        return redirect("safety:plan_detail", pk=plan.pk)
    templates = ChecklistTemplate.objects.restrict(request.user, "view").filter(
        state=ChecklistTemplate.State.ACTIVE).order_by("town_id", "code")
    today = timezone.localdate()
    return render(request, "safety/plan_list.html", {
        "plans": _page(request, selectors.plan_list(user=request.user)), "towns": [(t.pk, t.name) for t in towns],
        "templates": [(t.pk, str(t)) for t in templates], "kinds": InspectionPlan.Kind.choices,
        "today": today.isoformat(), "end": (today + dt.timedelta(days=30)).isoformat()})


@login_required
@require_http_methods(["GET", "POST"])
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    if request.method == "POST":
        services.plan_publish(acting_user=request.user, plan=plan)
        messages.success(request, _("已公示抽查结果"))
        return redirect("safety:plan_detail", pk=plan.pk)
    tasks = _page(request, selectors.plan_tasks(user=request.user, plan=plan))
    return render(request, "safety/plan_detail.html", {
        "plan": plan, "page": tasks,
        "may_change": InspectionPlan.objects.restrict(request.user, "change").filter(pk=plan.pk).exists()})


@login_required
def warnings(request: HttpRequest) -> HttpResponse:
    _staff(request)
    return render(request, "safety/warnings.html", {"w": selectors.warnings(user=request.user)})


def _period(request: HttpRequest) -> tuple[int, int | None, str]:
    read = FormInput(request.GET)
    today = timezone.localdate()
    year = read.integer("year", least=2000, most=today.year + 1) or today.year
    quarter = read.integer("quarter", least=1, most=4)
    by = read.text("by") or "industry"
    if by not in ("industry", "grid", "level"):
        read.refuse("by", _("请选择有效的选项"))
    read.check()
    return year, quarter, by


STAT_HEADER = ("分组", "等级", "发现", "已销号", "未销号", "逾期")


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    _staff(request)
    year, quarter, by = _period(request)
    rows = selectors.statistics(user=request.user, year=year, quarter=quarter, by=by)
    if request.GET.get("format") == "xlsx":
        name = f"hazards-{year}{'-q' + str(quarter) if quarter else ''}-{by}.xlsx"
        return file_response(name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                             write_rows("xlsx", [_(h) for h in STAT_HEADER],
                                        ([r["group"], r["level"], r["found"], r["rectified"], r["open"], r["overdue"]]
                                         for r in rows), sheet_title=_("隐患统计")))
    due = (dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 15) if quarter else dt.date(year + 1, 1, 31))
    totals = {k: sum(r[k] for r in rows) for k in ("found", "rectified", "open", "overdue")}
    return render(request, "safety/statistics.html", {"rows": rows, "year": year, "quarter": quarter or "", "by": by,
                                                      "due": due, "totals": totals,
                                                      "query": request.GET.urlencode()})


@login_required
@require_http_methods(["GET", "POST"])
def my(request: HttpRequest) -> HttpResponse:
    """The enterprise account's own side: profile, colour and why, open hazards, self-inspections."""
    profiles = list(selectors.my_profiles(user=request.user))
    if not profiles:
        raise NotFound()
    blocks = []
    for p in profiles:
        blocks.append({"p": p, "why": rating.explain(p.colour, p.inherent_colour, rating.counts_of(p)),
                       "hazards": list(selectors.open_hazards(user=request.user, profile=p)[:50]),
                       "inspections": list(Inspection.objects.filter(profile=p, inspector=request.user)
                                           .select_related("template").order_by("-id")[:20])})
    templates = ChecklistTemplate.objects.filter(town_id__in={p.town_id for p in profiles},
                                                 state=ChecklistTemplate.State.ACTIVE).order_by("code")
    return render(request, "safety/my.html", {"blocks": blocks, "templates": [(t.pk, str(t)) for t in templates]})
