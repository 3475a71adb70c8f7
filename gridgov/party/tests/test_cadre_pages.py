"""Cadre archives, deployments and 红旗 ratings through the pages (and their API): the secretary of grid A's
branch keeps the archive of a cadre of their branch; the town party office sees and rates the whole town."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.core.models import ChangeRecord
from gridgov.party import services
from gridgov.party.models import Cadre, CadreRecord, Deployment, DeploymentTarget, RedFlagRating


@pytest.fixture
def cadre(party, world):
    return Cadre.objects.create(name="干部孟", title="副科长", town=world.town, org=party.branch_a)


def patch_json(client, url, body):
    return client.patch(url, data=json.dumps(body), content_type="application/json")


def test_the_secretary_records_an_award_in_the_archive(party, cadre, client_for):
    resp = client_for("secretary_a").post(f"/party/cadres/{cadre.pk}/", {
        "action": "record", "kind": "award", "on": "2026-06-30", "title": "担当作为好干部"})
    r = CadreRecord.objects.get()
    assert resp.status_code == 302 and (r.kind, r.title) == ("award", "担当作为好干部")
    assert ChangeRecord.objects.filter(model="party.cadrerecord", object_id=str(r.pk), action="create").exists()


def test_a_santshu_report_needs_the_cadres_department_naming_the_kind_field(party, cadre, client_for):
    resp = client_for("secretary_a").post(f"/party/cadres/{cadre.pk}/", {
        "action": "record", "kind": "report", "on": "2026-06-30", "title": "述职述廉述学"})
    assert resp.status_code == 422 and "三述报告按部门开展" in resp.content.decode()
    assert not CadreRecord.objects.exists()


def test_a_bad_date_is_refused_naming_the_field(party, cadre, client_for):
    resp = client_for("secretary_a").post(f"/party/cadres/{cadre.pk}/", {
        "action": "record", "kind": "record", "on": "30/06/2026", "title": "记录"})
    assert resp.status_code == 422 and "应为日期" in resp.content.decode() and not CadreRecord.objects.exists()


def test_the_secretary_of_another_branch_gets_404_for_the_archive(party, cadre, client_for):
    c = client_for("secretary_b")
    assert c.get(f"/party/cadres/{cadre.pk}/").status_code == 404
    assert c.post(f"/party/cadres/{cadre.pk}/", {"action": "record", "kind": "award", "on": "2026-06-30",
                                                  "title": "越权"}).status_code == 404
    assert not CadreRecord.objects.exists()


def test_the_secretary_corrects_an_evaluation(party, cadre, client_for):
    r = services.cadre_record_add(acting_user=party.secretary_a, cadre=cadre, kind="evaluation",
                                  on=dt.date(2026, 1, 10), title="年度担当作为评价", grade="称职")
    resp = client_for("secretary_a").post(f"/party/cadre-records/{r.pk}/edit/", {
        "version": r.version, "kind": "evaluation", "on": "2026-01-10", "title": "年度担当作为评价", "grade": "优秀"})
    assert resp.status_code == 302 and CadreRecord.objects.get().grade == "优秀"


def test_two_edits_of_one_record_one_wins_the_other_gets_409(party, cadre, client_for):
    r = services.cadre_record_add(acting_user=party.secretary_a, cadre=cadre, kind="evaluation",
                                  on=dt.date(2026, 1, 10), title="年度评价", grade="称职")
    form = {"version": 1, "kind": "evaluation", "on": "2026-01-10", "title": "年度评价"}
    first = client_for("secretary_a").post(f"/party/cadre-records/{r.pk}/edit/", {**form, "grade": "优秀"})
    second = client_for("party_office").post(f"/party/cadre-records/{r.pk}/edit/", {**form, "grade": "基本称职"})
    assert (first.status_code, second.status_code) == (302, 409) and CadreRecord.objects.get().grade == "优秀"


def test_the_secretary_deploys_a_cadre_to_a_grid_with_targets(party, cadre, world, client_for):
    resp = client_for("secretary_a").post(f"/party/cadres/{cadre.pk}/", {
        "action": "deploy", "kind": "sink", "division": world.grid_a.pk, "starts_on": "2026-03-01",
        "targets": "网格事件办结 20\n信访隐患化解 5"})
    d = Deployment.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/party/deployments/{d.pk}/"
    assert [(t.name, t.goal) for t in d.targets.all()] == [("网格事件办结", 20), ("信访隐患化解", 5)]


def test_a_deployment_to_another_towns_grid_is_refused_naming_the_division(party, cadre, world, client_for):
    resp = client_for("secretary_a").post(f"/party/cadres/{cadre.pk}/", {
        "action": "deploy", "kind": "sink", "division": world.other_grid.pk, "starts_on": "2026-03-01"})
    assert resp.status_code == 422 and "干部所在镇街" in resp.content.decode() and not Deployment.objects.exists()


def _deployment(party, cadre, world):
    return services.deployment_create(acting_user=party.secretary_a, cadre=cadre, kind="work_team",
                                      starts_on=dt.date(2026, 3, 1), division=world.village,
                                      targets=[("薄弱班子转化", 1), ("信访隐患化解", 5)])


def test_the_secretary_updates_the_progress_of_a_target(party, cadre, world, client_for):
    d = _deployment(party, cadre, world)
    t = d.targets.get(name="信访隐患化解")
    resp = client_for("secretary_a").post(f"/party/deployments/{d.pk}/", {
        "action": "progress", "target": t.pk, "version": t.version, "done": "3"})
    assert resp.status_code == 302 and DeploymentTarget.objects.get(pk=t.pk).done == 3
    assert "3/5" in client_for("secretary_a").get(f"/party/deployments/{d.pk}/").content.decode()


def test_a_stale_progress_update_gets_409_and_changes_nothing(party, cadre, world, client_for):
    d = _deployment(party, cadre, world)
    t = d.targets.get(name="信访隐患化解")
    c = client_for("secretary_a")
    c.post(f"/party/deployments/{d.pk}/", {"action": "progress", "target": t.pk, "version": 1, "done": "2"})
    resp = c.post(f"/party/deployments/{d.pk}/", {"action": "progress", "target": t.pk, "version": 1, "done": "4"})
    assert resp.status_code == 409 and DeploymentTarget.objects.get(pk=t.pk).done == 2


def test_the_progress_api_answers_a_stale_version_with_409(party, cadre, world, client_for):
    t = _deployment(party, cadre, world).targets.get(name="信访隐患化解")
    c = client_for("secretary_a")
    body = json.dumps({"version": 1, "done": 2})
    assert c.post(f"/api/v1/party/targets/{t.pk}/progress", body, content_type="application/json").json()["done"] == 2
    assert c.post(f"/api/v1/party/targets/{t.pk}/progress", body, content_type="application/json").status_code == 409


def test_a_negative_progress_is_refused_naming_the_done_field(party, cadre, world, client_for):
    t = _deployment(party, cadre, world).targets.get(name="信访隐患化解")
    resp = client_for("secretary_a").post(f"/api/v1/party/targets/{t.pk}/progress",
                                          json.dumps({"version": 1, "done": -1}), content_type="application/json")
    assert resp.status_code == 422 and resp.json()["errors"]["done"] == ["完成值不能为负数"]


def test_the_secretary_of_another_branch_gets_404_for_the_deployment(party, cadre, world, client_for):
    d = _deployment(party, cadre, world)
    assert client_for("secretary_b").get(f"/party/deployments/{d.pk}/").status_code == 404
    assert client_for("other_secretary").get(f"/api/v1/party/deployments/{d.pk}").status_code == 404


def test_the_town_party_office_rates_a_branch_red_flag(party, client_for):
    resp = client_for("party_office").post("/party/ratings/", {"org": party.branch_a.pk, "year": "2025",
                                                               "level": "red_flag", "note": "三会一课规范"})
    r = RedFlagRating.objects.get()
    assert resp.status_code == 302 and (r.org_id, r.year, r.level) == (party.branch_a.pk, 2025, "red_flag")
    assert "网格A党支部" in client_for("party_office").get("/party/ratings/").content.decode()


def test_re_rating_with_a_stale_version_gets_409(party, client_for):
    r = services.rating_set(acting_user=party.party_office, org=party.branch_a, year=2025, level="good")
    c = client_for("party_office")
    assert c.post(f"/party/ratings/{r.pk}/edit/", {"version": 1, "level": "red_flag"}).status_code == 302
    assert c.post(f"/party/ratings/{r.pk}/edit/", {"version": 1, "level": "weak"}).status_code == 409
    assert RedFlagRating.objects.get().level == "red_flag"


def test_an_unknown_level_is_refused_naming_the_field(party, client_for):
    resp = client_for("party_office").post("/api/v1/party/ratings", {"org": party.branch_a.pk, "year": 2025,
                                                                     "level": "gold"}, content_type="application/json")
    assert resp.status_code == 422 and "level" in resp.json()["errors"] and not RedFlagRating.objects.exists()


def test_a_branch_secretary_cannot_rate_another_branch(party, client_for):
    resp = client_for("secretary_b").post("/party/ratings/", {"org": party.branch_a.pk, "year": "2025",
                                                              "level": "red_flag"})
    assert resp.status_code == 404 and not RedFlagRating.objects.exists()


def test_the_rating_list_api_is_scoped_to_the_branch(party, client_for):
    services.rating_set(acting_user=party.party_office, org=party.branch_a, year=2025, level="red_flag")
    services.rating_set(acting_user=party.party_office, org=party.branch_b, year=2025, level="weak")
    rows = client_for("secretary_b").get("/api/v1/party/ratings").json()["items"]
    assert [(r["org_name"], r["level"]) for r in rows] == [("网格B党支部", "weak")]


def test_the_rating_and_deployment_lists_cost_the_same_queries_for_10_and_100_rows(party, world, client_for):
    from gridgov.party.models import OrgKind, PartyOrganisation

    orgs = [PartyOrganisation.objects.create(parent=party.village_committee, kind=OrgKind.BRANCH, code=f"Q{i}",
                                             name=f"支部{i}", path=f"{party.village_committee.path}Q{i}/",
                                             town=world.town, division=world.grid_a) for i in range(110)]
    RedFlagRating.objects.bulk_create([RedFlagRating(org=o, year=2025, level="good") for o in orgs])
    cadres = Cadre.objects.bulk_create([Cadre(name=f"干部{i}", town=world.town, org=party.branch_a)
                                        for i in range(110)])
    deps = Deployment.objects.bulk_create([Deployment(cadre=c, kind="sink", division=world.grid_a,
                                                      starts_on=dt.date(2026, 1, 1), town=world.town)
                                           for c in cadres])
    DeploymentTarget.objects.bulk_create([DeploymentTarget(deployment=d, name="目标", goal=2) for d in deps])
    c = client_for("party_office")

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    assert count("/api/v1/party/ratings?limit=10") == count("/api/v1/party/ratings?limit=100")
    assert count("/api/v1/party/deployments?limit=10") == count("/api/v1/party/deployments?limit=100")
    assert count("/party/ratings/?page=3") == count("/party/ratings/")


def test_an_enterprise_that_is_not_an_id_is_refused_naming_the_field(party, cadre, client_for):
    resp = client_for("secretary_a").post(f"/party/cadres/{cadre.pk}/", {
        "action": "deploy", "kind": "instructor", "enterprise": "海湾化工", "starts_on": "2026-03-01"})
    assert resp.status_code == 422 and "应为整数" in resp.content.decode() and not Deployment.objects.exists()


def test_the_archive_and_deployment_forms_label_their_own_fields(party, cadre, client_for):
    import re

    body = client_for("secretary_a").get(f"/party/cadres/{cadre.pk}/").content.decode()
    ids = re.findall(r'\bid="([^"]+)"', body)
    assert "f-kind" in ids and "f-dep-kind" in ids
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


# Opening an archive: the town's administrator (庚) adds a cadre of a department of 泊里镇.

def test_the_town_administrator_opens_a_cadres_archive_with_post_and_department(party, world, client_for):
    c = client_for("admin")
    form = c.get("/party/cadres/new/")
    resp = c.post("/party/cadres/new/", {"town": world.town.pk, "name": "  干部钱 ", "title": "应急办主任",
                                         "department": world.department.pk})
    cadre = Cadre.objects.get(name="干部钱")
    assert (form.status_code, resp.status_code, resp["Location"]) == (200, 302, f"/party/cadres/{cadre.pk}/")
    assert (cadre.town_id, cadre.department_id, cadre.title) == (world.town.pk, world.department.pk, "应急办主任")
    assert ChangeRecord.objects.filter(model="party.cadre", object_id=str(cadre.pk), action="create").exists()


def test_a_cadre_without_a_name_is_refused_naming_the_field(party, world, client_for):
    resp = client_for("admin").post("/party/cadres/new/", {"town": world.town.pk, "name": " ", "title": "科员"})
    body = resp.content.decode()
    assert (resp.status_code, "请填写姓名" in body, 'data-field="name"' in body, Cadre.objects.count()) == (
        422, True, True, 0)


def test_a_department_of_another_town_is_refused(party, world, client_for):
    resp = client_for("admin").post("/party/cadres/new/", {"town": world.town.pk, "name": "干部孙",
                                                           "department": world.other_department.pk})
    assert (resp.status_code, "请选择部门" in resp.content.decode(), Cadre.objects.count()) == (422, True, 0)


def test_the_service_refuses_a_department_of_another_town(party, world):
    from gridgov.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        services.cadre_create(acting_user=world.admin, name="干部孙", town=world.town,
                              department=world.other_department)
    assert ("department" in exc.value.errors, Cadre.objects.count()) == (True, 0)


def test_a_grid_worker_can_neither_open_the_form_nor_post_it(party, world, client_for):
    c = client_for("worker_a")
    statuses = (c.get("/party/cadres/new/").status_code,
                c.post("/party/cadres/new/", {"town": world.town.pk, "name": "越权"}).status_code)
    assert (statuses, Cadre.objects.count(), "/party/cadres/new/" in c.get("/party/cadres/").content.decode()) == (
        (404, 404), 0, False)


def test_the_administrator_sees_the_new_archive_link_on_the_list(party, client_for):
    assert "/party/cadres/new/" in client_for("admin").get("/party/cadres/").content.decode()
