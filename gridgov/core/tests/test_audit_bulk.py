"""Bulk audit (imports, demo seeding): records written by `record_many` carry the full row state, hash exactly as
`verify()` recomputes them, and the spelt-out hash payload agrees with the generic one for awkward values."""

import datetime as dt
import decimal

from django.db import transaction
from django.utils import timezone

from gridgov.core import audit
from gridgov.core.models import ChangeRecord
from gridgov.network.models import Department


def test_it_audits_every_row_of_a_bulk_insert_with_its_state(world):
    depts = Department.objects.bulk_create([Department(town=world.town, code=f"T{i}", name=f"测试部门{i}") for i in range(5)])
    with transaction.atomic():
        audit.record_many(depts, "create", actor=world.admin)
    rec = ChangeRecord.objects.filter(model="network.department", object_id=str(depts[3].pk)).get()
    assert (rec.action, rec.actor, rec.before, rec.after["name"]) == ("create", world.admin.username, None, "测试部门3")


def test_a_bulk_audited_chain_verifies(world):
    depts = Department.objects.bulk_create([Department(town=world.town, code=f"Q{i}", name=f"部门“{i}”\n") for i in range(3)])
    with transaction.atomic():
        audit.record_many(depts, "create", actor=world.admin)
    audit.record(depts[0], "update", before=audit.snapshot(depts[1]), actor=world.admin)
    audit.seal()
    result = audit.verify()
    assert (result.ok, result.checked) == (True, ChangeRecord.objects.count())


def test_the_spelt_out_payload_hashes_like_the_generic_one():
    now = timezone.now()
    after = {"名称": "泊里镇\"党委\"", "n": 3, "f": 1.5, "none": None, "ok": True, "day": "2026-01-02",
             "nested": {"b": [1, "二", {"z": 1, "a": None}], "a": str(decimal.Decimal("1.10"))}}
    entry = {"time": now, "actor_id": 7, "actor": "张三", "request_id": "cli-abc", "action": "update",
             "model": "party.member", "object_id": "42", "object_repr": "王五\t", "before": {"x": dt.date(2026, 1, 2).isoformat()},
             "after": after}
    payload = audit._payload(audit.jsonable(now), 7, "张三", "cli-abc", "update", "party.member", "42", "王五\t",
                             audit._encode(entry["before"]), audit._encode(after))
    expected = audit._digest(audit.GENESIS, audit._hashed_fields(entry))
    assert audit.hashlib.sha256((audit.GENESIS + payload).encode()).hexdigest() == expected
