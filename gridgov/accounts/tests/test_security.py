"""Sign-in and request security: lockout, argon2, CSRF, secure headers, no open redirect."""

import json

import pytest
from django.conf import settings
from django.test import Client

from gridgov.accounts.models import LoginAttempt
from gridgov.testing import PASSWORD


def _login(client, username, password, **extra):
    return client.post("/login/", {"username": username, "password": password, **extra})


def _fail_until_locked(client, username):
    for _ in range(settings.GRIDGOV_LOGIN_MAX_FAILURES):
        _login(client, username, "wrong-password")


def test_it_locks_the_user_name_after_repeated_failures_even_for_the_right_password(world):
    c = Client()
    _fail_until_locked(c, "worker_a")
    resp = _login(c, "worker_a", PASSWORD)
    assert resp.status_code == 400 and "_auth_user_id" not in c.session


def test_it_keeps_the_lock_in_the_database(world):
    _fail_until_locked(Client(), "worker_a")
    assert LoginAttempt.objects.get(username="worker_a").locked_until is not None


def test_it_locks_only_the_name_that_failed(world):
    _fail_until_locked(Client(), "worker_a")
    c = Client()
    assert _login(c, "worker_b", PASSWORD).status_code == 302


def test_it_forgets_earlier_failures_after_a_good_sign_in(world):
    c = Client()
    for _ in range(settings.GRIDGOV_LOGIN_MAX_FAILURES - 1):
        _login(c, "worker_a", "wrong-password")
    assert _login(c, "worker_a", PASSWORD).status_code == 302
    assert not LoginAttempt.objects.filter(username="worker_a").exists()


def test_it_stores_passwords_with_argon2(production_passwords, world):
    world.worker_a.refresh_from_db()
    assert world.worker_a.password.startswith("argon2")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "javascript:alert(1)"])
def test_it_refuses_an_open_redirect_after_sign_in(world, target):
    resp = Client().post(f"/login/?next={target}", {"username": "worker_a", "password": PASSWORD})
    assert resp.status_code == 302 and resp["Location"] == "/"


def test_it_follows_a_local_next_after_sign_in(world):
    resp = _login(Client(), "worker_a", PASSWORD, next="/register/residents/")
    assert resp["Location"] == "/register/residents/"


def _csrf_client(world, key):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.people[key])
    return c


def test_it_refuses_a_page_form_post_without_the_csrf_token(world):
    resp = _csrf_client(world, "worker_a").post("/register/residents/new/", {"name": "张三"})
    assert resp.status_code == 403


def test_it_refuses_the_sign_in_form_without_the_csrf_token(world):
    resp = Client(enforce_csrf_checks=True).post("/login/", {"username": "worker_a", "password": PASSWORD})
    assert resp.status_code == 403


def test_it_refuses_a_session_api_write_without_the_csrf_token(world):
    resp = _csrf_client(world, "worker_a").post(
        "/api/v1/register/households", data=json.dumps({"number": "H1", "address": "一号", "grid": world.grid_a.pk}),
        content_type="application/json")
    assert resp.status_code == 403


def test_it_accepts_a_session_api_write_with_the_csrf_token(world):
    c = _csrf_client(world, "worker_a")
    c.get("/")  # sets the csrftoken cookie
    token = c.cookies[settings.CSRF_COOKIE_NAME].value
    resp = c.post("/api/v1/register/households", HTTP_X_CSRFTOKEN=token, content_type="application/json",
                  data=json.dumps({"number": "H1", "address": "一号", "grid": world.grid_a.pk}))
    assert resp.status_code == 201


@pytest.mark.parametrize("path", ["/login/", "/api/v1/register/residents", "/register/residents/"])
def test_it_sends_the_secure_headers(world, client_for, path):
    resp = client_for("worker_a").get(path)
    headers = {k: resp.get(k, "") for k in ("X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
                                             "Content-Security-Policy", "X-Request-ID")}
    assert (headers["X-Frame-Options"], headers["X-Content-Type-Options"], headers["Referrer-Policy"],
            "frame-ancestors 'none'" in headers["Content-Security-Policy"], bool(headers["X-Request-ID"])) == (
        "DENY", "nosniff", "same-origin", True, True)


def test_it_echoes_a_safe_request_id_and_replaces_a_hostile_one(world, client_for):
    c = client_for("worker_a")
    kept = c.get("/login/", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"]
    replaced = c.get("/login/", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert (kept, replaced != "<script>") == ("abc-123", True)


def test_it_signs_out_only_by_post(world, client_for):
    c = client_for("worker_a")
    assert c.get("/logout/").status_code == 405


def test_it_forgets_failures_older_than_the_window(world):
    import datetime as dt

    from django.utils import timezone

    c = Client()
    for _ in range(settings.GRIDGOV_LOGIN_MAX_FAILURES - 1):
        _login(c, "worker_a", "wrong-password")
    LoginAttempt.objects.filter(username="worker_a").update(
        last_failure=timezone.now() - dt.timedelta(seconds=settings.GRIDGOV_LOGIN_LOCK_SECONDS + 1))
    _login(c, "worker_a", "wrong-password")
    assert LoginAttempt.objects.get(username="worker_a").locked_until is None


def test_it_lets_the_user_in_again_when_the_lock_expires(world):
    import datetime as dt

    from django.utils import timezone

    _fail_until_locked(Client(), "worker_a")
    LoginAttempt.objects.filter(username="worker_a").update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert _login(Client(), "worker_a", PASSWORD).status_code == 302


def _admin_login(client, username, password):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password,
                                                      "next": "/admin/"})


@pytest.fixture
def superuser(world):
    from gridgov.accounts.models import User

    return User.objects.create_superuser("root", password=PASSWORD)


def test_it_locks_the_admin_login_after_repeated_failures_even_for_the_right_password(superuser):
    c = Client()
    for _ in range(settings.GRIDGOV_LOGIN_MAX_FAILURES):
        _admin_login(c, "root", "wrong-password")
    resp = _admin_login(c, "root", PASSWORD)
    assert (resp.status_code, "_auth_user_id" in c.session, "锁定" in resp.content.decode()) == (200, False, True)


def test_it_shares_one_lockout_between_the_sign_in_page_and_the_admin_login(superuser):
    c = Client()
    _fail_until_locked(c, "root")
    resp = _admin_login(c, "root", PASSWORD)
    assert (resp.status_code, "_auth_user_id" in c.session) == (200, False)
