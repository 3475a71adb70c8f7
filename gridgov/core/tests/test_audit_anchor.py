"""Anchors outside the database (issue 16, item 8): whoever can write to the database rewrites the newest
records, recomputes their hashes and the chain's tip, and the chain alone is consistent again. The anchors,
signed with a key the database does not hold, still name it."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from gridgov.core import anchor, audit
from gridgov.core.models import AuditHead, ChangeRecord
from gridgov.core.validators import resident_id_check_char
from gridgov.register import services


def _resident(world, seq, name="张三"):
    first17 = f"37021119800101{seq:03d}"
    return services.resident_create(acting_user=world.worker_a, data={
        "name": name, "id_number": first17 + resident_id_check_char(first17), "grid": world.grid_a.pk})


@pytest.fixture
def anchored(world, django_capture_on_commit_callbacks):
    """Two residents written and their records sealed and anchored, as after a committed transaction."""
    with django_capture_on_commit_callbacks(execute=True):
        _resident(world, 2, name="王五")
        r = _resident(world, 1)
    audit.seal_all()
    anchor.anchor()
    return r


def _rewrite_newest(**after):
    """The attacker's edit: change the newest record, recompute its hash from its predecessor, move the tip."""
    rec = ChangeRecord.objects.filter(seq__isnull=False).order_by("-seq").first()
    rec.after = {**rec.after, **after}
    rec.hash = audit._digest(rec.prev_hash, audit._hashed_fields(rec))
    rec.save(update_fields=["after", "hash"])
    AuditHead.objects.filter(pk=1).update(last_hash=rec.hash)
    return rec


def _without_anchors():
    Path(settings.GRIDGOV_AUDIT_ANCHORS).unlink()
    return audit.verify()


def test_a_rewritten_newest_record_with_its_hash_and_tip_recomputed_is_named(anchored):
    rec = _rewrite_newest(name="李四")
    result = audit.verify()
    assert (result.ok, any(f"record #{rec.pk} (seq {rec.seq}) is not the record anchored" in p
                           for p in result.problems)) == (False, True)


def test_the_chain_alone_would_not_notice_that_rewrite(anchored):
    # What the issue found, and why the anchors are needed: without them the rewrite passes.
    _rewrite_newest(name="李四")
    assert _without_anchors().ok


def test_a_tail_cut_off_with_the_tip_moved_back_is_named(anchored, world):
    last = ChangeRecord.objects.filter(seq__isnull=False).order_by("-seq").first()
    before = ChangeRecord.objects.get(seq=last.seq - 1)
    last.delete()
    AuditHead.objects.filter(pk=1).update(last_hash=before.hash, last_seq=before.seq,
                                         count=AuditHead.objects.get(pk=1).count - 1)
    result = audit.verify()
    assert any("records cut from the end of the chain" in p for p in result.problems)


def test_an_anchor_forged_without_the_key_is_named(anchored):
    path = Path(settings.GRIDGOV_AUDIT_ANCHORS)
    line = json.loads(path.read_text().splitlines()[-1])
    rec = _rewrite_newest(name="李四")
    line["hash"] = rec.hash  # the attacker's own anchor of the rewritten tip, with the old signature
    with path.open("a") as f:
        f.write(json.dumps(line) + "\n")
    assert any("signature invalid" in p for p in audit.verify().problems)


@pytest.mark.django_db(transaction=True)
def test_every_commit_anchors_its_tip(world):
    _resident(world, 1)
    _resident(world, 2, name="李四")
    head = AuditHead.objects.get(pk=1)
    lines = [json.loads(x) for x in Path(settings.GRIDGOV_AUDIT_ANCHORS).read_text().splitlines()]
    result = audit.verify()
    assert ((lines[-1]["seq"], lines[-1]["hash"]), result.ok, result.unanchored) == (
        (head.last_seq, head.last_hash), True, 0)


def test_a_seal_after_commit_anchors_the_tip(world, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(audit, "_defer_default", lambda: True)  # PostgreSQL's way: unsealed, sealed after commit
    with django_capture_on_commit_callbacks(execute=True):
        _resident(world, 1)
    head = AuditHead.objects.get(pk=1)
    last = json.loads(Path(settings.GRIDGOV_AUDIT_ANCHORS).read_text().splitlines()[-1])
    assert (last["seq"], last["hash"]) == (head.last_seq, head.last_hash)


def test_an_auditor_verifies_with_the_public_key_alone(anchored, tmp_path, monkeypatch):
    public = anchor.public_key_text()
    monkeypatch.setattr(settings, "GRIDGOV_AUDIT_KEY", str(tmp_path / "not-here.key"))
    monkeypatch.setattr(settings, "GRIDGOV_AUDIT_PUBLIC_KEY", public)
    rec = _rewrite_newest(name="李四")
    assert any(f"record #{rec.pk}" in p for p in audit.verify().problems)


def test_the_verify_command_exits_1_naming_the_rewritten_tail(anchored, capsys):
    rec = _rewrite_newest(name="李四")
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("audit", "verify")
    assert f"record #{rec.pk}" in capsys.readouterr().err


def test_the_verify_command_counts_the_anchors_it_checked(anchored, capsys):
    call_command("audit", "verify")
    assert "anchor(s)" in capsys.readouterr().out


def test_the_signing_key_is_readable_by_its_owner_only(anchored):
    assert Path(settings.GRIDGOV_AUDIT_KEY).stat().st_mode & 0o077 == 0
