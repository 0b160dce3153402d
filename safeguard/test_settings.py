"""Settings for the test suite: the normal settings with test defaults.

DATABASE_URL still chooses the database, so the same suite runs on SQLite and PostgreSQL.
"""

import os

os.environ.setdefault("SAFEGUARD_ENV", "test")
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("CACHE_URL", "locmemcache://")

from safeguard.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
STORAGES["evidence"]["OPTIONS"]["location"] = str(BASE_DIR / "var" / "test-evidence")  # noqa: F405
STORAGES["default"]["OPTIONS"]["location"] = str(BASE_DIR / "var" / "test-media")  # noqa: F405

# Static files come from the finders in tests; whitenoise only needs the directory to exist.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
