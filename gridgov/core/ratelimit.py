"""Rate limits of the public routes (issue 16, item 13): the anonymous report, and what a follow link lets anyone
holding it do (add photos, rate). Each route counts its requests per client address and, where it has one, per
token, in fixed windows, in the database: one upsert per counter (INSERT … ON CONFLICT DO UPDATE … RETURNING,
on PostgreSQL and SQLite alike), so every process of an installation shares the counts. Past the limit the
request is refused before any work (TooManyRequests: 429 with Retry-After, in the user's language).

Limits are configuration (settings.GRIDGOV_RATE_LIMITS, from GRIDGOV_RATE_<ROUTE>="<address>/<token>/<seconds>"):
e.g. report = 20 reports an hour from one address.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from .errors import GridgovError


@dataclass(frozen=True)
class Limit:
    per_address: int  # requests of one address in a window (0: not counted)
    per_token: int  # requests with one token in a window (0: not counted)
    seconds: int  # the window's length


class TooManyRequests(GridgovError):
    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: int):
        minutes = max(1, -(-retry_after // 60))
        super().__init__(_("请求过于频繁，请 %(m)d 分钟后再试") % {"m": minutes}, retry_after=retry_after)
        self.retry_after = retry_after


def limit_of(route: str) -> Limit:
    per_address, per_token, seconds = settings.GRIDGOV_RATE_LIMITS[route]
    return Limit(int(per_address), int(per_token), max(1, int(seconds)))


def client_address(request: Any) -> str:
    """The address a request comes from. Behind GRIDGOV_PROXY_HOPS trusted proxies it is the entry of
    X-Forwarded-For that the outermost of them appended (a client can prepend anything, not append)."""
    import ipaddress

    meta = getattr(request, "META", None) or {}
    address = meta.get("REMOTE_ADDR", "")
    hops = settings.GRIDGOV_PROXY_HOPS
    if hops:
        chain = [a.strip() for a in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(chain) >= hops:
            address = chain[-hops]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return ""


def _count(key: str, window_start: int) -> int:
    """One more request of `key` in the window starting at `window_start`; the count after it."""
    from .models import RateCount

    table = connection.ops.quote_name(RateCount._meta.db_table)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (key, window_start, hits) VALUES (%s, %s, 1) "  # noqa: S608 — the table's own name
            f"ON CONFLICT (key, window_start) DO UPDATE SET hits = {table}.hits + 1 RETURNING hits",
            [key, window_start])
        hits = int(cur.fetchone()[0])
        if hits == 1:  # a new window of this key: the key's earlier windows are over
            RateCount.objects.filter(key=key, window_start__lt=window_start).delete()
    return hits


def hit(request: Any, route: str, *, token: str = "") -> None:
    """Count this request of `route` against its address (and `token`); TooManyRequests past either limit."""
    limit = limit_of(route)
    now = time.time()
    start = int(now // limit.seconds * limit.seconds)
    retry_after = max(1, int(start + limit.seconds - now + 0.999))
    counters = []
    address = client_address(request)
    if limit.per_address and address:
        counters.append((f"{route}:a:{address}", limit.per_address))
    if limit.per_token and token:
        counters.append((f"{route}:t:{token[:150]}", limit.per_token))
    for key, most in counters:
        if _count(key, start) > most:
            raise TooManyRequests(retry_after)

