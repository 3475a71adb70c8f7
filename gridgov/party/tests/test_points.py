"""Quantified points: claims approved by the secretary, caps, the veto rule, grades, rankings, publication."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.core.errors import ValidationFailed
from gridgov.party import selectors, services
from gridgov.party.models import PointClaim, PointEntry, PointYear, Publication


def today():
    return timezone.localdate()


def claim_and_approve(party, n=1):
    for _ in range(n):
        c = services.claim_submit(acting_user=party.member, rule_code="volunteer", occurred_on=today(),
                                  description="社区志愿服务")
        services.claim_decide(acting_user=party.secretary_a, claim=c, approve=True)


def test_it_adds_points_when_the_secretary_approves_a_volunteer_claim(party):
    claim_and_approve(party)
    assert PointYear.objects.get(member=party.members[0]).score == 102


def test_it_refuses_a_claim_beyond_the_annual_cap_naming_the_field(party):
    claim_and_approve(party, 10)  # 10 × 2 = 20, the cap
    with pytest.raises(ValidationFailed) as exc:
        services.claim_submit(acting_user=party.member, rule_code="volunteer", occurred_on=today(),
                              description="第十一次")
    assert "年度上限 20 分" in exc.value.errors["points"][0]
    assert PointClaim.objects.count() == 10


def test_it_refuses_to_approve_a_pending_claim_once_the_cap_is_reached(party):
    pending = [services.claim_submit(acting_user=party.member, rule_code="volunteer", occurred_on=today(),
                                     description=f"服务{i}") for i in range(11)]
    for c in pending[:10]:
        services.claim_decide(acting_user=party.secretary_a, claim=c, approve=True)
    with pytest.raises(ValidationFailed):
        services.claim_decide(acting_user=party.secretary_a, claim=pending[10], approve=True)
    assert PointClaim.objects.get(pk=pending[10].pk).state == PointClaim.State.PENDING


def test_a_member_cannot_approve_their_own_claim(party):
    from gridgov.core.errors import NotFound

    c = services.claim_submit(acting_user=party.member, rule_code="volunteer", occurred_on=today(),
                              description="服务")
    with pytest.raises(NotFound):
        services.claim_decide(acting_user=party.member, claim=c, approve=True)


def test_it_sets_the_years_score_to_zero_on_a_disciplinary_sanction(party):
    claim_and_approve(party, 3)
    services.points_veto(acting_user=party.secretary_a, member=party.members[0], year=today().year,
                         reason="受党内警告处分")
    assert selectors.member_year(member=party.members[0], year=today().year)["score"] == 0


def test_the_years_score_follows_every_entry_and_stays_zero_after_a_sanction(party):
    """The year row is updated in place after the first entry: the score is 100 + the year's points, and 0
    for the rest of the year once a sanction is recorded, while the points themselves keep counting."""
    member = party.members[0]
    claim_and_approve(party, 2)
    before = selectors.member_year(member=member, year=today().year)
    services.points_veto(acting_user=party.secretary_a, member=member, year=today().year, reason="受党内警告处分")
    claim_and_approve(party)
    after = selectors.member_year(member=member, year=today().year)
    assert ((before["score"], before["delta"], before["vetoed"]), (after["score"], after["delta"], after["vetoed"])) \
        == ((104, 4, False), (0, 6, True))


def test_it_grades_a_score_of_eighty_five_as_good(party):
    assert services.grade_of(85) == "良好" and services.grade_of(59) == "不合格"


def test_the_ledger_is_append_only(party):
    claim_and_approve(party)
    entry = PointEntry.objects.get()
    with pytest.raises(RuntimeError):
        entry.delete()
    entry.points = 50
    with pytest.raises(RuntimeError):
        entry.save()


def test_it_ranks_branches_of_the_town_by_average_score(party):
    claim_and_approve(party, 2)
    services.points_manual(acting_user=party.secretary_b, member=party.member_b.party_member,
                           rule_code="absence", reason="无故缺席党员大会", occurred_on=today())
    rows = selectors.branch_ranking(user=party.party_office, year=today().year)
    assert [r["org__name"] for r in rows] == ["网格A党支部", "网格B党支部"]


def test_the_branch_secretary_sees_only_their_branch_in_the_ranking(party):
    claim_and_approve(party)
    services.points_manual(acting_user=party.secretary_b, member=party.member_b.party_member,
                           rule_code="absence", reason="缺席", occurred_on=today())
    assert [r.org_id for r in selectors.member_ranking(user=party.secretary_a, year=today().year)] == [
        party.branch_a.pk]


def test_it_publishes_results_for_seven_days_and_records_an_objection(party):
    pub = services.publication_open(acting_user=party.secretary_a, org=party.branch_a, year=today().year)
    services.objection_add(acting_user=party.member, publication=pub, text="我的志愿服务少记一次")
    assert (pub.ends_on - pub.starts_on).days == 6 and pub.objections.count() == 1


def test_it_refuses_an_objection_after_the_publication_period(party):
    pub = services.publication_open(acting_user=party.secretary_a, org=party.branch_a, year=today().year,
                                    starts_on=today() - dt.timedelta(days=10))
    with pytest.raises(ValidationFailed) as exc:
        services.objection_add(acting_user=party.member, publication=pub, text="异议")
    assert "不在公示期内" in exc.value.errors["publication"][0]
    assert Publication.objects.get().objections.count() == 0
