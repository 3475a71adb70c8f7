"""Anchors of the audit chain outside the database (issue 16, item 8).

The hash chain (`audit.py`) names an edited or deleted record, but not a rewritten tail: whoever can write to the
database can change the newest records, recompute their hashes and move the tip, and the chain is consistent
again. So after each seal the chain's tip (seq, hash) is signed with an Ed25519 key the database does not hold
and appended as one JSON line to a file outside it (GRIDGOV_AUDIT_ANCHORS; ship it elsewhere, or send the
`gridgov.audit.anchor` log to a log host). `verify` checks every anchor's signature and that the record at its
seq still has the hash it had then: a rewritten or cut tail no longer matches the anchors written before.

The key: GRIDGOV_AUDIT_KEY (a PEM file, made with mode 0600 at the first anchor). An auditor verifies with the
public key only (`gridgov audit key` prints it; GRIDGOV_AUDIT_PUBLIC_KEY), so a verifier need not hold what
signs. A restore (`gridgov restore`) appends a signed restore line: anchors written before it past the restored
tip belong to the chain the restore replaced.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

logger = logging.getLogger("gridgov.audit.anchor")
_lock = threading.Lock()
_last: dict[str, int] = {}  # the last seq this process anchored, per anchor file (no line for an unchanged tip)


def anchors_path() -> Path:
    return Path(settings.GRIDGOV_AUDIT_ANCHORS)


def _key_path() -> Path:
    return Path(settings.GRIDGOV_AUDIT_KEY)


def _private_key() -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = _key_path()
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # O_EXCL: two processes making the key at once keep the first
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def public_key_text() -> str:
    """The verifying key, base64 of its 32 raw bytes (GRIDGOV_AUDIT_PUBLIC_KEY of an auditor's machine)."""
    from cryptography.hazmat.primitives import serialization

    raw = _private_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def _public_key() -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    text = settings.GRIDGOV_AUDIT_PUBLIC_KEY or (public_key_text() if _key_path().exists() else "")
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text)) if text else None


def _signed_text(entry: dict[str, Any]) -> bytes:
    body = {k: v for k, v in entry.items() if k != "sig"}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def _append(entry: dict[str, Any]) -> None:
    entry["sig"] = base64.b64encode(_private_key().sign(_signed_text(entry))).decode()
    line = json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n"
    path = anchors_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # One write of one short line with O_APPEND: lines of processes anchoring at once do not interleave.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    try:
        os.write(fd, line.encode())
        if settings.GRIDGOV_AUDIT_ANCHOR_FSYNC:
            os.fsync(fd)
    finally:
        os.close(fd)
    logger.info("%s", line.rstrip())


def _tip() -> tuple[int, str] | None:
    from .models import AuditHead

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_seq, last_hash FROM {connection.ops.quote_name(AuditHead._meta.db_table)} "
                       "WHERE id = 1")
        row = cursor.fetchone()
    return (row[0], row[1]) if row and row[0] else None


def anchor(seq: int | None = None, tip_hash: str | None = None) -> bool:
    """Sign the committed tip (or the given one, just committed by a seal) and append it; False when the tip is
    the one this process anchored last. Never raises into a write: a missing anchor shows in `verify` as
    records not yet anchored, and the next seal anchors them."""
    try:
        if seq is None or tip_hash is None:
            tip = _tip()
            if tip is None:
                return False
            seq, tip_hash = tip
        path = str(anchors_path())
        with _lock:
            if _last.get(path) == seq:
                return False
            _append({"seq": seq, "hash": tip_hash, "time": timezone.now().isoformat()})
            _last[path] = seq
        return True
    except Exception:
        logger.exception("audit anchor not written; the next seal anchors the tip")
        return False


def anchor_restore() -> None:
    """After a restore: the chain now ends where the backup's did. Anchors before this line past that tip were
    of the chain the restore replaced (`verify` says how many records that was)."""
    tip = _tip() or (0, "0" * 64)
    with _lock:
        _append({"restore": True, "seq": tip[0], "hash": tip[1], "time": timezone.now().isoformat()})
        _last.pop(str(anchors_path()), None)


@dataclass
class Anchors:
    """The anchor file as `verify` reads it: the valid anchors by seq, and what was wrong with the file."""

    by_seq: dict[int, tuple[str, str]] = field(default_factory=dict)  # seq → (hash, time)
    problems: list[str] = field(default_factory=list)
    replaced: int = 0  # anchored records of chains a restore replaced
    lines: int = 0

    @property
    def last_seq(self) -> int:
        return max(self.by_seq, default=0)


def read_anchors() -> Anchors:
    out = Anchors()
    path = anchors_path()
    if not path.exists():
        return out
    key = _public_key()
    if key is None:
        out.problems.append(f"{path}: anchors present but no key to check them (GRIDGOV_AUDIT_PUBLIC_KEY)")
        return out
    from cryptography.exceptions import InvalidSignature

    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        out.lines += 1
        try:
            entry = json.loads(line)
            key.verify(base64.b64decode(entry["sig"]), _signed_text(entry))
            seq, tip_hash, time = int(entry["seq"]), str(entry["hash"]), str(entry["time"])
        except (ValueError, KeyError, TypeError, InvalidSignature):
            out.problems.append(f"anchor line {number}: signature invalid or line altered (forged anchor?)")
            continue
        if entry.get("restore"):
            dropped = [s for s in out.by_seq if s > seq]
            out.replaced += max(dropped, default=seq) - seq if dropped else 0
            for s in dropped:
                del out.by_seq[s]
        if seq:
            out.by_seq[seq] = (tip_hash, time)
    return out
