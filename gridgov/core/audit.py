"""Change logging: every create/update/delete of a registered model lands in a hash chain.

Services collect changes while they run (`record`), and the outermost service writes them just before its
transaction commits. On PostgreSQL they go in unsealed, and `seal()` chains them right after the commit in a
short transaction of its own: writers never wait for each other's commit on the chain's tip. Bulk writes
(and every write on SQLite) are chained inline. `verify()` recomputes the chain in `seq` order and names each
edited or deleted record; records not yet sealed are counted, not checked (`gridgov audit verify` seals first).
Each committed tip is anchored outside the database (`anchor.py`), so a rewritten tail is named too.
"""

from __future__ import annotations

import atexit
import contextvars
import datetime as dt
import decimal
import functools
import hashlib
import json
import logging
import os
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .bulk import MAX_PARAMS
from .context import current_request_id

logger = logging.getLogger(__name__)
GENESIS = "0" * 64
_JSONABLE = "_jsonable"  # entry key: before/after are already JSON-native (bulk snapshots)


def jsonable(value: Any) -> Any:
    if value is None or type(value) in (str, int, bool, float):  # the common case first: imports call this a lot
        return value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, FieldFile):  # a stored file is recorded by its name in storage
        return value.name or ""
    return value


_PLAIN_TYPES = frozenset((str, int, bool, float, type(None)))
_snapshot_fields: dict[type[models.Model], tuple[str, ...]] = {}


def _audited_attnames(model: type[models.Model]) -> tuple[str, ...]:
    """The attnames `snapshot` copies, computed once per model (bulk audit calls it for every row)."""
    names = _snapshot_fields.get(model)
    if names is None:
        exclude = set(getattr(model, "audit_exclude", ()))
        # Generated columns are derived from the others (and reading one after a save costs a query).
        names = tuple(f.attname for f in model._meta.concrete_fields
                      if f.attname not in exclude and not f.generated)
        _snapshot_fields[model] = names
    return names


def snapshot(obj: models.Model) -> dict[str, Any]:
    """JSON-native copy of a row's concrete fields (minus the model's `audit_exclude`)."""
    names = _audited_attnames(type(obj))
    values = obj.__dict__
    out = {}
    for name in names:
        # Loaded fields sit in the instance dict; a deferred one is fetched by the attribute as before.
        v = values[name] if name in values else getattr(obj, name)
        out[name] = v if type(v) in _PLAIN_TYPES else jsonable(v)
    return out


_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
_encode = _ENCODER.encode
_encode_str = json.encoder.encode_basestring  # what the encoder above does with a str, minus the dispatch


def _json(value: Any) -> str:
    return _encode_str(value) if type(value) is str else _encode(value)


