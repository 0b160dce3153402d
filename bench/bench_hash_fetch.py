"""Partners fetching the whole self-reported hash list through the real endpoint (issue 22, ADR 0106).

Seeds N self-reported hashes (default 1,000,000; BENCH_SMOKE=1: 5,000) straight into the table with one
executemany: a bench shortcut, not how hashes arrive (add_hashes takes at most 50 a call, each audited).
About 95% are images with MD5 and PDQ, 4.5% withdrawn (tombstones: "remove"), 0.5% videos with 5 vPDQ
frames. Then fetches the whole list as a partner would, GET /api/v1/hashes/self-reported?limit=10000 with
a real API key through Django's test Client (the full stack: middleware, key check, rate limit, the
query, the page's disclosure audit entry, the JSON), page after page from no cursor to has_more false.

Prints:
- `hash fetch hashes/s`: hashes served per second over the whole loop, request to response (goal >= 200,000);
- `hash fetch items/s`: feed items (one per signal) per second;
- `hash fetch cpu hashes/s`: the same per CPU second of this process (steadier on a shared machine);
- `hash fetch with parse hashes/s`: including the client's json.loads of each page (the partner's cost);
- `hash fetch page ms`: median time of one 10,000-hash page;
- `hash fetch peak mb`: the largest growth of resident memory over its level before the loop, sampled
  after every page (flat memory: it must not grow with N);
- `hash fetch traced peak mb`: tracemalloc's peak for one page (Python allocations only);
- `hash fetch seed s`: the seeding (not part of the goal).

Run: `.venv/bin/python bench/bench_hash_fetch.py [--hashes N] [--limit 10000]` (SQLite; DATABASE_URL for
PostgreSQL).
"""

import argparse
import gc
import hashlib
import json
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _django import emit, setup, sized


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def seed(count: int) -> float:
    from django.db import connection, transaction
    from django.utils import timezone

    from safeguard.evidence.models import SharedHash, SharedHashCounter

    started = time.perf_counter()
    table = SharedHash._meta.db_table
    columns = (
        "request_ref, kind, md5, pdq, pdq_quality, vpdq, vpdq_digest, sequence, state, review_state, "
        "review_reason, reviewed_by_label, created_at"
    )
    sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', '', %s)"  # noqa: S608
    now = timezone.now()
    chunk = 50_000
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(1, count + 1, chunk):
            rows = []
            for n in range(start, min(start + chunk, count + 1)):
                digest = hashlib.sha256(n.to_bytes(8, "big")).hexdigest()
                md5 = digest[:32]
                request_ref = f"RR-{n // 3}"
                state = "withdrawn" if n % 22 == 0 else "active"
                if n % 200 == 0:
                    frames = [
                        {"pdq": hashlib.sha256(f"{n}-{i}".encode()).hexdigest(), "quality": 80, "timestamp": float(i)}
                        for i in range(5)
                    ]
                    vpdq = json.dumps(frames)
                    rows.append((request_ref, "video", md5, "", None, vpdq, digest, n, state, "shared", now))
                else:
                    pdq = hashlib.sha256(digest.encode()).hexdigest()
                    rows.append((request_ref, "image", md5, pdq, 90, None, "", n, state, "shared", now))
            cursor.executemany(sql, rows)
        SharedHashCounter.objects.update_or_create(pk=1, defaults={"last_sequence": count})
    return time.perf_counter() - started


def partner_key() -> str:
    from datetime import timedelta

    from django.utils import timezone

    from safeguard.audit.services import Actor
    from safeguard.partners import services
    from safeguard.partners.models import Partner, Scope

    actor = Actor.system("bench")
    partner = services.create_partner(actor=actor, name="Bench Partner", slug="bench", platforms=["Bench"])
    Partner.objects.filter(pk=partner.pk).update(requests_per_minute=1_000_000)
    key = services.create_api_key(
        actor=actor,
        partner=partner,
        name="fetch",
        scopes=[Scope.HASHES_FETCH],
        expires_at=timezone.now() + timedelta(days=1),
    )
    return key.plaintext


def fetch_all(client, key: str, limit: int, *, sample_memory: bool) -> tuple[int, int, list, float, float, float]:
    """(hashes, items, server seconds per page, peak RSS growth MB, parse seconds, server CPU seconds)."""
    from django.db import reset_queries

    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    cursor, hashes, items, pages, parsing, cpu = None, 0, 0, [], 0.0, 0.0
    gc.collect()
    baseline, peak = _rss_mb(), 0.0
    while True:
        url = f"/api/v1/hashes/self-reported?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url, **headers)
        got = time.perf_counter()
        pages.append(got - started)
        cpu += time.process_time() - cpu_started
        body = json.loads(response.content)  # what a partner does with the page (its own machine's cost)
        parsing += time.perf_counter() - got
        assert response.status_code == 200, response.content[:300]
        hashes += len({item["sequence"] for item in body["items"]})
        items += len(body["items"])
        cursor, more = body["next_cursor"], body["has_more"]
        del response, body
        reset_queries()
        if sample_memory:
            peak = max(peak, _rss_mb() - baseline)
        if not more:
            return hashes, items, pages, peak, parsing, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hashes", type=int, default=sized(1_000_000, 5_000))
    parser.add_argument("--limit", type=int, default=10_000)
    options = parser.parse_args()
    setup()
    from django.conf import settings
    from django.test import Client

    settings.DEBUG = False
    seconds = seed(options.hashes)
    key = partner_key()
    client = Client()

    # Warm up (first-request imports, the key cache); not counted.
    client.get("/api/v1/hashes/self-reported?limit=1", HTTP_AUTHORIZATION=f"Bearer {key}")
    hashes, items, pages, peak, parsing, cpu = fetch_all(client, key, options.limit, sample_memory=True)
    served = sum(pages)
    assert hashes == options.hashes, (hashes, options.hashes)

    # One page again under tracemalloc: what a page allocates at most (Python objects only).
    tracemalloc.start()
    client.get(f"/api/v1/hashes/self-reported?limit={options.limit}", HTTP_AUTHORIZATION=f"Bearer {key}")
    traced_peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()

    print(f"# {options.hashes:,} hashes, {len(pages)} pages of {options.limit:,}, {items:,} items")
    emit("hash fetch hashes/s", hashes / served, "hashes/s")
    emit("hash fetch items/s", items / served, "items/s")
    emit("hash fetch cpu hashes/s", hashes / cpu, "hashes/s")
    emit("hash fetch with parse hashes/s", hashes / (served + parsing), "hashes/s")
    emit("hash fetch page ms", statistics.median(pages) * 1000, "ms")
    emit("hash fetch peak mb", peak, "MB")
    emit("hash fetch traced peak mb", traced_peak, "MB")
    emit("hash fetch seed s", seconds, "s")


if __name__ == "__main__":
    main()
