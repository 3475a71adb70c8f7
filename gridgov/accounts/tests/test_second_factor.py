"""Two factors for staff (issue 16, item 9), from the attacker's side: the administrator's password alone reaches
nothing, on any way in; a code is good once; guessing codes locks like guessing passwords; a lost phone is reset
by the town's administrator only; the demo code works in the demo only."""

import re
import time

import pytest
from django.conf import settings
from django.test import Client, override_settings

from gridgov.accounts import twofactor
from gridgov.accounts.models import SecondFactor, User
from gridgov.core.models import ChangeRecord
from gridgov.testing import PASSWORD


def _password(client, username):
    return client.post("/login/", {"username": username, "password": PASSWORD})


def _enrol(user) -> tuple[str, list[str]]:
    """The administrator sets up her authenticator on her first sign-in: (secret, recovery codes)."""
    c = Client()
    _password(c, user.username)
    page = c.get("/login/2fa/").content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    resp = c.post("/login/2fa/", {"code": twofactor.totp(secret, twofactor.current_step())})
    codes = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", resp.content.decode())
    SecondFactor.objects.filter(user=user).update(last_step=0)  # the set-up code's step is free again for tests
    return secret, codes


def _half_signed_in(username) -> Client:
    c = Client()
    assert _password(c, username)["Location"].startswith("/login/2fa/")
    return c


def _code(secret, offset=0):
    return twofactor.totp(secret, twofactor.current_step() + offset)


@override_settings(GRIDGOV_2FA_DEMO_CODE="")
def test_the_administrators_password_alone_reaches_no_page(world):
    c = _half_signed_in("admin")
    resp = c.get("/staff/")
    assert (resp.status_code, resp["Location"]) == (302, "/login/2fa/?next=%2Fstaff%2F")


@override_settings(GRIDGOV_2FA_DEMO_CODE="")
def test_the_administrators_password_alone_reaches_no_api(world):
    assert _half_signed_in("admin").get("/api/v1/accounts/staff").status_code == 401


@override_settings(GRIDGOV_2FA_DEMO_CODE="")
def test_the_admin_login_of_a_superuser_waits_for_the_second_factor_too(world):
    User.objects.create_superuser("root", password=PASSWORD)
    c = Client()
    c.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD, "next": "/admin/"})
    resp = c.get("/admin/")
    assert (resp.status_code, resp["Location"].startswith("/login/2fa/")) == (302, True)


def test_the_administrator_sets_up_an_authenticator_at_her_first_sign_in(world):
    secret, codes = _enrol(world.admin)
    assert (len(secret) >= 32, len(codes), SecondFactor.objects.get(user=world.admin).confirmed_at is not None) == (
        True, 10, True)


def test_after_the_code_the_administrator_reaches_her_pages(world):
    secret, _codes = _enrol(world.admin)
    c = _half_signed_in("admin")
    c.post("/login/2fa/", {"code": _code(secret)})
    assert c.get("/staff/").status_code == 200


def test_a_wrong_code_is_refused_under_its_field(world):
    secret, _codes = _enrol(world.admin)
    resp = _half_signed_in("admin").post("/login/2fa/", {"code": _code(secret, 5)})
    html = resp.content.decode()
    field = html[html.index('data-field="code"'):]
    assert (resp.status_code, "验证码不正确" in field[:field.index("</div>")]) == (422, True)


def test_a_code_seen_over_her_shoulder_is_good_only_once(world):
    secret, _codes = _enrol(world.admin)
    code = _code(secret)
    _half_signed_in("admin").post("/login/2fa/", {"code": code})
    thief = _half_signed_in("admin")
    assert (thief.post("/login/2fa/", {"code": code}).status_code, thief.get("/staff/").status_code) == (422, 302)


def test_guessing_codes_locks_like_guessing_passwords(world):
    secret, _codes = _enrol(world.admin)
    c = _half_signed_in("admin")
    for guess in range(settings.GRIDGOV_LOGIN_MAX_FAILURES):
        last = c.post("/login/2fa/", {"code": f"{guess:06d}" if f"{guess:06d}" != _code(secret) else "999999"})
    c.post("/login/2fa/", {"code": _code(secret)})  # the right code, too late
    assert ("锁定" in last.content.decode(), "_auth_user_id" in c.session,
            _password(Client(), "admin").status_code) == (True, False, 400)


