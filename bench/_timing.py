"""Timing of in-process requests for the benches: one way to take a p95, to time a GET, and to print a line
with its target and ratio, so every bench reports the same figures the same way."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any


def p95(values: Sequence[float]) -> float:
    """The 95th percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def time_gets(client: Any, urls: Callable[[], str] | str, requests: int, *, check: Callable[[Any], bool] | None = None,
              warm: bool = True, **get_kwargs: Any) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of `requests` GETs (after a warm-up); `urls` is a URL or a function giving the
    next one. Every answer must be a 200 (and pass `check`)."""
    next_url = urls if callable(urls) else (lambda: urls)
    if warm:
        client.get(next_url(), **get_kwargs)
    wall, cpu = [], []
    for _ in range(requests):
        url = next_url()
        t0, c0 = time.perf_counter(), time.process_time()
        resp = client.get(url, **get_kwargs)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        assert resp.status_code == 200 and (check is None or check(resp)), (url, resp.status_code,
                                                                            resp.content[:200])
    return wall, cpu


def queries_of(client: Any, url: str, **get_kwargs: Any) -> int:
    """SQL statements one GET of `url` sends."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url, **get_kwargs)
    return len(ctx.captured_queries)


def report(label: str, times: Sequence[float], target: float, *, cpu: Sequence[float] | None = None,
           queries: int | None = None, digits: int = 1) -> float:
    """Print median, p95, the target and its ratio to the p95 (above 1: met), CPU p95 and queries; return p95."""
    worst = p95(times)
    line = (f"{label}: median {statistics.median(times):.{digits}f} ms, p95 {worst:.{digits}f} ms "
            f"(target < {target:g} ms, ratio {target / worst:.2f}x)")
    if cpu is not None:
        line += f", CPU p95 {p95(cpu):.{digits}f} ms"
    if queries is not None:
        line += f", {queries} queries"
    print(line)
    return worst