def _digest(prev_hash: str, rec: dict[str, Any]) -> str:
    payload = json.dumps(rec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def _payload(time: str, actor_id: Any, actor: str, request_id: str, action: str, model: str, object_id: str,
             object_repr: str, before_json: str, after_json: str) -> str:
    """`json.dumps(_hashed_fields(…), sort_keys=True, …)` spelt out in key order, reusing the JSON of
    before/after that is also what gets stored: one serialisation per record instead of three. `_digest`
    (used by `verify`) must keep agreeing with it; a test holds them together."""
    return "".join((
        '{"action":', _json(action), ',"actor":', _json(actor), ',"actor_id":', _json(actor_id),
        ',"after":', after_json, ',"before":', before_json, ',"model":', _json(model),
        ',"object_id":', _json(object_id), ',"object_repr":', _json(object_repr),
        ',"request_id":', _json(request_id), ',"time":', _json(time), "}"))


def _hashed_fields(r: Any) -> dict[str, Any]:
    get = r.get if isinstance(r, dict) else lambda k: getattr(r, k)
    return {
        "time": jsonable(get("time")), "actor_id": get("actor_id"), "actor": get("actor"),
        "request_id": get("request_id"), "action": get("action"), "model": get("model"),
        "object_id": str(get("object_id")), "object_repr": get("object_repr"),
        "before": get("before"), "after": get("after"),
    }


@dataclass
class _Pending:
    actor: Any
    entries: list[dict[str, Any]] = field(default_factory=list)
    depth: int = 0


_pending: contextvars.ContextVar[_Pending | None] = contextvars.ContextVar("gridgov_audit", default=None)


def _entry(actor: Any, action: str, obj: models.Model, before: dict | None, after: dict | None) -> dict[str, Any]:
    return {
        "time": timezone.now(), "actor_id": getattr(actor, "pk", None),
        "actor": (getattr(actor, "username", "") or "system")[:150], "request_id": current_request_id(),
        "action": action, "model": obj._meta.label_lower, "object_id": str(obj.pk),
        "object_repr": str(obj)[:200], "before": before, "after": after,
    }


@contextmanager
def collecting(actor: Any) -> Iterator[None]:
    """Open (or join) the change collection of the current service call; flush at the outermost exit."""
    pending = _pending.get()
    if pending is not None:
        # Nested service: its savepoint may roll back while the outer service goes on; drop its entries then.
        mark = len(pending.entries)
        pending.depth += 1
        try:
            yield
        except BaseException:
            del pending.entries[mark:]
            raise
        finally:
            pending.depth -= 1
        return
    pending = _Pending(actor=actor)
    token = _pending.set(pending)
    try:
        yield
        if pending.entries:
            append(pending.entries)
    finally:
        _pending.reset(token)


def record(obj: models.Model, action: str, before: dict | None = None, *, actor: Any = None) -> None:
    """Note a change of `obj`. Inside a service it is flushed at commit time; outside, written at once."""
    after = snapshot(obj) if action != "delete" else None
    pending = _pending.get()
    if pending is not None:
        pending.entries.append(_entry(actor or pending.actor, action, obj, before, after))
    else:
        with transaction.atomic():
            append([_entry(actor, action, obj, before, after)])


def record_many(objs: Iterable[models.Model], action: str, *, actor: Any = None) -> None:
    """Bulk variant for imports and seeding (after `bulk_create`, objects carry their primary keys)."""
    now, rid = timezone.now(), current_request_id()
    actor_id, actor_name = getattr(actor, "pk", None), (getattr(actor, "username", "") or "system")[:150]
    entries = []
    for o in objs:
        # Built inline rather than through `_entry`: seeding audits hundreds of thousands of rows.
        entries.append({
            "time": now, "actor_id": actor_id, "actor": actor_name, "request_id": rid, "action": action,
            "model": o._meta.label_lower, "object_id": str(o.pk), "object_repr": str(o)[:200], "before": None,
            "after": snapshot(o) if action != "delete" else None, _JSONABLE: True})
    pending = _pending.get()
    if pending is not None:
        pending.entries.extend(entries)
    else:
        with transaction.atomic():
            append(entries)


def unsealed_json(obj: models.Model, action: str, *, actor: Any = None) -> str:
    """The change record of `obj`, unsealed, as one JSON object of `RECORD_COLUMNS` (what PostgreSQL's
    `json_populate_record` reads), for a service that writes it in its own statement: the intake writes case,
    timeline, notifications and record in one. The caller inserts it in its transaction and calls
    `seal_after_commit()`; the record is then chained like any other."""
    pending = _pending.get()
    actor = actor or (pending.actor if pending is not None else None)
    e = _entry(actor, action, obj, None, snapshot(obj) if action != "delete" else None)
    time, before, after = e.pop("time"), jsonable(e.pop("before")), jsonable(e.pop("after"))
    # The images go in as the text `_encode` makes, the text the sealer hashes once it reads them back.
    head = json.dumps({**e, "time": time.isoformat(), "object_id": str(e["object_id"]), "seq": None,
                       "prev_hash": "", "hash": ""}, ensure_ascii=False, separators=(",", ":"))
    return (f'{head[:-1]},"before":{"null" if before is None else _encode(before)},'
            f'"after":{"null" if after is None else _encode(after)}}}')


def seal_after_commit() -> None:
    """Seal the records the current transaction inserted once it commits (see `unsealed_row`)."""
    _seal_after_commit()


def flush() -> None:
    """Write the changes collected so far now, inside the current transaction: bulk work (imports) calls it
    after each batch so its memory stays bounded. Inside
    a nested service it does nothing: that service's entries must stay droppable if its savepoint rolls back."""
    pending = _pending.get()
    if pending is not None and pending.depth == 0 and pending.entries:
        entries, pending.entries = pending.entries, []
        append(entries)


# Writes of at most this many records are sealed after their commit; bigger ones (imports, the sweep, the
# demo) are chained inline, under the tip lock: reading back and updating 100,000 records costs more.
INLINE_FROM = 200


def _defer_default() -> bool:
    """Seal after commit where the database lets writers run side by side (PostgreSQL). SQLite serialises
    every write transaction anyway, so chaining inline costs nothing extra there."""
    return connection.features.has_select_for_update_skip_locked


def append(entries: list[dict[str, Any]], *, defer: bool | None = None) -> None:
    """Insert change records inside the current transaction.

    Deferred (the default on PostgreSQL for service-sized writes): the records go in unsealed, without
    taking the chain's tip lock, and the sealer chains them once the transaction has committed. Writers no
    longer queue behind each other's commit. Inline (bulk writes, SQLite): chain them now; the tip row stays
    locked until commit."""
    if not entries:
        return
    if defer is None:
        defer = len(entries) < INLINE_FROM and _defer_default()
    if defer:
        _insert_records(_rows(entries, None, None))
        _seal_after_commit()
        return
    head = _lock_head(wait=True)
    rows = _rows(entries, head.last_hash, head.last_seq)
    _insert_records(rows)
    _advance_head(rows[-1][-1], rows[-1][-3], len(rows))
    _anchor_after_commit()


def _anchor_after_commit() -> None:
    """Anchor the tip outside the database once the current transaction commits (once per transaction)."""
    from .anchor import anchor

    conn = transaction.get_connection()
    if not any(func is anchor for _, func, _ in conn.run_on_commit):
        transaction.on_commit(anchor, robust=True)


@dataclass
class _Tip:
    last_hash: str
    last_seq: int


def _lock_head(*, wait: bool) -> _Tip | None:
    """The tip, its row locked for this transaction; None when `wait` is false and another sealer holds it.
    Plain SQL: every write on PostgreSQL runs this once after its commit."""
    from .models import AuditHead

    table = connection.ops.quote_name(AuditHead._meta.db_table)
    lock = ""
    if connection.features.has_select_for_update:
        lock = " FOR UPDATE" if wait else " FOR UPDATE SKIP LOCKED"
    with connection.cursor() as cursor:
        for _attempt in range(2):
            cursor.execute(f"SELECT last_hash, last_seq FROM {table} WHERE id = 1{lock}")
            row = cursor.fetchone()
            if row is not None:
                return _Tip(row[0], row[1])
            created = AuditHead.objects.get_or_create(pk=1)[1]
            if not created and not wait:
                return None  # it exists, so it was skipped: another sealer holds it
    return None


def _advance_head(last_hash: str, last_seq: int, added: int) -> None:
    from .models import AuditHead

    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {connection.ops.quote_name(AuditHead._meta.db_table)} SET last_hash = %s, "
                       "last_seq = %s, count = count + %s WHERE id = 1", [last_hash, last_seq, added])


