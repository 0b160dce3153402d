"""Settings for bench_intake's server: the real settings plus one bench-only URL (a minimal insert view)."""

from safeguard.settings import *  # noqa: F403

ROOT_URLCONF = "_intake_urls"
