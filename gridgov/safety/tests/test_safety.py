"""Safety supervision as the article's people use it: 网格员甲 inspects an enterprise of grid A item by item,
every 不符合 becomes a hazard that goes 登记 → 整改 (五定) → 验收 → 销号, and the enterprise's colour follows."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from gridgov.core.errors import ValidationFailed
from gridgov.core.flow.sweep import sweep
from gridgov.safety import rating, services
from gridgov.safety.models import ChecklistTemplate, Hazard, Inspection, RatingChange, SafetyProfile
from gridgov.safety.tests.scope_fixtures import _credit_code
from gridgov.testing import PASSWORD, build_world

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def setup(world):
    from gridgov.register.models import Enterprise

    def enterprise(name, grid, n):
        return Enterprise.objects.create(name=name, credit_code=_credit_code(900 + n), industry="机械制造",
                                         scale="small", legal_representative="法人", address="地址", lat=35.905,
                                         lon=120.005, grid=grid, town=grid.town, is_key=True)

    templates = {t.code: t for t in services.catalogue_install(acting_user=world.admin, town=world.town)}
    a = services.profile_create(acting_user=world.admin, enterprise=enterprise("甲网格机械厂", world.grid_a, 1),
                                values={"industry": "machinery", "likelihood": 2, "severity": 2})
    b = services.profile_create(acting_user=world.admin, enterprise=enterprise("乙网格机械厂", world.grid_b, 2),
                                values={"industry": "machinery"})
    return {"templates": templates, "a": a, "b": b}


def _answer_all(world, inspection, fail_codes=(), photo=True):
    for item in inspection.template.items.order_by("order"):
        fail = item.code in fail_codes
        services.answer_save(acting_user=world.worker_a, inspection=inspection, item_id=item.pk,
                             result="fail" if fail else "pass", note="现场发现" if fail else "",
                             photo=SimpleUploadedFile("p.png", PNG, "image/png") if fail and photo else None)


def test_it_rates_inherent_risk_by_the_matrix_bands(world, setup):
    assert (setup["a"].inherent_value, setup["a"].inherent_colour) == (4.0, "yellow")
    assert setup["a"].colour == "yellow" and setup["a"].supervision_class == "B"


def test_it_refuses_an_inspection_of_an_enterprise_outside_the_inspectors_grid(world, setup):
    from gridgov.core.errors import NotFound

    with pytest.raises(NotFound):
        services.inspection_start(acting_user=world.worker_a, profile_id=setup["b"].pk,
                                  template=setup["templates"]["general"])


def test_it_names_every_failed_item_without_its_required_evidence_and_saves_nothing(world, setup):
    i = services.inspection_start(acting_user=world.worker_a, profile_id=setup["a"].pk,
                                  template=setup["templates"]["fire"])
    _answer_all(world, i, fail_codes=("1.1",), photo=False)
    with pytest.raises(ValidationFailed) as exc:
        services.inspection_submit(acting_user=world.worker_a, inspection=i)
    assert list(exc.value.errors.values()) == [["第 1.1 项不符合须拍照取证"]]
    assert not Hazard.objects.exists() and Inspection.objects.get(pk=i.pk).state == "ongoing"


def test_it_makes_a_linked_item_major_whatever_was_ticked_and_names_the_article(world, setup):
    i = services.inspection_start(acting_user=world.worker_a, profile_id=setup["a"].pk,
                                  template=setup["templates"]["general"])
    _answer_all(world, i, fail_codes=("2.2",))
    item = i.template.items.get(code="2.2")
    services.answer_save(acting_user=world.worker_a, inspection=i, item_id=item.pk, result="fail", level="general",
                         note="电焊工无证")
    done, new = services.inspection_submit(acting_user=world.worker_a, inspection=i)
    h = Hazard.objects.get()
    assert (new, h.level, h.stage) == (True, "major", "registered")
    assert "第三条第（二）项" in h.major_reason
    assert done.score < 100 and done.n_major == 1


def test_it_answers_a_second_submit_with_the_first_result(world, setup):
    i = services.inspection_start(acting_user=world.worker_a, profile_id=setup["a"].pk,
                                  template=setup["templates"]["fire"])
    _answer_all(world, i, fail_codes=("2.1",))
    first, _new = services.inspection_submit(acting_user=world.worker_a, inspection=i)
    again, new = services.inspection_submit(acting_user=world.worker_a, inspection=i)
    assert (new, again.score, Hazard.objects.count()) == (False, first.score, 1)


def test_it_refuses_answers_of_a_superseded_template_version(world, setup):
    old = setup["templates"]["fire"]
    i = services.inspection_start(acting_user=world.worker_a, profile_id=setup["a"].pk, template=old)
    draft = services.template_revise(acting_user=world.admin, template=old)
    services.template_publish(acting_user=world.admin, template=draft)
    new_item = draft.items.order_by("order").first()
    with pytest.raises(ValidationFailed) as exc:
        services.answer_save(acting_user=world.worker_a, inspection=i, item_id=new_item.pk, result="pass")
    assert "第 2 版" in exc.value.errors["item"][0]
    old.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        services.inspection_start(acting_user=world.worker_a, profile_id=setup["a"].pk, template=old)
    assert "第 2 版" in exc.value.errors["template"][0]


def _hazard(world, setup):
    i = services.inspection_start(acting_user=world.worker_a, profile_id=setup["a"].pk,
                                  template=setup["templates"]["fire"])
    _answer_all(world, i, fail_codes=("2.1",))
    services.inspection_submit(acting_user=world.worker_a, inspection=i)
    return Hazard.objects.get()


def test_it_refuses_a_rectification_deadline_before_the_finding(world, setup):
    h = _hazard(world, setup)
    before = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    with pytest.raises(ValidationFailed) as exc:
        services.hazard_fire(acting_user=world.worker_a, hazard=h, transition="plan", expected_version=h.version,
                             data={"rect_person": "张三", "rect_measure": "清理通道", "deadline": before,
                                   "rect_contingency": "专人值守"})
    assert "不能早于隐患发现日期" in exc.value.errors["deadline"][0]
    assert Hazard.objects.get().stage == "registered"


def test_it_closes_a_hazard_only_after_acceptance(world, setup):
    h = _hazard(world, setup)
    with pytest.raises(ValidationFailed) as exc:
        services.hazard_fire(acting_user=world.admin, hazard=h, transition="close", expected_version=h.version)
    assert "未经验收" in exc.value.errors["transition"][0]
    deadline = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    for step, data in (("plan", {"rect_person": "张三", "rect_measure": "清理通道", "deadline": deadline,
                                 "rect_contingency": "专人值守"}), ("submit", {"evidence_note": "已清理"}),
                       ("accept", {}), ("close", {})):
        who = world.worker_a if step in ("plan", "submit") else world.admin  # 验收 and 销号: the town's office
        h = services.hazard_fire(acting_user=who, hazard=Hazard.objects.get(), transition=step,
                                 expected_version=Hazard.objects.get().version, data=data)
    assert (h.stage, h.status, h.accepted_by_id) == ("closed", "closed", world.admin.pk)


def test_it_explains_the_colour_in_words_and_keeps_the_history(world, setup):
    _hazard(world, setup)
    Hazard.objects.update(deadline=timezone.now() - dt.timedelta(days=1))
    rating.recompute(profile_ids=[setup["a"].pk], trigger="测试")
    p = SafetyProfile.objects.get(pk=setup["a"].pk)
    assert rating.explain(p.colour, p.inherent_colour, rating.counts_of(p)).startswith("橙色：1 项隐患逾期未整改")
    assert RatingChange.objects.filter(profile=p, colour="orange").exists()


def test_it_urges_overdue_rectification_through_the_one_sweep(world, setup):
    h = _hazard(world, setup)
    Hazard.objects.filter(pk=h.pk).update(step_deadline=timezone.now() - dt.timedelta(hours=1))
    result = sweep()
    assert result.by_model.get("safety.hazard") == 1 and Hazard.objects.get().overdue


def test_it_rerates_a_whole_town_after_a_rules_change(world, setup):
    services.rules_update(acting_user=world.admin, town=world.town, version=None, values={"matrix_yellow": 5,
                                                                                          "matrix_orange": 10})
    assert SafetyProfile.objects.get(pk=setup["a"].pk).colour == "blue"


def test_it_draws_the_same_enterprises_again_from_the_same_seed(world, setup):
    t = setup["templates"]["general"]
    today = timezone.localdate()
    one = services.plan_draw(acting_user=world.admin, town=world.town, template=t, starts_on=today, ends_on=today,
                             n_enterprises=1, seed="2026")
    two = services.plan_draw(acting_user=world.admin, town=world.town, template=t, starts_on=today, ends_on=today,
                             n_enterprises=1, seed="2026")
    assert list(one.inspections.values_list("profile_id")) == list(two.inspections.values_list("profile_id"))


def test_it_puts_an_assigned_inspection_in_the_inspectors_inbox(world, setup):
    from gridgov.core.flow.inbox import inbox_items

    services.plan_by_class(acting_user=world.admin, town=world.town, template=setup["templates"]["general"],
                           starts_on=timezone.localdate(), ends_on=timezone.localdate())
    Inspection.objects.update(inspector=world.worker_a)
    assert any(r["source"] == "safety.inspection" for r in inbox_items(user=world.worker_a))


def test_it_saves_an_answer_by_the_api_and_renders_the_form_in_constant_queries(world, setup,
                                                                               django_assert_max_num_queries):
    c = Client()
    c.login(username="worker_a", password=PASSWORD)
    i = services.inspection_start(acting_user=world.worker_a, profile_id=setup["a"].pk,
                                  template=setup["templates"]["general"])
    item = i.template.items.first()
    r = c.post(f"/api/v1/safety/inspections/{i.pk}/answers", json.dumps({"item": item.pk, "result": "fail"}),
               content_type="application/json")
    assert r.status_code == 200 and r.json()["missing_evidence"]
    with django_assert_max_num_queries(20):
        assert c.get(f"/safety/inspections/{i.pk}/").status_code == 200


def test_it_shows_the_enterprise_account_its_colour_and_open_hazards(world, setup):
    from gridgov.accounts.models import User

    u = User(username="ent_a", kind=User.Kind.ENTERPRISE, display_name="甲网格机械厂")
    u.set_password(PASSWORD)
    u.save()
    SafetyProfile.objects.filter(pk=setup["a"].pk).update(account=u)
    _hazard(world, setup)
    c = Client()
    c.login(username="ent_a", password=PASSWORD)
    page = c.get("/safety/my/").content.decode()
    assert "黄色" in page and Hazard.objects.get().title in page
    assert c.get(f"/safety/profiles/{setup['b'].pk}/").status_code == 404


def test_it_counts_the_quarters_hazards_by_level(world, setup):
    from gridgov.safety.selectors import statistics

    _hazard(world, setup)
    today = timezone.localdate()
    rows = statistics(user=world.admin, year=today.year, quarter=(today.month - 1) // 3 + 1, by="level")
    assert [(r["level"], r["found"], r["open"]) for r in rows] == [("一般隐患", 1, 1)]
    assert ChecklistTemplate.objects.restrict(world.worker_b, "view").count() == 6
