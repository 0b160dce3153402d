"""`make bench-smoke`: every bench in bench/ once with tiny sizes, so none can rot (issue 19). Not a measurement.

Each runs as `make bench` runs it, in its own process, with BENCH_SMOKE=1 (benches with fixed sizes read it through
`_django.sized`) and the size arguments or variables below; two at a time by default (`--jobs`). A bench that needs
PostgreSQL is skipped, and says so, where its binaries are not installed (PG_BIN); the ones that need wrk skip
themselves. A `bench_*.py` missing from SMOKE fails the run: a new bench says how to run it small.

    .venv/bin/python bench/_smoke.py [--jobs 2] [name ...]
"""

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _pg import PG_BIN

BENCH = Path(__file__).resolve().parent

# script: (arguments, environment, needs PostgreSQL)
SMOKE: dict[str, tuple[list[str], dict[str, str], bool]] = {
    "bench_browser_pdq.py": ([], {}, False),  # BENCH_SMOKE=1: a 1000x750 picture, 2 runs, 4 MiB for MD5
    "bench_education.py": ([], {}, False),
    "bench_evidence.py": (["--size", "2000", "--queries", "50", "--images", "3"], {"BENCH_FAISS_N": "0"}, False),
    "bench_hash_fetch.py": ([], {}, False),  # BENCH_SMOKE=1: 5,000 hashes (full: 1,000,000)
    "bench_insight.py": (["--reports", "2000"], {}, False),  # PostgreSQL when installed, else SQLite
    "bench_intake.py": ([], {"BENCH_DURATION": "2s", "BENCH_WORKERS": "1", "BENCH_BATCH_SIZE": "5"}, False),
    "bench_load.py": (
        ["--minutes", "0", "--rps", "10", "--web-workers", "1", "--task-workers", "1", "--no-s3"],
        {},
        True,
    ),
    "bench_p1_under_load.py": ([], {}, False),  # SQLite; BENCH_SMOKE sizes: a 300-report batch, 3 P1 reports
    "bench_public_report.py": ([], {}, False),
    "bench_referral_hostile.py": ([], {}, False),  # BENCH_SMOKE=1: 2 MB files (full: the 1 GiB upload limit)
    "bench_referrals.py": (["--lines", "300"], {}, True),
    "bench_routing.py": (["2000", "1000"], {}, False),
    "bench_staff_queue.py": ([], {"BENCH_REPORTS": "200"}, False),
    "bench_text_signals.py": ([], {}, False),  # BENCH_SMOKE=1: 200 texts
    "bench_triage.py": ([], {"BENCH_LINK_SIZES": "500,1000", "BENCH_RESCORE": "1000"}, False),
    "bench_triage_quality.py": ([], {}, False),  # BENCH_SMOKE=1: every 12th item
    "bench_triage_worker.py": (["20"], {}, True),
    "bench_url_canonical.py": ([], {}, False),  # BENCH_SMOKE=1: 5,000 addresses
    "bench_video.py": ([], {}, False),  # BENCH_SMOKE=1: a 3 s video, 50 stored videos of 3 frames
    "bench_wanted.py": (
        ["--subscribers", "100", "--workers", "1", "--batch", "50", "--smtp-processes", "1"],
        {},
        False,
    ),
    "_referrals_floor.py": (["--lines", "300", "--staging-lines", "500"], {}, True),
}


def run(script: str) -> tuple[str, float, int, str]:
    args, env, needs_postgres = SMOKE[script]
    if needs_postgres and not (PG_BIN / "initdb").exists():
        return script, 0.0, 0, f"skipped: PostgreSQL not found in {PG_BIN} (set PG_BIN)"
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 - our own scripts
        [sys.executable, str(BENCH / script), *args],
        env={**os.environ, "BENCH_SMOKE": "1", **env},
        cwd=BENCH.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return script, time.monotonic() - started, done.returncode, done.stdout + done.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("names", nargs="*", help="only these scripts (default: all)")
    options = parser.parse_args()
    missing = sorted(p.name for p in BENCH.glob("bench_*.py") if p.name not in SMOKE)
    if missing:
        print(f"bench-smoke: no smoke sizes for {', '.join(missing)} (add them to bench/_smoke.py)")
        return 1
    scripts = options.names or list(SMOKE)
    started, failed = time.monotonic(), []
    with ThreadPoolExecutor(max_workers=options.jobs) as pool:
        for script, seconds, code, output in pool.map(run, scripts):
            if code:
                failed.append(script)
                print(f"FAIL {script} (exit {code}, {seconds:.1f} s)\n{output[-4000:]}", flush=True)
            elif output.startswith("skipped:") or "skipped:" in output.partition("\n")[0]:
                print(f"skip {script}: {output.strip()}", flush=True)
            else:
                print(f"ok   {script} ({seconds:.1f} s)", flush=True)
    print(f"bench-smoke: {len(scripts) - len(failed)}/{len(scripts)} ran in {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
