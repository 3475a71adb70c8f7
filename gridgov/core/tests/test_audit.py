"""Every change lands in an append-only hash chain; `gridgov audit verify` names tampering."""

import pytest
from django.core.management import CommandError, call_command

from gridgov.core.audit import seal, verify
from gridgov.core.errors import ValidationFailed
from gridgov.core.models import ChangeRecord
from gridgov.register import services


def _valid(idn):
    from gridgov.core.validators import resident_id_check_char

    return idn[:17] + resident_id_check_char(idn[:17])


def test_it_records_actor_request_and_after_state(world):
    r = services.resident_create(acting_user=world.worker_a, data={
        "name": "张三", "id_number": _valid("370211198001011234"), "grid": world.grid_a.pk})
    rec = ChangeRecord.objects.get(model="register.resident", object_id=str(r.pk))
    assert (rec.actor_id, rec.action, rec.after["name"], rec.before) == (world.worker_a.pk, "create", "张三", None)


def test_it_verifies_an_untouched_chain(world):
    services.resident_create(acting_user=world.worker_a, data={
        "name": "张三", "id_number": _valid("370211198001011234"), "grid": world.grid_a.pk})
    seal()
    result = verify()
    assert (result.ok, result.checked, result.unsealed) == (True, ChangeRecord.objects.count(), 0)


def test_it_names_an_edited_record(world):
    for i in range(3):
        services.resident_create(acting_user=world.worker_a, data={
            "name": f"居民{i}", "id_number": _valid(f"37021119800101{i:03d}0"), "grid": world.grid_a.pk})
    seal()
    victim = ChangeRecord.objects.order_by("id")[1]
    ChangeRecord.objects.filter(pk=victim.pk).update(after={"name": "篡改"})
    result = verify()
    assert f"record #{victim.pk} edited" in " ".join(result.problems)


def test_it_names_a_deleted_record(world):
    for i in range(3):
        services.resident_create(acting_user=world.worker_a, data={
            "name": f"居民{i}", "id_number": _valid(f"37021119800101{i:03d}0"), "grid": world.grid_a.pk})
    seal()
    rows = list(ChangeRecord.objects.order_by("id"))
    ChangeRecord.objects.filter(pk=rows[1].pk).delete()
    assert f"before record #{rows[2].pk}" in " ".join(verify().problems)


def test_it_notices_the_last_record_deleted(world):
    services.resident_create(acting_user=world.worker_a, data={
        "name": "张三", "id_number": _valid("370211198001011234"), "grid": world.grid_a.pk})
    seal()
    ChangeRecord.objects.order_by("-id").first().delete()
    assert "deleted at the end" in " ".join(verify().problems)


def test_the_command_fails_loudly_on_tampering(world):
    services.resident_create(acting_user=world.worker_a, data={
        "name": "张三", "id_number": _valid("370211198001011234"), "grid": world.grid_a.pk})
    seal()
    ChangeRecord.objects.update(actor="someone-else")
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("audit", "verify")


def test_a_failed_service_leaves_no_audit_record(world):
    before = ChangeRecord.objects.count()
    with pytest.raises(ValidationFailed):
        services.resident_create(acting_user=world.worker_a, data={
            "name": "张三", "id_number": "110105194912310021", "grid": world.grid_a.pk})
    assert ChangeRecord.objects.count() == before


def test_a_nested_service_that_fails_inside_a_surviving_one_leaves_no_record(world):
    from gridgov.core.services import service
    from gridgov.register.models import Resident

    @service
    def register_then_fail(*, acting_user):
        services.resident_create(acting_user=acting_user, data={
            "name": "乙", "id_number": _valid("370211198001021234"), "grid": world.grid_a.pk})
        raise ValidationFailed({"name": ["后续检查未通过"]})

    @service
    def register_two(*, acting_user):
        services.resident_create(acting_user=acting_user, data={
            "name": "甲", "id_number": _valid("370211198001011234"), "grid": world.grid_a.pk})
        try:
            register_then_fail(acting_user=acting_user)
        except ValidationFailed:
            pass

    register_two(acting_user=world.worker_a)
    assert list(Resident.objects.values_list("name", flat=True)) == ["甲"]
    assert list(ChangeRecord.objects.values_list("object_repr", flat=True)) == ["甲"]
    seal()
    assert verify().ok
