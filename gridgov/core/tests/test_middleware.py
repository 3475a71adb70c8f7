"""gridgov's two middlewares (core/middleware.py): what Django's LocaleMiddleware did for the language of a
response, the page rule on Accept-Language, request ids, and the NUL refusal of a page's query string."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_says_a_page_is_chinese_and_varies_by_language_whatever_the_browser_asks():
    r = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert (r["Content-Language"], "Accept-Language" in r["Vary"]) == ("zh-hans", True)


def test_it_answers_a_page_in_the_language_of_the_switchers_cookie():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get("/login/")["Content-Language"] == "en"


def test_it_answers_the_api_in_the_language_the_client_asks_for():
    r = Client().get("/api/v1/cases/cases/categories", HTTP_ACCEPT_LANGUAGE="en")
    assert (r.status_code, r["Content-Language"]) == (200, "en")


def test_it_keeps_the_vary_headers_a_page_already_has_beside_accept_language(world, client_for):
    r = client_for("worker_a").get("/")
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in r["Vary"].split(",")}


def test_it_gives_each_request_its_own_id():
    client = Client()
    first, second = client.get("/login/")["X-Request-ID"], client.get("/login/")["X-Request-ID"]
    assert (len(first), first != second) == (32, True)


def test_it_refuses_a_raw_nul_in_a_pages_query_string_by_name(world):
    client = Client()
    client.force_login(world.people["admin"])
    r = client.get("/party/members/", QUERY_STRING="q=a\x00b")
    assert r.status_code == 422
    assert "<b>q</b>" in r.content.decode()


def test_it_lets_a_page_query_without_nul_through(world):
    client = Client()
    client.force_login(world.people["admin"])
    assert client.get("/party/members/", QUERY_STRING="q=%25001").status_code == 200
