"""The audit chain beyond creates: updates carry before/after, deletes are recorded, tampering with either is
named, and concurrent writers on PostgreSQL still produce one valid chain."""

import threading

import pytest
from django.db import connection, connections

from gridgov.core.audit import seal, verify
from gridgov.core.models import AuditHead, ChangeRecord
from gridgov.core.validators import resident_id_check_char
from gridgov.register import services
from gridgov.register.models import Resident


def _resident(world, seq, name="张三"):
    first17 = f"37021119800101{seq:03d}"
    return services.resident_create(acting_user=world.worker_a, data={
        "name": name, "id_number": first17 + resident_id_check_char(first17), "grid": world.grid_a.pk})


def _records(r):
    return ChangeRecord.objects.filter(model="register.resident", object_id=str(r.pk)).order_by("id")


def test_it_records_an_update_with_before_and_after(world):
    r = _resident(world, 1)
    services.resident_update(acting_user=world.worker_a, resident=r, data={"address": "新地址"}, expected_version=1)
    rec = _records(r).last()
    assert (rec.action, rec.before["address"], rec.after["address"], rec.after["version"]) == ("update", "", "新地址", 2)


def test_it_records_a_delete_with_the_last_state(world):
    r = _resident(world, 1, name="将删除")
    pk = r.pk
    services.resident_delete(acting_user=world.admin, resident=r)
    rec = ChangeRecord.objects.filter(model="register.resident", object_id=str(pk)).order_by("id").last()
    assert (rec.action, rec.before["name"], rec.after, Resident.objects.filter(pk=pk).exists()) == (
        "delete", "将删除", None, False)


def test_the_chain_verifies_after_creates_updates_and_deletes(world):
    r = _resident(world, 1)
    services.resident_update(acting_user=world.worker_a, resident=r, data={"address": "一号"}, expected_version=1)
    services.resident_delete(acting_user=world.admin, resident=r)
    seal()
    result = verify()
    assert result.ok and result.checked == ChangeRecord.objects.count() == AuditHead.objects.get(pk=1).count


def test_it_names_an_update_whose_before_was_rewritten(world):
    r = _resident(world, 1)
    services.resident_update(acting_user=world.worker_a, resident=r, data={"address": "一号"}, expected_version=1)
    seal()
    victim = _records(r).last()
    ChangeRecord.objects.filter(pk=victim.pk).update(before={**victim.before, "address": "伪造"})
    assert f"record #{victim.pk} edited" in " ".join(verify().problems)


def test_it_notices_a_delete_record_removed_to_hide_a_deletion(world):
    r = _resident(world, 1)
    services.resident_delete(acting_user=world.admin, resident=r)
    seal()
    ChangeRecord.objects.filter(action="delete").delete()
    assert not verify().ok


def test_a_conflicting_update_adds_no_record(world):
    r = _resident(world, 1)
    count = ChangeRecord.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - Conflict; the point is the count below
        services.resident_update(acting_user=world.worker_a, resident=r, data={"address": "x"}, expected_version=7)
    assert ChangeRecord.objects.count() == count


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_produce_one_valid_chain(world):
    errors: list[Exception] = []
    start = threading.Barrier(4)

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(8):
                _resident(world, n * 100 + i, name=f"并发{n}-{i}")
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result = verify()  # no explicit seal: each writer's commit asked for one, and none was lost
    assert (errors, result.ok, result.checked, result.unsealed) == ([], True, 32, 0)
