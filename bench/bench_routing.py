"""Routing benchmarks: bulk recipient suggestions and loading an ONS-style postcode lookup (SQLite, in memory).

Prints `name: value unit` lines. Run: `.venv/bin/python bench/bench_routing.py [LINES] [LOOKUP_ROWS]`
(defaults 200,000 suggestions and a 100,000-row lookup; issue 7 needs 1,000,000 lines).
"""

import csv
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.test_settings")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", "sqlite://:memory:")

import django

django.setup()

from django.core.management import call_command  # noqa: E402

LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def synthetic_postcodes(count: int, rng: random.Random) -> list[str]:
    from safeguard.routing.postcodes import AREA_FORCES

    areas = sorted(AREA_FORCES)
    seen: set[str] = set()
    while len(seen) < count:
        area = rng.choice(areas)
        seen.add(f"{area}{rng.randint(1, 99)} {rng.randint(0, 9)}{rng.choice(LETTERS)}{rng.choice(LETTERS)}")
    return sorted(seen)


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    lookup_rows = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    rng = random.Random(6)
    call_command("migrate", verbosity=0)
    from safeguard.routing.models import Recipient
    from safeguard.routing.services import RecipientSuggester, import_postcode_lookup, suggest_recipient

    pfa_codes = list(Recipient.objects.exclude(pfa_code="").values_list("pfa_code", flat=True))
    postcodes = synthetic_postcodes(lookup_rows, rng)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["pcds", "pfa"])
    writer.writerows((postcode, rng.choice(pfa_codes)) for postcode in postcodes)
    text.seek(0)
    started = time.perf_counter()
    run = import_postcode_lookup(stream=text, file_name="bench.csv")
    elapsed = time.perf_counter() - started
    assert run.rows_loaded == lookup_rows, run.errors[:5]
    print(f"routing_import_lookup_rows: {lookup_rows} rows")
    print(f"routing_import_lookup_rate: {lookup_rows / elapsed:,.0f} rows/s".replace(",", ""))

    # A bulk-referral-like mix: half postcodes (mostly in the lookup, some only by area), a third IPs, the rest
    # countries; 5% garbage. Many repeat, as in real referral files.
    clues = []
    for i in range(lines):
        pick = i % 6
        if pick < 3:
            clues.append({"postcode": rng.choice(postcodes) if rng.random() < 0.9 else f"{rng.choice('BGLMS')}1"})
        elif pick < 5:
            clues.append(
                {"ip": f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"}
            )
        else:
            clues.append({"country": rng.choice(["FR", "DE", "US", "AU", "BR", "XX", "PH"])})
        if rng.random() < 0.05:
            clues[-1] = {"postcode": "garbage", "ip": "not-an-ip"}
    started = time.perf_counter()
    suggester = RecipientSuggester()
    built = time.perf_counter() - started
    started = time.perf_counter()
    found = sum(1 for clue in clues if suggester.suggest(**clue).recipient is not None)
    elapsed = time.perf_counter() - started
    print(f"routing_suggester_build: {built * 1000:.0f} ms")
    print(f"routing_bulk_suggestions: {lines} lines")
    print(f"routing_bulk_suggestion_rate: {lines / elapsed:.0f} lines/s")
    print(f"routing_bulk_suggestion_found: {100 * found / lines:.1f} %")

    started = time.perf_counter()
    for clue in clues[:500]:
        suggest_recipient(**clue)
    print(f"routing_single_suggestion: {(time.perf_counter() - started) / 500 * 1000:.2f} ms")


if __name__ == "__main__":
    main()
