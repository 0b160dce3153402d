"""Bulk referral import speed on PostgreSQL: N generated JSON Lines imported, validated, de-duplicated, linked,
scored and routed through the real pipeline (services.run_import), against a plain COPY of the same lines.

    .venv/bin/python bench/bench_referrals.py                 # 20,000 lines (a couple of minutes at most)
    .venv/bin/python bench/bench_referrals.py --lines 1000000 # the issue's full run

Prints
- `import lines/s: N`: lines read per second of the import (wall clock, parse to commit, all chunks);
- `import ratio to copy: R`: import time / time of a plain COPY of the same lines (as text, one column) into
  PostgreSQL from this process in the same run;
- `import peak MB: N`: peak resident memory of this process (Django and the generator included) plus workers x
  the largest worker's peak;
- `import cpu lines/s: N`: lines per CPU second of this process and its workers (PostgreSQL's own CPU excluded);
- counts (accepted, rejected, duplicates, linked), this process's and PostgreSQL's CPU seconds and the load average
  as `#` comments (the floors under these figures: bench/_referrals_floor.py, ADR 0076).
`--overlap` / `--no-overlap` prepare the next chunk on a thread while one commits, or not (ADR 0076; default off).

The generated file: synthetic suspects (fictional names, example.net addresses, documentation IP ranges), ~1%
lines duplicated, ~1% invalid, ~5% mentioning an identifier of a subject already held (seeded first).
`--suspects N`: the lines are about N people, so screen names, e-mails and IP addresses repeat as in real files
(default 0: every line its own suspect).
"""

import argparse
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _django import emit, setup
from _pg import postmaster_pid, throwaway_postgres
from _proc import tree_cpu_seconds

KNOWN_SUBJECTS = 500
ANNOTATIONS = ["asked_to_keep_secret", "offline_meeting_proposed", "solicitation_of_images", "sextortion"]
POSTCODES = ["SW1A 1AA", "M1 1AE", "LS1 4AP", "B1 1AA", "CF10 1EP", "EH1 1YZ", "BT1 5GS", "NE1 4ST"]


def line(n: int, rng: random.Random, suspects: int = 0) -> dict:
    known = rng.random() < 0.05
    # suspects > 0: the lines are about that many people, so identifiers repeat as in real files.
    who = rng.randrange(suspects) if suspects else n
    email = f"known{rng.randrange(KNOWN_SUBJECTS)}@example.org" if known else f"lead{who}@example.net"
    record = {
        "incidentSummary": {
            "incidentType": "online_enticement_of_children",
            "incidentDateTime": f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T12:00:00Z",
            "platform": rng.choice(["ChatterBox", "PixelPlay", "Hoot"]),
            "reportAnnotations": rng.sample(ANNOTATIONS, k=rng.randrange(0, 3)),
        },
        "personOrUserReported": {
            "screenName": f"lead_user_{who}",
            "emails": [email],
            "ipCaptureEvents": [
                {
                    "ipAddress": f"81.2.{who % 250}.{who % 200 + 1}",
                    "eventName": "Login",
                    "dateTime": "2026-10-01T11:00:00Z",
                }
            ],
            "estimatedLocation": {"countryCode": "GB"},
        },
        "victims": [{"age": 10 + n % 8}],
        "additionalInfo": "Asked the child to keep the chat secret and proposed meeting offline.",
        "partnerReference": f"OP-LANTERN-{n}",
        "suspectPostcode": rng.choice(POSTCODES),
    }
    if n % 100 == 7:
        record["incidentSummary"]["incidentType"] = "not_a_known_type"
    return record


def write_file(path: Path, lines: int, suspects: int = 0) -> None:
    rng = random.Random(7)
    previous = None
    with path.open("w") as out:
        for n in range(1, lines + 1):
            text = previous if (n % 100 == 50 and previous) else json.dumps(line(n, rng, suspects))
            out.write(text + "\n")
            previous = text


