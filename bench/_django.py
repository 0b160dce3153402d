"""Set up Django for a benchmark on a throwaway database (SQLite unless DATABASE_URL is given)."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# `make bench-smoke` (bench/_smoke.py) sets BENCH_SMOKE=1: every bench once with tiny sizes, so none can rot.
SMOKE = os.environ.get("BENCH_SMOKE") == "1"


def sized(full: int, smoke: int) -> int:
    """A size fixed in a bench: the full one, or the tiny one under BENCH_SMOKE=1."""
    return smoke if SMOKE else full


def setup(*, tasks_backend: str = "django_tasks.backends.dummy.DummyBackend") -> Path:
    """Point Django at a fresh database, migrate it quietly and return the temp directory."""
    sys.path.insert(0, str(ROOT))
    workdir = Path(tempfile.mkdtemp(prefix="safeguard-bench-"))
    os.environ.setdefault("SAFEGUARD_ENV", "development")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ["TASKS_BACKEND"] = tasks_backend
    os.environ.setdefault("CACHE_URL", "locmemcache://")
    os.environ.setdefault("SAFEGUARD_EVIDENCE_ROOT", str(workdir / "evidence"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return workdir


def emit(name: str, value: float, unit: str = "") -> None:
    """Print one figure in the `name: value unit` form that `make bench` collects."""
    number = f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"
    print(f"{name}: {number}{(' ' + unit) if unit else ''}", flush=True)
