"""Locate figures (issue 2): over 10,000 grid polygons, batch ≥ 200,000 points/s and ≤ 20 µs for one point.

    .venv/bin/python bench/bench_locate.py [N_POLYGONS]

Builds a 100×100 tessellation of irregular quadrilaterals (shared edges, no gaps) and times
`Locator.locate_many` on 1,000,000 random points and `Locator.locate` on 20,000 single points.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np
import shapely

sys.path.insert(0, ".")
from gridgov.core.geo import Locator  # noqa: E402


def tessellation(side: int, rng: np.random.Generator) -> list[shapely.Polygon]:
    lon0, lat0, step = 119.85, 35.85, 0.2 / side
    xs = lon0 + np.arange(side + 1) * step
    ys = lat0 + np.arange(side + 1) * step
    gx, gy = np.meshgrid(xs, ys)
    jitter = step * 0.3
    gx[1:-1, 1:-1] += rng.uniform(-jitter, jitter, (side - 1, side - 1))
    gy[1:-1, 1:-1] += rng.uniform(-jitter, jitter, (side - 1, side - 1))
    polys = []
    for i in range(side):
        for j in range(side):
            ring = [(gx[i, j], gy[i, j]), (gx[i, j + 1], gy[i, j + 1]), (gx[i + 1, j + 1], gy[i + 1, j + 1]),
                    (gx[i + 1, j], gy[i + 1, j]), (gx[i, j], gy[i, j])]
            polys.append(shapely.Polygon(ring))
    return polys


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    side = int(round(n ** 0.5))
    rng = np.random.default_rng(7)
    polys = tessellation(side, rng)
    t0 = time.perf_counter()
    loc = Locator(list(enumerate(polys, start=1)))
    build = time.perf_counter() - t0

    m = 1_000_000
    lats = rng.uniform(35.85, 36.05, m)
    lons = rng.uniform(119.85, 120.05, m)
    loc.locate_many(lats[:1000], lons[:1000])  # warm-up
    t0 = time.perf_counter()
    found = loc.locate_many(lats, lons)
    batch = time.perf_counter() - t0
    rate = m / batch

    k = 20_000
    samples = []
    for i in range(k):
        t = time.perf_counter_ns()
        loc.locate(lats[i], lons[i])
        samples.append(time.perf_counter_ns() - t)
    single_us = statistics.median(samples) / 1000
    p95_us = sorted(samples)[int(k * 0.95)] / 1000

    # Correctness spot-check: batch agrees with single lookups.
    agree = all(loc.locate(lats[i], lons[i]) == (found[i] if found[i] != -1 else None) for i in range(2000))
    print(f"polygons: {len(polys)}  (index built in {build:.2f} s)")
    print(f"batch: {rate:,.0f} points/s  target ≥ 200,000  ratio {rate / 200_000:.2f}x")
    print(f"single point: median {single_us:.1f} µs, p95 {p95_us:.1f} µs  target ≤ 20 µs  "
          f"ratio {20 / single_us:.2f}x")
    print(f"outside: {(found == -1).sum()} of {m}; batch == single on 2,000 samples: {agree}")


if __name__ == "__main__":
    main()