def seed_known_subjects() -> None:
    from safeguard.reporting.models import Report
    from safeguard.reporting.references import new_reference
    from safeguard.subjects.services import link_report

    for n in range(KNOWN_SUBJECTS):
        report = Report.objects.create(
            reference=new_reference(), subject_identifiers=f"known{n}@example.org", platform_name="ChatterBox"
        )
        link_report(report)


def _cpu() -> float:
    """CPU seconds of this process and its ended children (the prepare workers), not PostgreSQL's."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _server_cpu(postmaster: int | None) -> float:
    """CPU seconds of the PostgreSQL server: the postmaster and its live children (our backend among them)."""
    return 0.0 if postmaster is None else tree_cpu_seconds([postmaster])


def plain_copy_seconds(path: Path) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_copy (line text)")
        start = time.perf_counter()
        with (
            path.open("rb") as source,
            cursor.cursor.copy(
                "COPY bench_copy (line) FROM STDIN WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
            ) as copy,
        ):
            while block := source.read(1 << 20):
                copy.write(block)
        seconds = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_copy")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=0, help="prepare-step worker processes (0: none)")
    parser.add_argument(
        "--suspects", type=int, default=0, help="lines are about this many people (0: every line its own suspect)"
    )
    parser.add_argument("--profile", action="store_true", help="print the import's top functions (cProfile)")
    parser.add_argument(
        "--overlap",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="prepare the next chunk on a thread while one commits (default: REFERRALS_PREPARE_THREAD, off; ADR 0076)",
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="safeguard-bench-referrals-"))
    try:
        with throwaway_postgres() as database_url:
            os.environ["DATABASE_URL"] = database_url
            django_dir = setup()
            from django.db import connection

            from safeguard.referrals import services

            seed_known_subjects()
            path = workdir / "referrals.jsonl"
            write_file(path, args.lines, args.suspects)
            print(f"# {args.lines} lines, {path.stat().st_size / 1e6:.0f} MB", file=sys.stderr)
            imp = services.create_import(
                user=None, partner="Bench NCB", fmt="jsonl", original_name=path.name, path=path, check=False
            )
            postmaster = postmaster_pid(int(database_url.rsplit(":", 1)[1].split("/")[0]))
            start, start_cpu, start_pg = time.perf_counter(), _cpu(), _server_cpu(postmaster)
            if args.profile:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                done = profiler.runcall(services.run_import, imp.pk, workers=args.workers, overlap=args.overlap)
                pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
            else:
                done = services.run_import(imp.pk, workers=args.workers, overlap=args.overlap)
            seconds, cpu_seconds = time.perf_counter() - start, _cpu() - start_cpu
            pg_seconds = _server_cpu(postmaster) - start_pg
            # This process's peak plus the largest worker's (workers have ended: their usage is collected).
            peak_mb = (
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                + args.workers * resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            ) / 1024
            copy_seconds = plain_copy_seconds(path)
            print(
                f"# {done.get_state_display()}: {done.records_read} read, {done.accepted} accepted, "
                f"{done.rejected} rejected, {done.duplicates} duplicates, {done.linked} linked, "
                f"{seconds:.1f} s; plain COPY {copy_seconds:.2f} s; CPU: this process {cpu_seconds:.1f} s, "
                f"PostgreSQL {pg_seconds:.1f} s; load average {os.getloadavg()[0]:.1f}",
                file=sys.stderr,
            )
            emit("import lines/s", done.records_read / seconds, "lines/s")
            emit("import ratio to copy", seconds / copy_seconds)
            emit("import peak MB", peak_mb, "MB")
            # CPU time of this process only (not PostgreSQL's): what the neighbours on a shared machine do not inflate.
            emit("import cpu lines/s", done.records_read / cpu_seconds, "lines/s")
            connection.close()
            shutil.rmtree(django_dir, ignore_errors=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