def _rows(entries: list[dict[str, Any]], prev: str | None, seq: int | None) -> list[tuple]:
    """Record tuples in `RECORD_COLUMNS` order; chained from (`prev`, `seq`) or, with None, unsealed."""
    from .models import ChangeRecord

    time_field = ChangeRecord._meta.get_field("time")
    sha256 = hashlib.sha256
    rows = []
    last_time: Any = _JSONABLE  # a sentinel no entry's time equals
    time_db = time_json = None
    for e in entries:
        t = e["time"]
        if t is not last_time:  # a bulk call stamps all its records with one moment
            last_time, time_db, time_json = t, time_field.get_db_prep_save(t, connection), jsonable(t)
        before, after = e["before"], e["after"]
        if not e.get(_JSONABLE):
            before, after = jsonable(before), jsonable(after)
        # The JSON text that is hashed is also the text stored (NULL for None, which reads back as None).
        before_json = None if before is None else _encode(before)
        after_json = None if after is None else _encode(after)
        object_id = str(e["object_id"])
        link: tuple = (None, "", "")  # unsealed: no place in the chain yet
        if prev is not None:
            payload = _payload(time_json, e["actor_id"], e["actor"], e["request_id"], e["action"], e["model"],
                               object_id, e["object_repr"], before_json or "null", after_json or "null")
            h = sha256((prev + payload).encode()).hexdigest()
            seq += 1
            link, prev = (seq, prev, h), h
        rows.append((time_db, e["actor_id"], e["actor"], e["request_id"], e["action"], e["model"], object_id,
                     e["object_repr"], before_json, after_json, *link))
    return rows


def _seal_after_commit() -> None:
    """Ask for one seal when the current transaction commits (once per transaction, however many appends;
    a rolled-back savepoint takes its request with it, and a later append asks again)."""
    conn = transaction.get_connection()
    if any(func is _seal_on_commit for _, func, _ in conn.run_on_commit):
        return
    transaction.on_commit(_seal_on_commit, robust=True)


def _seal_on_commit() -> None:
    if _sealer.enabled:
        _sealer.request()
    else:
        seal()


