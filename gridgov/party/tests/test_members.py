"""Member register: online self-registration approved by the branch, transfers with history, masking, the
branch rules and the scope of a secretary and of the town party office."""

from __future__ import annotations

import pytest

from gridgov.core.errors import NotFound, ValidationFailed
from gridgov.core.models import AccessLog
from gridgov.party import selectors, services
from gridgov.party.models import Member, PartyOrganisation, Transfer


def test_it_registers_a_member_online_pending_until_the_branch_approves(party, world):
    m = services.member_self_register(acting_user=world.resident, org=party.branch_a, name="居民辛",
                                      phone="13900001111")
    assert m.registration == Member.Registration.PENDING
    services.member_registration_decide(acting_user=party.secretary_a, member=m, approve=True)
    assert Member.objects.get(pk=m.pk).registration == Member.Registration.APPROVED


def test_another_branchs_secretary_cannot_approve_the_registration(party, world):
    m = services.member_self_register(acting_user=world.resident, org=party.branch_a, name="居民辛",
                                      phone="13900001111")
    with pytest.raises(NotFound):
        services.member_registration_decide(acting_user=party.secretary_b, member=m, approve=True)


def test_it_moves_a_member_within_the_town_at_once_keeping_the_history(party):
    m = party.members[0]
    services.transfer_request(acting_user=party.party_office, member=m, to_org=party.branch_b, reason="搬家")
    assert Member.objects.get(pk=m.pk).org_id == party.branch_b.pk
    assert Transfer.objects.get(member=m).from_org_id == party.branch_a.pk


def test_it_holds_a_transfer_to_another_town_until_the_receiving_side_accepts(party):
    m = party.members[0]
    t = services.transfer_request(acting_user=party.secretary_a, member=m, to_org=party.other_branch)
    assert (t.state, Member.objects.get(pk=m.pk).org_id) == (Transfer.State.PENDING, party.branch_a.pk)
    services.transfer_accept(acting_user=party.other_secretary, transfer=t)
    assert Member.objects.get(pk=m.pk).town_id == party.other_branch.town_id


def test_the_sending_side_cannot_accept_its_own_cross_town_transfer(party):
    t = services.transfer_request(acting_user=party.secretary_a, member=party.members[0],
                                  to_org=party.other_branch)
    with pytest.raises(ValidationFailed) as exc:
        services.transfer_accept(acting_user=party.secretary_a, transfer=t)
    assert "接收方" in exc.value.errors["to_org"][0]
    assert Member.objects.get(pk=party.members[0].pk).org_id == party.branch_a.pk


def test_it_refuses_changing_the_branch_by_editing_the_member(party):
    with pytest.raises(ValidationFailed) as exc:
        services.member_update(acting_user=party.party_office, member=party.members[0],
                               data={"org": party.other_branch.pk}, expected_version=1)
    assert "转接" in exc.value.errors["org"][0]


def test_it_masks_the_phone_unless_unmasked_and_logs_the_unmasking(party):
    m = party.members[0]
    assert selectors.masked(m)["phone"] == "138****0000"
    assert selectors.pii_view(m, user=party.secretary_a, unmask=True, reason="联系")["phone"] == "13800000000"
    assert AccessLog.objects.filter(user=party.secretary_a, model="party.member").count() == 1


def test_a_secretary_sees_their_branch_and_the_town_office_sees_the_town(party):
    a = set(selectors.member_list(user=party.secretary_a).values_list("org_id", flat=True))
    town = set(selectors.member_list(user=party.party_office).values_list("org_id", flat=True))
    assert a == {party.branch_a.pk} and town == {party.branch_a.pk, party.branch_b.pk}


def test_the_town_leader_reads_the_towns_organisations_but_not_the_other_towns(party, world):
    names = set(selectors.org_list(user=world.leader).values_list("name", flat=True))
    assert "网格A党支部" in names and "辛安社区第一党支部" not in names


def test_it_flags_a_branch_with_fewer_than_three_full_members(party):
    orgs = {o.name: selectors.org_problems(o) for o in selectors.org_list(user=party.party_office)}
    assert "不足 3 人" in orgs["网格B党支部"][0] and any("委员会" in p for p in orgs["网格A党支部"]) is False


def test_it_asks_for_a_committee_once_a_branch_has_seven_members(party, world):
    Member.objects.create(name="新党员", org=party.branch_a, town=world.town)
    org = selectors.org_list(user=party.party_office).get(pk=party.branch_a.pk)
    assert any("支部委员会" in p for p in selectors.org_problems(org))


def test_it_builds_the_organisation_path_under_its_parent(party):
    org = services.org_create(acting_user=party.secretary_a, parent=party.branch_a, name="第一党小组",
                              code="BL-DJK-A-1", kind="group", division=party.branch_a.division)
    assert PartyOrganisation.objects.get(pk=org.pk).path == "BL/BL-DJK/BL-DJK-A/BL-DJK-A-1/"
