"""A service that finds SQLite locked by another writer waits its turn instead of failing (issue 4: 4,000
members checking in within a minute)."""

import sqlite3
import threading

import pytest
from django.db import connection

from gridgov.core.validators import resident_id_check_char
from gridgov.register import services
from gridgov.register.models import Resident

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's single writer")


def test_it_waits_for_another_writer_instead_of_failing(transactional_db, world):
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=5, isolation_level=None,
                            check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process is writing
    threading.Timer(1.0, lambda: (other.execute("COMMIT"), other.close())).start()
    connection.ensure_connection()
    connection.connection.execute("PRAGMA busy_timeout = 50")  # so the first BEGIN gives up and is retried
    first17 = "37021119800101001"
    r = services.resident_create(acting_user=world.worker_a, data={
        "name": "张三", "id_number": first17 + resident_id_check_char(first17), "grid": world.grid_a.pk})
    assert Resident.objects.filter(pk=r.pk).exists()
