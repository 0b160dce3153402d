"""Peak memory of a referral import of each hostile file, up to the web upload limit (issue 21, docs/adr/0100).

For each case in safeguard/referrals/tests/hostile.py (a 1 GiB XML text node, lines just over and exactly at the
JSON Lines limit, one endless line, a huge attribute, deep nesting, a report of many capped texts, a huge CSV
field) the file is streamed to disk at the size of SAFEGUARD_MAX_REFERRAL_UPLOAD_BYTES, then imported through the
real pipeline (services.create_import + run_import, SQLite) in a child process of its own, which reports its peak
resident memory (getrusage ru_maxrss). An ordinary import of 2,000 lines is measured the same way for the baseline.

    .venv/bin/python bench/bench_referral_hostile.py               # each case at the upload limit (1 GiB)
    .venv/bin/python bench/bench_referral_hostile.py --size 50000000 jsonl_lines_at_limit

Prints `hostile <case> peak MB: N MB` (the target: under 300 MB for every case) and `hostile <case> seconds: S s`;
the import's outcome (state, accepted, rejected, the error) as `#` comments.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _django import ROOT, SMOKE, emit, setup

sys.path.insert(0, str(ROOT))
LIMIT_MB = 300


def child(fmt: str, path: str) -> None:
    setup()
    from safeguard.referrals import services

    started = time.perf_counter()
    imp = services.create_import(
        user=None, partner="Bench partner", fmt=fmt, original_name=Path(path).name, path=path, check=False
    )
    imp = services.run_import(imp.pk) or imp
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "peak_mb": peak_kb / 1024,
                "seconds": seconds,
                "state": imp.state,
                "accepted": imp.accepted,
                "rejected": imp.rejected,
                "error": imp.fatal_error[:160],
            }
        )
    )


def run_case(name: str, fmt: str, path: Path, env: dict) -> dict:
    done = subprocess.run(  # noqa: S603 - this script
        [sys.executable, __file__, "--child", fmt, str(path)], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"{name}: the import failed\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=0, help="bytes per file (default: the web upload limit)")
    parser.add_argument("--child", nargs=2, metavar=("FORMAT", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    from safeguard.referrals.tests import hostile

    size = args.size or (2 * 1024**2 if SMOKE else 1024**3)  # settings.SAFEGUARD_MAX_REFERRAL_UPLOAD_BYTES
    workdir = Path(tempfile.mkdtemp(prefix="safeguard-hostile-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "SAFEGUARD_EVIDENCE_ROOT": str(workdir / "evidence"),
    }
    subprocess.run(
        [sys.executable, "-c", "import sys; sys.path.insert(0, 'bench'); from _django import setup; setup()"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    print(
        f"# files of {size / 1024**2:.0f} MB each; peak resident memory of the importing process "
        f"(target < {LIMIT_MB} MB)"
    )
    baseline = workdir / "ordinary.jsonl"
    sys.path.insert(0, str(ROOT / "bench"))
    import random

    from bench_referrals import line

    rng = random.Random(21)
    baseline.write_text("".join(json.dumps(line(n, rng)) + "\n" for n in range(200 if SMOKE else 2000)))
    result = run_case("ordinary", "jsonl", baseline, env)
    emit("hostile ordinary_import peak MB", result["peak_mb"], "MB")
    worst = 0.0
    for name, (fmt, blocks) in hostile.CASES.items():
        if args.cases and name not in args.cases:
            continue
        path = workdir / f"{name}.{fmt}"
        written = hostile.write(path, blocks(size))
        result = run_case(name, fmt, path, env)
        path.unlink()
        worst = max(worst, result["peak_mb"])
        emit(f"hostile {name} peak MB", result["peak_mb"], "MB")
        emit(f"hostile {name} seconds", result["seconds"], "s")
        print(
            f"#   {written / 1024**2:.0f} MB {fmt}: {result['state']}, {result['accepted']} accepted, "
            f"{result['rejected']} rejected{'; ' + result['error'] if result['error'] else ''}",
            flush=True,
        )
    emit("hostile worst peak MB", worst, "MB")
    if worst >= LIMIT_MB:
        raise SystemExit(f"peak {worst:.0f} MB is over the {LIMIT_MB} MB target")


if __name__ == "__main__":
    main()
