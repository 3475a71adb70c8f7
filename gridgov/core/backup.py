"""`gridgov backup FILE` / `gridgov restore FILE`: the database and the uploaded files in one archive.

The archive is a tar file (gzip-compressed when FILE ends in .gz/.tgz) holding `manifest.json`, the database
and `media/`. SQLite is copied with its online backup API (a consistent copy while the server runs; WAL
included); PostgreSQL with `pg_dump --format=custom` (one snapshot) and put back with `pg_restore`, which
come with postgresql-client; without them both commands stop with a clear message. The manifest keeps the
audit chain's length and tip so that a restore can prove it brought back the same chain.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections

FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass
class BackupInfo:
    path: Path
    engine: str
    audit_count: int
    audit_tip: str
    media_files: int


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backup supports SQLite and PostgreSQL, not {vendor}")
    return vendor


def audit_tip() -> tuple[int, str]:
    from .models import AuditHead

    head = AuditHead.objects.filter(pk=1).first()
    return (head.count, head.last_hash) if head else (0, "0" * 64)


def _pg_env() -> dict[str, str]:
    s = connection.settings_dict
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"),
                     ("NAME", "PGDATABASE")):
        if s.get(key):
            env[var] = str(s[key])
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: install postgresql-client (apt-get install postgresql-client) "
                          f"matching the server's major version")
    return found


def _run(args: list[str]) -> None:
    proc = subprocess.run(args, env=_pg_env(), capture_output=True, text=True)
    if proc.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed ({proc.returncode}): {proc.stderr.strip()[:2000]}")


def _dump_database(engine: str, workdir: Path) -> Path:
    if engine == "sqlite":
        target = workdir / "db.sqlite3"
        connection.ensure_connection()
        dest = sqlite3.connect(target)
        try:
            connection.connection.backup(dest)  # online backup API: consistent, WAL included
        finally:
            dest.close()
        return target
    target = workdir / "db.pgdump"
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"])
    return target


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def backup(path: str | os.PathLike[str]) -> BackupInfo:
    """Write a consistent backup of the database and the media directory to `path` (atomically)."""
    engine = _engine()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    from .audit import seal_all

    seal_all()  # the manifest names the tip of a chain that holds every committed record
    count, tip = audit_tip()
    media = _media_root()
    files = [p for p in media.rglob("*") if p.is_file()] if media.is_dir() else []
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        db_file = _dump_database(engine, Path(tmp))
        manifest = {"format": FORMAT, "engine": engine, "database": db_file.name,
                    "created": dt.datetime.now(dt.UTC).isoformat(), "audit_count": count, "audit_tip": tip,
                    "media_files": len(files)}
        partial = path.with_name(path.name + ".partial")
        mode = "w:gz" if path.suffix in (".gz", ".tgz") else "w"
        with tarfile.open(partial, mode) as tar:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=db_file.name)
            for f in files:
                tar.add(f, arcname=f"media/{f.relative_to(media).as_posix()}")
        os.replace(partial, path)
    return BackupInfo(path, engine, count, tip, len(files))


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    try:
        with tarfile.open(path) as tar:
            member = tar.extractfile("manifest.json")
            if member is None:
                raise KeyError("manifest.json")
            manifest = json.load(member)
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"{path} is not a gridgov backup ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown backup format {manifest.get('format')!r}")
    return manifest


def _restore_database(engine: str, db_file: Path) -> None:
    if engine == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(db_file)
        try:
            source.backup(connection.connection)  # replaces every page of the live database
        finally:
            source.close()
        return
    connections.close_all()
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          f"--dbname={connection.settings_dict['NAME']}", str(db_file)])


def restore(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Put a backup back: the database (replacing its content) and the media directory."""
    engine = _engine()
    manifest = read_manifest(path)
    if manifest["engine"] != engine:
        raise BackupError(f"this backup is of a {manifest['engine']} database; the configured one is {engine}")
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(path) as tar:
        extra = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        members = [m for m in tar.getmembers() if m.name == manifest["database"] or m.name.startswith("media/")]
        tar.extractall(tmp, members=members, **extra)  # "data" filter: no absolute paths, no escaping links
        _restore_database(engine, Path(tmp) / manifest["database"])
        media = _media_root()
        if media.exists():
            shutil.rmtree(media)
        if (Path(tmp) / "media").is_dir():
            shutil.copytree(Path(tmp) / "media", media)
        else:
            media.mkdir(parents=True, exist_ok=True)
    from .anchor import anchor_restore

    anchor_restore()  # the anchors past the restored tip were of the chain this restore replaced
    return manifest
