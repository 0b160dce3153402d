"""Reported web addresses canonicalised and de-duplicated (issue 23): `url canonicalise urls/s` (goal >= 50,000).

Prints `name: value unit` lines. Run: `.venv/bin/python bench/bench_url_canonical.py [URLS]` (default 1,000,000).
The addresses are synthetic (hosts under .example), the way reports carry them: about a third are another spelling
of an address already seen (www., http/https, default port, tracking parameters, percent-escapes, a fragment, no
scheme), a few are refused (javascript:, private addresses). The figure covers canonicalising every address and
de-duplicating by key in one dict, as the assessment queue's import does.
"""

import contextlib
import os
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.test_settings")

import django

django.setup()

from _django import sized  # noqa: E402

from safeguard.takedown.canonical import UrlRefused, canonical_url  # noqa: E402

HOSTS = [f"{word}{n}.example" for word in ("files", "pics", "share", "chat", "media", "board") for n in range(500)]
PATHS = ["/u/{n}", "/p/{n}/view", "/i/{n}.png", "/watch", "/t/{n}/~reply", "/a/b/../c/{n}"]


def spellings(rng: random.Random, host: str, path: str) -> str:
    query = f"?id={rng.randrange(10_000)}" if path == "/watch" else ""
    base = host + path + query
    form = rng.randrange(8)
    if form == 0:
        return "https://www." + base
    if form == 1:
        return "http://" + host + ":80" + path + (query + "&" if query else "?") + "utm_source=chat&fbclid=x1"
    if form == 2:
        return base  # pasted without a scheme
    if form == 3:
        return "HTTPS://" + host.upper() + path.replace("u", "%75") + query + "#comments"
    if form == 4:
        return "http://someone@" + base
    return "https://" + base


def make_urls(count: int, seed: int = 23) -> list[str]:
    rng = random.Random(seed)
    seen: list[tuple[str, str]] = []
    urls = []
    for i in range(count):
        if i % 97 == 0:
            urls.append(rng.choice(["javascript:alert(1)", "http://192.168.1.20/x", "data:text/plain,hi"]))
            continue
        if seen and rng.random() < 0.33:
            host, path = rng.choice(seen)
        else:
            host = rng.choice(HOSTS)
            path = rng.choice(PATHS).format(n=rng.randrange(1_000_000))
            seen.append((host, path))
        urls.append(spellings(rng, host, path))
    return urls


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else sized(1_000_000, 5_000)
    urls = make_urls(count)
    canonical_url("https://\u0440\u0430\u0443\u0440\u0430l.example/")  # warm the confusables table
    started, cpu_started = time.perf_counter(), time.process_time()
    items: dict[str, str] = {}
    refused = 0
    for raw in urls:
        try:
            found = canonical_url(raw)
        except UrlRefused:
            refused += 1
            continue
        items.setdefault(found.key, found.url)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started

    tracemalloc.start()
    for raw in urls[:20_000]:
        with contextlib.suppress(UrlRefused):
            canonical_url(raw)
    per_call_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    print(f"# {count:,} addresses, {len(items):,} distinct, {refused:,} refused, {elapsed:.2f} s")
    print(f"url canonicalise urls/s: {count / elapsed:,.0f}")
    print(f"url canonicalise cpu urls/s: {count / cpu:,.0f}")  # the figure on a busy machine
    print(f"url canonicalise us per url: {elapsed / count * 1e6:.1f}")
    print(f"url distinct ratio: {len(items) / max(count - refused, 1):.3f}")
    print(f"url canonicalise peak kb per 20k calls: {per_call_peak / 1024:.0f}")


if __name__ == "__main__":
    main()
