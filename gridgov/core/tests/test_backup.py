"""`gridgov backup FILE` and `gridgov restore FILE`: database and media come back, and the audit chain verifies."""

import tarfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from gridgov.core import backup as backup_module
from gridgov.core.audit import verify
from gridgov.core.validators import resident_id_check_char
from gridgov.register import services
from gridgov.register.models import Resident


def _resident(world, name, seq):
    first17 = f"37021119800101{seq:03d}"
    return services.resident_create(acting_user=world.worker_a, data={
        "name": name, "id_number": first17 + resident_id_check_char(first17), "grid": world.grid_a.pk})


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "photos").mkdir(parents=True)
    (tmp_path / "media" / "photos" / "before.jpg").write_bytes(b"photo-1")
    return tmp_path / "media"


@pytest.mark.django_db(transaction=True)
def test_it_round_trips_the_database_and_media(world, media, tmp_path):
    kept = _resident(world, "备份前居民", 1)
    call_command("backup", str(tmp_path / "gridgov.tar.gz"))
    later = _resident(world, "备份后居民", 2)
    (media / "photos" / "before.jpg").unlink()
    (media / "after.jpg").write_bytes(b"photo-2")
    call_command("restore", str(tmp_path / "gridgov.tar.gz"))
    state = (Resident.objects.filter(pk=kept.pk).exists(), Resident.objects.filter(pk=later.pk).exists(),
             (media / "photos" / "before.jpg").read_bytes(), (media / "after.jpg").exists())
    assert state == (True, False, b"photo-1", False)


@pytest.mark.django_db(transaction=True)
def test_the_restored_audit_chain_verifies(world, media, tmp_path):
    _resident(world, "备份前居民", 1)
    call_command("backup", str(tmp_path / "b.tar"))
    _resident(world, "备份后居民", 2)
    call_command("restore", str(tmp_path / "b.tar"))
    result = verify()
    assert result.ok and result.checked == backup_module.read_manifest(tmp_path / "b.tar")["audit_count"]


@pytest.mark.django_db(transaction=True)
def test_it_writes_the_database_in_the_engines_own_format(world, media, tmp_path):
    info = backup_module.backup(tmp_path / "b.tar")
    with tarfile.open(info.path) as tar:
        names = set(tar.getnames())
    expected = "db.sqlite3" if connection.vendor == "sqlite" else "db.pgdump"
    assert {"manifest.json", expected, "media/photos/before.jpg"} <= names


def test_it_refuses_a_file_that_is_not_a_backup(db, tmp_path):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar file")
    with pytest.raises(CommandError, match="not a gridgov backup"):
        call_command("restore", str(junk))


def test_it_says_what_to_install_when_pg_dump_is_missing(monkeypatch):
    monkeypatch.setattr(backup_module.shutil, "which", lambda name: None)
    with pytest.raises(backup_module.BackupError, match="postgresql-client"):
        backup_module._tool("pg_dump")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_backup_of_another_engine(world, media, tmp_path, monkeypatch):
    info = backup_module.backup(tmp_path / "b.tar")
    monkeypatch.setattr(backup_module, "_engine", lambda: "sqlite")
    with pytest.raises(backup_module.BackupError, match="postgresql database"):
        backup_module.restore(info.path)