class _SealerThread:
    """The server's sealer: one daemon thread per process seals after commits instead of the request thread.

    A request that committed records only wakes it (no statement on the request's path); while the thread
    seals, further commits set the wake flag again, so under load one seal chains the records of many
    requests. Enabled by `use_sealer_thread()` (the WSGI entry point); commands and tests seal in the
    committing thread. Records the thread has not sealed when the process ends stay unsealed until the next
    seal by any process (the next write, `gridgov sweep`, `gridgov audit seal|verify`): none is lost."""

    def __init__(self) -> None:
        self.enabled = False
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._guard = threading.Lock()
        self._flags = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._stopping = False

    def _running(self) -> bool:
        """This process's thread is alive (after a fork the parent's thread is not ours)."""
        return self._thread is not None and self._pid == os.getpid() and self._thread.is_alive()

    def request(self) -> None:
        with self._flags:
            self._idle.clear()
            self._wake.set()
        if not self._running():
            with self._guard:
                if not self._running():
                    self._pid = os.getpid()
                    self._thread = threading.Thread(target=self._run, name="gridgov-audit-sealer", daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        from django.db import close_old_connections

        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stopping:
                connection.close()
                self._idle.set()
                return
            try:
                seal()
            except Exception:  # a lost connection, a restart: the next wake (or the next process) seals them
                logger.exception("audit seal failed; the records stay unsealed until the next seal")
                close_old_connections()
                connection.close()
            with self._flags:
                if not self._wake.is_set():
                    self._idle.set()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every requested seal has run (tests, process exit)."""
        return self._idle.wait(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Let the pending seal finish, then end the thread and close its connection (tests)."""
        thread = self._thread
        if thread is None or not self._running():
            return
        self.wait_idle(timeout)
        self._stopping = True
        self._wake.set()
        thread.join(timeout)
        self._stopping, self._thread = False, None


_sealer = _SealerThread()


def use_sealer_thread(enabled: bool = True) -> None:
    """Seal in a per-process background thread (the app server) instead of after each commit in the
    request's thread."""
    _sealer.enabled = enabled


@atexit.register
def _flush_sealer() -> None:
    if _sealer.enabled and _sealer._running():
        _sealer.wait_idle(5.0)


SEAL_BATCH = 5000
SEAL_ROUNDS = 20


def seal(*, batch: int = SEAL_BATCH, rounds: int = SEAL_ROUNDS) -> int:
    """Chain the committed unsealed records in one or more short transactions; returns how many.

    Whoever holds the tip lock seals everything committed so far; a writer that finds it held leaves its
    records to the holder, which looks again after releasing the lock, so no record waits for a later
    writer. `gridgov sweep` (cron, every minute) and `gridgov audit seal` call it too."""

    from .anchor import anchor

    total = 0
    for _ in range(rounds):
        with transaction.atomic():
            head = _lock_head(wait=False)
            if head is None:
                return total  # another sealer holds the tip and looks again when it is done
            done = _seal_batch(head, batch)
        if done:  # committed: the new tip is anchored outside the database (gridgov/core/anchor.py)
            if connection.in_atomic_block:  # inside a caller's transaction: only once that one commits
                transaction.on_commit(functools.partial(anchor, head.last_seq, head.last_hash), robust=True)
            else:
                anchor(head.last_seq, head.last_hash)
        total += done
        if done < batch and not _any_unsealed():
            break
    return total


def seal_all() -> int:
    """Seal every committed record, however many rounds it takes (commands: backup, audit seal|verify)."""
    return seal(rounds=10**9)


_SEAL_FIELDS = ("id", "time", "actor_id", "actor", "request_id", "action", "model", "object_id", "object_repr",
                "before", "after")


def _seal_batch(head: Any, batch: int) -> int:
    """Chain up to `batch` unsealed records after the locked tip, in id order. The hash is computed from the
    stored values, exactly as `verify` recomputes it."""
    from .models import ChangeRecord

    rows = list(ChangeRecord.objects.filter(seq__isnull=True).order_by("id").values_list(*_SEAL_FIELDS)[:batch])
    if not rows:
        return 0
    prev, seq = head.last_hash, head.last_seq
    sealed = []
    for row in rows:
        rec = dict(zip(_SEAL_FIELDS, row, strict=True))
        h = _digest(prev, _hashed_fields(rec))
        seq += 1
        sealed.append((rec["id"], seq, prev, h))
        prev = h
    _write_seals(ChangeRecord, sealed)
    _advance_head(prev, seq, len(sealed))
    head.last_hash, head.last_seq = prev, seq  # the caller anchors the new tip once this commits
    return len(sealed)


def _write_seals(model: type[models.Model], sealed: list[tuple[int, int, str, str]]) -> None:
    """One WITH v AS (VALUES …) UPDATE … FROM v per chunk (PostgreSQL and SQLite ≥ 3.33 both have it)."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    cast = ("::bigint", "::bigint", "::varchar", "::varchar") if connection.vendor == "postgresql" else ("",) * 4
    row_sql = "(" + ", ".join("%s" + c for c in cast) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(sealed), MAX_PARAMS // 4):
            chunk = sealed[start:start + MAX_PARAMS // 4]
            cursor.execute(
                f"WITH v (id, seq, prev_hash, hash) AS (VALUES {', '.join([row_sql] * len(chunk))}) "
                f"UPDATE {table} SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash "
                f"FROM v WHERE {table}.id = v.id AND {table}.seq IS NULL", [x for r in chunk for x in r])


def _any_unsealed() -> bool:
    from .models import ChangeRecord

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(ChangeRecord._meta.db_table)} "
                       "WHERE seq IS NULL LIMIT 1")
        return cursor.fetchone() is not None


def unsealed_count() -> int:
    from .models import ChangeRecord

    return ChangeRecord.objects.filter(seq__isnull=True).count()


RECORD_COLUMNS = ("time", "actor_id", "actor", "request_id", "action", "model", "object_id", "object_repr",
                   "before", "after", "seq", "prev_hash", "hash")


def _insert_records(rows: list[tuple]) -> None:
    """Multi-row INSERT of prepared ChangeRecord tuples (no model instances: the chain can be 300,000 rows)."""
    from .models import ChangeRecord

    model = ChangeRecord
    if not rows:
        return
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        # COPY: no SQL text with tens of thousands of placeholders for the driver to parse, and the fastest
        # load PostgreSQL has (the sweep writes thousands of records per batch).
        columns = ", ".join(qn(c) for c in RECORD_COLUMNS)
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
        return
    json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
    marks = ["%s" + json_cast if c in ("before", "after") else "%s" for c in RECORD_COLUMNS]
    row_sql = "(" + ", ".join(marks) + ")"
    head = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in RECORD_COLUMNS)}) VALUES ")
    per_chunk = MAX_PARAMS // len(RECORD_COLUMNS)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_chunk):
            chunk = rows[start:start + per_chunk]
            cursor.execute(head + ", ".join([row_sql] * len(chunk)), [v for r in chunk for v in r])


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problems: list[str]
    unsealed: int = 0
    anchors: int = 0  # anchors checked against the chain (gridgov/core/anchor.py)
    unanchored: int = 0  # sealed records after the last anchor: their rewriting could not be noticed yet
    replaced: int = 0  # anchored records of a chain a restore replaced


def verify() -> VerifyResult:
    """Recompute the whole chain. Names each record edited, each gap where records were deleted, and each record
    whose hash is not the one anchored outside the database (a tail rewritten with its hashes recomputed)."""
    from .anchor import read_anchors
    from .models import AuditHead, ChangeRecord

    anchors = read_anchors()
    problems: list[str] = list(anchors.problems)
    prev = GENESIS
    checked = matched = 0
    prev_id = None
    last_seq = 0
    for rec in ChangeRecord.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=5000):
        checked += 1
        if rec.prev_hash != prev:
            where = f"after record #{prev_id}" if prev_id else "at the start"
            problems.append(f"record(s) deleted before record #{rec.pk} ({where}): chain broken")
        if _digest(rec.prev_hash, _hashed_fields(rec)) != rec.hash:
            problems.append(f"record #{rec.pk} edited: its content no longer matches its hash")
        anchored = anchors.by_seq.get(rec.seq)
        if anchored is not None:
            matched += 1
            if anchored[0] != rec.hash:
                problems.append(f"record #{rec.pk} (seq {rec.seq}) is not the record anchored at {anchored[1]}: "
                                "the chain was rewritten up to here, hashes recomputed")
        prev, prev_id, last_seq = rec.hash, rec.pk, rec.seq
    if anchors.last_seq > last_seq:
        problems.append(f"the chain ends at seq {last_seq} but seq {anchors.last_seq} was anchored at "
                        f"{anchors.by_seq[anchors.last_seq][1]}: records cut from the end of the chain")
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.count != checked or head.last_hash != prev):
        if head.count > checked and head.last_hash != prev:
            problems.append(f"{head.count - checked} record(s) deleted at the end of the chain (after #{prev_id})")
        elif head.last_hash != prev:
            problems.append("chain tip does not match the last record")
        else:
            problems.append(f"record count {checked} differs from the {head.count} appended")
    return VerifyResult(ok=not problems, checked=checked, problems=problems, unsealed=unsealed_count(),
                        anchors=matched, unanchored=max(0, last_seq - anchors.last_seq), replaced=anchors.replaced)
