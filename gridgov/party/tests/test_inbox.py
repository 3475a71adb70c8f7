"""The party's work in 我的待办: 支部书记李 finds the point claims of grid A's branch waiting for her, 支部书记赵 of
grid B's branch does not, and a claim once decided leaves the inbox."""

from __future__ import annotations

from django.utils import timezone

from gridgov.core.flow.inbox import inbox_items
from gridgov.party import services


def claim(party):
    return services.claim_submit(acting_user=party.member, rule_code="volunteer", occurred_on=timezone.localdate(),
                                 description="社区志愿服务")


def test_it_shows_the_secretary_the_claims_waiting_for_her(party):
    c = claim(party)
    rows = [r for r in inbox_items(user=party.secretary_a) if r["source"] == "party.pointclaim"]
    assert [(r["id"], r["url"]) for r in rows] == [(c.pk, f"/party/points/claims/{c.pk}/decide/")]


def test_it_shows_another_branchs_secretary_none_of_them(party):
    claim(party)
    assert [r for r in inbox_items(user=party.secretary_b) if r["source"] == "party.pointclaim"] == []


def test_a_decided_claim_leaves_the_inbox(party):
    c = claim(party)
    services.claim_decide(acting_user=party.secretary_a, claim=c, approve=True)
    assert [r for r in inbox_items(user=party.secretary_a) if r["source"] == "party.pointclaim"] == []
