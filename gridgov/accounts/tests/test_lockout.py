"""The lockout is no denial of service (issue 16, item 4): counted per account at an address and per address,
with back-off; an administrator of the town sees the locks and lifts them (audited); the user is told."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from gridgov.accounts.models import LoginAttempt
from gridgov.core.models import ChangeRecord
from gridgov.testing import PASSWORD

ATTACKER = "203.0.113.9"


def _login(username, password, address="127.0.0.1", client=None):
    c = client or Client()
    resp = c.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)
    return resp, "_auth_user_id" in c.session


def _lock(username, address=ATTACKER):
    for _ in range(settings.GRIDGOV_LOGIN_MAX_FAILURES):
        _login(username, "wrong-password", address)


def test_it_lets_the_user_in_from_their_address_while_an_attacker_elsewhere_is_locked(world):
    _lock("worker_a")
    attacker, _in = _login("worker_a", PASSWORD, ATTACKER)
    user, signed_in = _login("worker_a", PASSWORD)
    assert (attacker.status_code, signed_in) == (400, True)


def test_it_locks_an_address_that_tries_many_names(world):
    for i in range(settings.GRIDGOV_LOGIN_ADDRESS_MAX_FAILURES):
        _login(f"guess{i}", "wrong-password", ATTACKER)
    resp, signed_in = _login("worker_b", PASSWORD, ATTACKER)
    assert (signed_in, "此地址" in resp.content.decode(), _login("worker_b", PASSWORD)[1]) == (False, True, True)


def test_it_locks_twice_as_long_each_time_it_locks_again(world):
    _lock("worker_a")
    LoginAttempt.objects.filter(username="worker_a").update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    _lock("worker_a")
    row = LoginAttempt.objects.get(username="worker_a")
    assert (row.locks, row.locked_until > timezone.now() + dt.timedelta(
        seconds=settings.GRIDGOV_LOGIN_LOCK_SECONDS * 1.5)) == (2, True)


def test_it_tells_the_locked_user_until_when_and_whom_to_ask(world):
    _lock("worker_a", "127.0.0.1")
    resp, _in = _login("worker_a", PASSWORD)
    assert ("锁定至" in resp.content.decode(), "管理员" in resp.content.decode()) == (True, True)


def test_it_tells_the_user_of_failed_attempts_since_their_last_sign_in(world):
    for _ in range(3):
        _login("worker_a", "wrong-password", ATTACKER)
    c = Client()
    _login("worker_a", PASSWORD, client=c)
    page = c.get("/").content.decode()
    assert "3 次登录失败" in page


def test_it_lists_the_locked_accounts_of_the_administrators_town_only(world, client_for):
    _lock("worker_a")
    _lock("other_leader")
    page = client_for("admin").get("/settings/sign-in-locks/").content.decode()
    assert ("worker_a" in page, "other_leader" in page) == (True, False)


@pytest.mark.parametrize("persona", ["leader", "worker_a", "resident"])
def test_it_shows_the_locks_to_administrators_only(world, client_for, persona):
    assert client_for(persona).get("/settings/sign-in-locks/").status_code in (403, 404)


def test_it_lets_the_administrator_unlock_an_account_and_audits_it(world, client_for):
    _lock("worker_a")
    row = LoginAttempt.objects.get(username="worker_a")
    resp = client_for("admin").post(f"/settings/sign-in-locks/{row.pk}/unlock/")
    rec = ChangeRecord.objects.filter(model="accounts.loginattempt", object_id=str(row.pk)).latest("id")
    assert (resp.status_code, _login("worker_a", PASSWORD, ATTACKER)[1], rec.actor, rec.after["locked_until"]) == (
        302, True, "admin", None)


def test_it_does_not_let_an_administrator_unlock_another_towns_account(world, client_for):
    _lock("other_leader")
    row = LoginAttempt.objects.get(username="other_leader")
    resp = client_for("admin").post(f"/settings/sign-in-locks/{row.pk}/unlock/")
    assert (resp.status_code, LoginAttempt.objects.get(pk=row.pk).locked_until is not None) == (404, True)
