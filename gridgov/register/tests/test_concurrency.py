"""Two grid staff edit the same resident at the same moment: one wins, the other gets a conflict."""

import threading

import pytest
from django.db import connection

from gridgov.core.errors import Conflict
from gridgov.core.validators import resident_id_check_char
from gridgov.register import services
from gridgov.register.models import Resident


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_simultaneous_edits_win(world):
    first17 = "37021119900101001"
    r = services.resident_create(acting_user=world.grid_leader, data={
        "name": "王五", "id_number": first17 + resident_id_check_char(first17), "grid": world.grid_a.pk})
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def edit(who: str, address: str) -> None:
        try:
            mine = Resident.objects.get(pk=r.pk)  # both read version 1
            barrier.wait(timeout=10)
            services.resident_update(acting_user=world.people[who], resident=mine, data={"address": address},
                                     expected_version=1)
            outcomes[who] = address
        except Conflict:
            outcomes[who] = "conflict"
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=("worker_a", "东街1号")),
               threading.Thread(target=edit, args=("grid_leader", "西街2号"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(outcomes) == 2 and list(outcomes.values()).count("conflict") == 1
    winner = next(v for v in outcomes.values() if v != "conflict")
    r.refresh_from_db()
    assert (r.address, r.version) == (winner, 2)
