"""Verifiable documents (gridgov/core/documents.py): PDFs issued per second (target ≥ 20/s) and the p95 of the
public /verify/<code> page and API (target < 20 ms).

    .venv/bin/python bench/bench_documents.py      # BENCH_DOCS=200 notices, BENCH_REQUESTS=500 verifications

On a fresh PostgreSQL database (BENCH_DOCUMENTS_DATABASE_URL, default gg_bench_documents) with the tests' world:
泊里镇's clerk issues BENCH_DOCS acceptance notices one after another through `issue_document` (number, sign,
render the PDF with the embedded CJK subset and QR code, store the file, audit; each its own transaction), after
one warm-up issue that loads the font. Then anonymous GETs of /verify/<code> and /api/v1/verify/<code> of random
issued notices, through Django's test client, after a warm-up request.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time

from _cases_seed import setup_django
from _timing import report, time_gets

DB_URL = os.environ.get("BENCH_DOCUMENTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gg_bench_documents")
N_DOCS = int(os.environ.get("BENCH_DOCS", "200"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "500"))


def main() -> None:
    os.environ.setdefault("GRIDGOV_HOME", tempfile.mkdtemp(prefix="gg_bench_documents_"))
    setup_django(DB_URL)
    from django.test import Client

    from gridgov.core import documents
    from gridgov.core.documents import fields, issue_document, paragraph, table
    from gridgov.testing import build_world

    w = build_world()

    def issue(i: int):
        return issue_document(
            kind="window.acceptance_notice", title="受理通知书", number_prefix="泊里受字", issuer="泊里镇人民政府",
            jurisdiction=w.town.code, subject=w.resident, subject_summary="申请人：居**；事项：城乡居民最低生活保障",
            body=[paragraph(f"居民辛：你于2026年12月7日提出的第{i}号城乡居民最低生活保障申请，经审查，申请材料齐全、"
                            "符合法定形式，决定予以受理。本机关将在二十个工作日内作出决定。"),
                  fields([("申请事项", "城乡居民最低生活保障"), ("受理窗口", "泊里镇便民服务中心综合受理窗口"),
                          ("承诺时限", "20个工作日"), ("咨询电话", "0532-00000000")]),
                  table(["材料名称", "份数", "说明"], [["居民身份证复印件", "1", "正反面"], ["户口簿复印件", "1", ""],
                                                  ["收入证明", "1", "近六个月"]])],
            acting_user=w.clerk)

    issue(0)  # warm-up: parses the font once, makes the key
    docs = []
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(1, N_DOCS + 1):
        docs.append(issue(i))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    size = statistics.mean(d.pdf.size for d in docs[:20])
    per_s = N_DOCS / seconds
    # The CPU time of this process too: on the shared two cores the wall clock also counts other people's work
    # (and PostgreSQL's, which runs in its own process).
    print(f"issue_document: {N_DOCS} notices in {seconds:.2f} s = {per_s:.1f} PDFs/s "
          f"(target ≥ 20/s, ratio {per_s / 20:.2f}x); {seconds / N_DOCS * 1000:.1f} ms each "
          f"({cpu / N_DOCS * 1000:.1f} ms CPU of this process = {N_DOCS / cpu:.1f}/s), PDF ≈ {size / 1024:.0f} KiB")

    t0, c0 = time.perf_counter(), time.process_time()
    for d in docs[:50]:
        documents.render_pdf(d)
    print(f"  of which render_pdf alone: {(time.perf_counter() - t0) / 50 * 1000:.1f} ms "
          f"({(time.process_time() - c0) / 50 * 1000:.1f} ms CPU)")

    client = Client()
    rnd = random.Random(20)
    codes = [documents.code_of(d) for d in docs]
    for prefix in ("/verify/", "/api/v1/verify/"):
        # secure=True: with GRIDGOV_DEBUG=0 plain http is redirected
        wall, cpu = time_gets(client, lambda prefix=prefix: prefix + rnd.choice(codes), REQUESTS, secure=True,
                              check=lambda r: "真实有效" in r.content.decode() or b'"genuine": true' in r.content
                              or b'"genuine":true' in r.content)
        report(f"GET {prefix}<code> ({REQUESTS} requests)", wall, 20, cpu=cpu, digits=2)


if __name__ == "__main__":
    main()