def test_a_recovery_code_stands_in_for_a_lost_phone_once(world):
    _secret, codes = _enrol(world.admin)
    first = _half_signed_in("admin")
    first.post("/login/2fa/", {"code": codes[0]})
    second = _half_signed_in("admin")
    assert (first.get("/staff/").status_code, second.post("/login/2fa/", {"code": codes[0]}).status_code) == (
        200, 422)


def test_the_secret_and_recovery_codes_stay_out_of_the_audit_chain(world):
    secret, codes = _enrol(world.admin)
    rec = ChangeRecord.objects.filter(model="accounts.secondfactor").get()
    text = str(rec.after)
    assert (secret in text, any(c in text for c in codes), "secret" in rec.after) == (False, False, False)


def test_a_grid_worker_signs_in_with_the_password_alone_by_default(world):
    assert _password(Client(), "worker_a")["Location"] == "/"


@override_settings(GRIDGOV_2FA_REQUIRED="pii", GRIDGOV_2FA_DEMO_CODE="")
def test_with_pii_required_a_grid_worker_who_can_unmask_needs_the_second_factor(world):
    assert _password(Client(), "worker_a")["Location"].startswith("/login/2fa/")


@override_settings(GRIDGOV_2FA_REQUIRED="pii")
def test_with_pii_required_the_town_leader_who_cannot_unmask_does_not(world):
    assert _password(Client(), "leader")["Location"] == "/"


def test_a_grid_worker_who_set_up_an_authenticator_is_asked_for_it(world):
    c = Client()
    c.force_login(world.worker_a)
    page = c.get("/login/2fa/").content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    c.post("/login/2fa/", {"code": _code(secret)})
    assert _password(Client(), "worker_a")["Location"].startswith("/login/2fa/")


@override_settings(DEBUG=True, GRIDGOV_2FA_DEMO_CODE="000000")
def test_the_demo_administrator_signs_in_with_the_documented_demo_code(world):
    c = _half_signed_in("admin")
    c.post("/login/2fa/", {"code": "000000"})
    assert c.get("/staff/").status_code == 200


@override_settings(DEBUG=False, GRIDGOV_2FA_DEMO_CODE="000000")
def test_production_refuses_the_demo_code(world):
    c = _half_signed_in("admin")
    c.post("/login/2fa/", {"code": "000000"})
    assert c.get("/staff/").status_code == 302


@override_settings(DEBUG=True, GRIDGOV_2FA_DEMO_CODE="000000")
def test_the_demo_code_does_not_replace_an_authenticator_once_set_up(world):
    _enrol(world.admin)
    c = _half_signed_in("admin")
    assert c.post("/login/2fa/", {"code": "000000"}).status_code == 422


def test_the_administrator_resets_the_authenticator_of_her_towns_worker_and_it_is_audited(world, client_for):
    c = Client()
    c.force_login(world.worker_a)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', c.get("/login/2fa/").content.decode()).group(1)
    c.post("/login/2fa/", {"code": _code(secret)})
    resp = client_for("admin").post(f"/staff/{world.worker_a.pk}/2fa/reset/")
    assert (resp.status_code, SecondFactor.objects.filter(user=world.worker_a).exists(),
            ChangeRecord.objects.filter(model="accounts.secondfactor", action="delete").count()) == (302, False, 1)


def test_an_administrator_cannot_reset_another_towns_account(world, client_for):
    other = User.objects.create(username="xinan_staff", town=world.other_town)
    SecondFactor.objects.create(user=other, secret=twofactor.new_secret(), confirmed_at="2026-01-01T00:00Z")
    resp = client_for("admin").post(f"/staff/{other.pk}/2fa/reset/")
    assert (resp.status_code, SecondFactor.objects.filter(user=other).exists()) == (404, True)


def test_the_codes_are_rfc_6238s():
    # RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits), so 287082 with 6.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890"
    assert twofactor.totp(secret, 59 // 30) == "287082"


@pytest.mark.parametrize("drift", [-1, 1])
def test_a_phone_clock_one_step_off_is_accepted(world, drift):
    secret, _codes = _enrol(world.admin)
    c = _half_signed_in("admin")
    c.post("/login/2fa/", {"code": twofactor.totp(secret, twofactor.current_step(time.time()) + drift)})
    assert c.get("/staff/").status_code == 200
