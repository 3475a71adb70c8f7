"""Sealing: on PostgreSQL a service's change records go in unsealed, without waiting for other writers' commits,
and are chained right after their transaction commits. Sealed records are tamper-evident exactly like records
chained inline; a record waiting for its seal is counted by `verify`, never silently skipped."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from gridgov.core import audit
from gridgov.core.models import AuditHead, ChangeRecord
from gridgov.core.validators import resident_id_check_char
from gridgov.register import services


def _resident(world, seq, name="张三"):
    first17 = f"37021119800101{seq:03d}"
    return services.resident_create(acting_user=world.worker_a, data={
        "name": name, "id_number": first17 + resident_id_check_char(first17), "grid": world.grid_a.pk})


@pytest.fixture
def deferred(monkeypatch):
    """Seal after commit on either database (PostgreSQL's default; SQLite chains inline unless told)."""
    monkeypatch.setattr(audit, "_defer_default", lambda: True)


def test_a_deferred_record_waits_unsealed_until_the_seal(world, deferred):
    r = _resident(world, 1)  # the test's transaction never commits, so no seal ran
    rec = ChangeRecord.objects.get(model="register.resident", object_id=str(r.pk))
    waiting = (rec.seq, rec.hash, audit.verify().unsealed)
    sealed = audit.seal()
    rec.refresh_from_db()
    assert (waiting, sealed >= 1, rec.seq is not None, len(rec.hash)) == ((None, "", sealed), True, True, 64)


def test_sealed_records_continue_the_chain_after_inline_ones(world, deferred):
    _resident(world, 1)
    audit.seal()
    head = AuditHead.objects.get(pk=1)
    r2 = _resident(world, 2, name="李四")
    with transaction.atomic():  # a bulk write chains inline, after the tip, while r2's record still waits
        audit.append([audit._entry(world.admin, "update", r2, None, audit.snapshot(r2))], defer=False)
    audit.seal()
    chain = list(ChangeRecord.objects.filter(seq__gt=head.last_seq).order_by("seq").values_list("action", "seq"))
    result = audit.verify()
    assert (chain[0], [s for _a, s in chain] == sorted({s for _a, s in chain}), result.ok, result.unsealed) == (
        ("update", head.last_seq + 1), True, True, 0)


def test_sealing_twice_seals_nothing_the_second_time(world, deferred):
    _resident(world, 1)
    first = audit.seal()
    tip = AuditHead.objects.get(pk=1).last_hash
    assert (first >= 1, audit.seal(), AuditHead.objects.get(pk=1).last_hash) == (True, 0, tip)


def test_a_record_edited_after_its_seal_is_named(world, deferred):
    r = _resident(world, 1)
    audit.seal()
    victim = ChangeRecord.objects.get(model="register.resident", object_id=str(r.pk))
    ChangeRecord.objects.filter(pk=victim.pk).update(object_repr="篡改")
    assert f"record #{victim.pk} edited" in " ".join(audit.verify().problems)


def test_a_record_pulled_out_of_the_chain_is_noticed(world, deferred):
    _resident(world, 1)
    _resident(world, 2, name="李四")
    audit.seal()
    first = ChangeRecord.objects.filter(model="register.resident").order_by("seq").first()
    ChangeRecord.objects.filter(pk=first.pk).update(seq=None, prev_hash="", hash="")
    assert not audit.verify().ok


@pytest.mark.django_db(transaction=True)
def test_a_service_seals_its_records_once_it_has_committed(world, deferred):
    before = AuditHead.objects.get(pk=1).count if AuditHead.objects.filter(pk=1).exists() else 0
    _resident(world, 1)
    result = audit.verify()
    assert (result.unsealed, AuditHead.objects.get(pk=1).count - before, result.ok) == (0, 1, True)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_leaves_nothing_to_seal(world, deferred):
    count = ChangeRecord.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        _resident(world, 1)
        raise RuntimeError("the caller gives up")
    _resident(world, 2, name="李四")  # the next transaction asks for its own seal
    assert (ChangeRecord.objects.count() - count, audit.verify().unsealed) == (1, 0)


def test_the_seal_command_reports_what_it_sealed(world, deferred, capsys):
    _resident(world, 1)
    call_command("audit", "seal")
    assert ("sealed" in capsys.readouterr().out, audit.verify().unsealed) == (True, 0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second session holding the tip needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_writer_that_finds_the_tip_held_leaves_its_records_to_the_holder(world, monkeypatch):
    """The holder looks again after releasing the tip, so the writer's records do not wait for a later one."""
    holding, release, done = threading.Event(), threading.Event(), []
    real_batch = audit._seal_batch

    def slow_first_batch(head, batch):
        sealed = real_batch(head, batch)
        if not holding.is_set():  # the holder has read its work list; keep the tip locked a while
            holding.set()
            release.wait(10)
        return sealed

    monkeypatch.setattr(audit, "_seal_batch", slow_first_batch)
    AuditHead.objects.get_or_create(pk=1)

    def holder() -> None:
        try:
            done.append(audit.seal())
        finally:
            connections.close_all()

    t = threading.Thread(target=holder)
    t.start()
    holding.wait(10)
    r = _resident(world, 1)  # commits; its own seal finds the tip held and returns at once
    waiting = audit.verify().unsealed
    release.set()
    t.join()
    rec = ChangeRecord.objects.get(model="register.resident", object_id=str(r.pk))
    assert (waiting, done, rec.seq is not None, audit.verify().unsealed) == (1, [1], True, 0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the server's sealer thread runs on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_on_the_server_a_background_thread_seals_what_requests_committed(world, monkeypatch):
    """The request that committed only wakes the sealer; the sealer chains the records of every request."""
    sealed_in: list[str] = []
    real_seal = audit.seal

    def watched_seal(**kwargs):
        sealed_in.append(threading.current_thread().name)
        return real_seal(**kwargs)

    monkeypatch.setattr(audit, "seal", watched_seal)
    audit.use_sealer_thread()
    try:
        people = [_resident(world, i, name=f"居民{i}") for i in range(1, 4)]
        assert audit._sealer.wait_idle(10)
    finally:
        audit._sealer.stop()
        audit.use_sealer_thread(False)
    records = ChangeRecord.objects.filter(model="register.resident", object_id__in=[str(p.pk) for p in people])
    assert (set(sealed_in), records.filter(seq__isnull=True).count(), records.count(), audit.verify().ok) == (
        {"gridgov-audit-sealer"}, 0, 3, True)


def test_the_app_server_entry_point_turns_the_sealer_thread_on():
    """Served requests seal through the thread; a command (or this test process) seals in its own thread."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", "import gridgov.wsgi\nfrom gridgov.core import audit\n"
                          "print(audit._sealer.enabled)"], capture_output=True, text=True, check=True, timeout=120)
    assert (out.stdout.strip(), audit._sealer.enabled) == ("True", False)
