"""Safeguard settings, read from environment variables.

Defaults are safe for production: DEBUG is off, a secret key is required and cookies are secure.
`SAFEGUARD_ENV=development` (what `make run` sets) relaxes only what a laptop needs.
See docs/adr/0002-configuration-from-environment.md.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

SAFEGUARD_ENV = env.str("SAFEGUARD_ENV", default="production")
if SAFEGUARD_ENV not in {"production", "development", "test"}:
    raise environ.ImproperlyConfigured(f"SAFEGUARD_ENV must be production, development or test, not {SAFEGUARD_ENV!r}")
IS_PRODUCTION = SAFEGUARD_ENV == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=False)
if IS_PRODUCTION and DEBUG:
    raise environ.ImproperlyConfigured("DJANGO_DEBUG cannot be on when SAFEGUARD_ENV=production")

if IS_PRODUCTION:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")  # no default: refuse to start without one
    if len(SECRET_KEY) < 50:
        raise environ.ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=f"insecure-{SAFEGUARD_ENV}-key-" + "x" * 40)

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Where the service is reached over TLS (always, in production) cookies are Secure and HSTS is sent.
BEHIND_TLS = env.bool("SAFEGUARD_BEHIND_TLS", default=IS_PRODUCTION)
SESSION_COOKIE_SECURE = BEHIND_TLS
CSRF_COOKIE_SECURE = BEHIND_TLS
SECURE_SSL_REDIRECT = BEHIND_TLS and env.bool("SAFEGUARD_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]  # probes speak plain HTTP inside
SECURE_HSTS_SECONDS = 31536000 if BEHIND_TLS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = BEHIND_TLS
if env.bool("SAFEGUARD_TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60  # one working shift
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on form POSTs and
# Django's CSRF check refuses every form. Other sites still never see our URLs.
SECURE_REFERRER_POLICY = "same-origin"
# A form sent after the session or its cookies went: a GOV.UK page that keeps the way back (core/errors.py).
CSRF_FAILURE_VIEW = "safeguard.core.errors.csrf_failure"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API docs' Swagger UI from our own static files (CSP allows no CDN)
    "safeguard.core",
    "safeguard.accounts",
    "safeguard.audit",
    "safeguard.reporting",
    "safeguard.triage",
    "safeguard.subjects",  # identifiers, subjects, merges, networks (triage engine, ADR 0030)
    "safeguard.partners",
    "safeguard.evidence",
    "safeguard.wanted",
    "safeguard.education",
    "safeguard.removal",  # "Remove it": a young person's own pictures, hashed on their device (issue 22)
    "safeguard.takedown",  # Notice and takedown of reported web addresses (issue 23)
    "safeguard.routing",  # recipient directory and suggested recipients (issue 6)
    "safeguard.cases",
    "safeguard.dissemination",
    "safeguard.referrals",  # bulk lines of enquiry (issue 7)
    "safeguard.insight",  # strategic threat assessment and annual review (issue 10)
    "safeguard.retention",  # review, retention and disposal (issue 11)
    "safeguard.demo",  # demo data across the domains (development only; the top layer)
]

MIDDLEWARE = [
    "safeguard.core.metrics.MetricsMiddleware",  # first: counts every answer, 503s included
    # A lost database connection in a view becomes 503 + Retry-After (docs/production.md).
    "safeguard.core.db_unavailable.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Keeps the request at hand for sign-in audit entries written by services (accounts/sign_in_events.py).
    "safeguard.accounts.sign_in_events.SignInClientMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Everything under /staff/ needs both sign-in factors (see accounts/middleware.py).
    "safeguard.accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "safeguard.core.middleware.NoStoreForPrivatePagesMiddleware",
    # Last, so that a locked-out login is answered before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "safeguard.urls"
WSGI_APPLICATION = "safeguard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "safeguard" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "safeguard.core.context_processors.service",
            ],
        },
    }
]

# Database: SQLite (WAL) by default, PostgreSQL in production via DATABASE_URL.
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'safeguard.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets the web server and the task worker read while the other writes;
            # IMMEDIATE transactions take the write lock up front instead of failing mid-way.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Fail fast while the database is down (a 503 in seconds, not a hung worker).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", 3))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A shared cache (the database, unless Redis is configured) so rate limits hold across processes.
CACHES = {"default": env.cache_url("CACHE_URL", default="dbcache://safeguard_cache")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Same backend, but one Redis client per pool rather than one per call (~0.5 ms a call; ADR 0094).
    CACHES["default"]["BACKEND"] = "safeguard.core.cache.RedisCache"

TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
        "ENQUEUE_ON_COMMIT": True,
    }
}
# TASKS_BACKEND=safeguard.core.rq_backend.RetryingRQBackend runs tasks on Redis-backed RQ workers
# (`manage.py rqworker urgent default bulk`, in that order), retried when a worker dies mid-job (docs/production.md).
# Tasks are queued on "default"; the RQ backend puts each on the Redis queue of its priority (core/task_priority.py:
# urgent triage first, batch triage and bulk work last), since RQ itself keeps one queue in arrival order.
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
if TASKS["default"]["BACKEND"].startswith(("django_tasks_rq.", "safeguard.core.rq_backend.")):
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {
        name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600, "SOCKET_TIMEOUT": 5} for name in ("urgent", "default", "bulk")
    }
# A partner batch is triaged by tasks of at most this many reports, so a worker is back at the queue (and takes a
# P1 report's triage first) within one such task's time (core/task_priority.py, issue 20).
# /readyz names a missing task worker (no heartbeat for 60 s, core/worker_heartbeat.py) as "degraded" with a 200; set
# this to answer 503 instead (docs/adr/0100: off by default, so a dead worker never takes the public form down too).
SAFEGUARD_READYZ_REQUIRES_TASK_WORKER = env.bool("SAFEGUARD_READYZ_REQUIRES_TASK_WORKER", default=False)
SAFEGUARD_TRIAGE_BATCH_TASK_SIZE = env.int("SAFEGUARD_TRIAGE_BATCH_TASK_SIZE", default=500)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, plus: a one-time password works for one sign-in, before it expires (accounts/backends.py).
    "safeguard.accounts.backends.StaffPasswordBackend",
]
# NCSC / NIST SP 800-63B: a minimum length, long passphrases allowed, no composition rules, and a breached-password
# list shipped as data (safeguard/accounts/data/README.md says where it comes from and how to use a bigger one).
SAFEGUARD_BREACHED_PASSWORDS = env.str(
    "SAFEGUARD_BREACHED_PASSWORDS", default=str(BASE_DIR / "safeguard/accounts/data/breached-passwords.txt.gz")
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "safeguard.accounts.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 256}},
    {
        "NAME": "django.contrib.auth.password_validation.CommonPasswordValidator",
        "OPTIONS": {"password_list_path": SAFEGUARD_BREACHED_PASSWORDS},
    },
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A one-time password (new account, reset) works for one sign-in, within this time (ADR 0102).
SAFEGUARD_ONE_TIME_PASSWORD_LIFETIME = timedelta(hours=env.int("SAFEGUARD_ONE_TIME_PASSWORD_HOURS", default=72))
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "staff:queue"

# Sign-in throttling (ADR 0103, safeguard/accounts/sign_in_throttle.py). Five wrong passwords for one username from
# one address lock that username at that address for 30 minutes: an attacker elsewhere cannot lock out the duty
# supervisor, and staff sharing an office address do not lock each other out. Password spraying (many usernames
# from one address) is stopped by a per-address limit across usernames. Unknown usernames count like known ones.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
SAFEGUARD_SIGN_IN_ADDRESS_FAILURE_LIMIT = env.int("SAFEGUARD_SIGN_IN_ADDRESS_FAILURE_LIMIT", default=20)
AXES_HANDLER = "safeguard.accounts.sign_in_throttle.SignInThrottleHandler"
# The address as the public rate limits read it (X-Forwarded-For only with SAFEGUARD_TRUST_X_FORWARDED_FOR).
AXES_CLIENT_IP_CALLABLE = "safeguard.accounts.sign_in_throttle.throttle_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Safeguard"
OTP_TOTP_THROTTLE_FACTOR = 1

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "safeguard" / "static"]
# Outside production, serve static files straight from the source folders (no collectstatic step).
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
WHITENOISE_AUTOREFRESH = not IS_PRODUCTION
MEDIA_ROOT = BASE_DIR / "var" / "media"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.str("SAFEGUARD_MEDIA_ROOT", default=str(MEDIA_ROOT))},
    },
    # Evidence never sits under a served URL; it is read only through staff views.
    "evidence": {
        # Whole files or none: a full disk never leaves a truncated file behind (safeguard/core/storage.py).
        "BACKEND": "safeguard.core.storage.AtomicFileSystemStorage",
        "OPTIONS": {
            "location": env.str("SAFEGUARD_EVIDENCE_ROOT", default=str(BASE_DIR / "var" / "evidence")),
            "base_url": None,
        },
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# SAFEGUARD_EVIDENCE_STORAGE=s3 keeps evidence in an S3-compatible bucket (docs/production.md). Files are
# encrypted before they leave Safeguard (docs/adr/0020), so the bucket only ever holds ciphertext.
if env.str("SAFEGUARD_EVIDENCE_STORAGE", default="filesystem") == "s3":
    STORAGES["evidence"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("SAFEGUARD_S3_BUCKET"),
            "endpoint_url": env.str("SAFEGUARD_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("SAFEGUARD_S3_REGION", default=None),
            "access_key": env.str("SAFEGUARD_S3_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("SAFEGUARD_S3_SECRET_ACCESS_KEY", default=None),
            "location": env.str("SAFEGUARD_S3_PREFIX", default="evidence"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# Evidence master keys, "kid:base64key,..."; the first wraps new files (docs/adr/0020). Outside production a
# fixed, public development key is allowed; production refuses to start without real keys.
_DEV_EVIDENCE_KEYS = "dev-1:c2FmZWd1YXJkLWRldmVsb3BtZW50LW9ubHkta2V5ISE="
SAFEGUARD_EVIDENCE_KEYS = env.str("SAFEGUARD_EVIDENCE_KEYS", default="" if IS_PRODUCTION else _DEV_EVIDENCE_KEYS)
if IS_PRODUCTION and (not SAFEGUARD_EVIDENCE_KEYS or _DEV_EVIDENCE_KEYS.split(":")[1] in SAFEGUARD_EVIDENCE_KEYS):
    raise environ.ImproperlyConfigured(
        "SAFEGUARD_EVIDENCE_KEYS must hold real master keys when SAFEGUARD_ENV=production"
    )

# Uploads: requests larger than this are refused before the body is read into memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
SAFEGUARD_MAX_UPLOAD_BYTES = env.int("SAFEGUARD_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
# Evidence uploads (public form, partner API) stay in memory up to the upload limit plus multipart overhead,
# so Django never spools a plaintext copy to a temporary file (docs/evidence-wiring.md). Larger requests
# (bulk CSV imports) still go to temporary files.
FILE_UPLOAD_MAX_MEMORY_SIZE = SAFEGUARD_MAX_UPLOAD_BYTES + 1024 * 1024
SAFEGUARD_MAX_UPLOADS_PER_REPORT = 5
# The largest referral file accepted through the staff upload page (bulk referrals, docs/adr/0100): partners send up
# to a million lines (ADR 0070) at ~0.6 KB a JSON line (bench/bench_referrals.py) or ~0.9 KB an XML report, so
# ~0.6-0.9 GB; 1 GiB holds that. Bigger uploads are refused before their body is read; larger files go through
# `manage.py import_referrals FILE` (read in place). The proxy allows the upload page this much (nginx.conf.template).
SAFEGUARD_MAX_REFERRAL_UPLOAD_BYTES = env.int("SAFEGUARD_MAX_REFERRAL_UPLOAD_BYTES", default=1024**3)

# Partner API keys are kept this long in each web process: a revocation made elsewhere takes effect
# within it (ADR 0016). 0 turns the cache off.
SAFEGUARD_PARTNER_KEY_CACHE_SECONDS = env.int("SAFEGUARD_PARTNER_KEY_CACHE_SECONDS", default=5)
# Public Most Wanted pages are kept rendered in the shared cache until a record changes, at most this long
# (ADR 0094). Off in the test settings' default so tests never see another test's pages; 0 turns it off.
SAFEGUARD_PUBLIC_PAGE_CACHE_SECONDS = env.int(
    "SAFEGUARD_PUBLIC_PAGE_CACHE_SECONDS", default=0 if SAFEGUARD_ENV == "test" else 60
)

# Public rate limits (per client address); ratelimit's syntax "count/period".
RATELIMIT_VIEW = "safeguard.core.views.rate_limited"
SAFEGUARD_REPORT_RATE = env.str("SAFEGUARD_REPORT_RATE", default="10/h")
SAFEGUARD_FOLLOW_UP_RATE = env.str("SAFEGUARD_FOLLOW_UP_RATE", default="20/h")
# "Remove it" (/remove-it/): sending codes, coming back, withdrawing and the threat report, per client address.
SAFEGUARD_REMOVE_IT_RATE = env.str("SAFEGUARD_REMOVE_IT_RATE", default="20/h")

# Notice and takedown (issue 23). Host names resolve through the system's DNS in production; in development and
# tests through the table below, so nothing reaches the network (the demo's hosts are under .example).
SAFEGUARD_TAKEDOWN_RESOLVER = env.str(
    "SAFEGUARD_TAKEDOWN_RESOLVER",
    default="safeguard.takedown.hosting." + ("system_resolver" if IS_PRODUCTION else "table_resolver"),
)
SAFEGUARD_TAKEDOWN_HOSTS: dict[str, list[str]] = {}
SAFEGUARD_TAKEDOWN_RENOTICE_HOURS = env.list("SAFEGUARD_TAKEDOWN_RENOTICE_HOURS", cast=int, default=[24, 72])
SAFEGUARD_TAKEDOWN_ESCALATE_HOURS = env.int("SAFEGUARD_TAKEDOWN_ESCALATE_HOURS", default=120)
# Categories whose first assessment waits for a second opinion from someone else (the borderline calls).
SAFEGUARD_TAKEDOWN_SECOND_OPINION_FOR = env.list(
    "SAFEGUARD_TAKEDOWN_SECOND_OPINION_FOR", default=["prohibited", "harmful_lawful"]
)
# The confirmation page shows the follow-up secret code again on reload for this long, in the same session only
# (kept in the database-backed session, deleted when the window ends).
SAFEGUARD_FOLLOW_UP_SECRET_SHOWN_MINUTES = env.int("SAFEGUARD_FOLLOW_UP_SECRET_SHOWN_MINUTES", default=30)
if env.bool("SAFEGUARD_TRUST_X_FORWARDED_FOR", default=False):
    RATELIMIT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"

# Email: EMAIL_URL (smtp://user:pass@host:587, with ?tls=true) in production; printed to the console elsewhere.
vars().update(env.email_url("EMAIL_URL", default="consolemail://" if not IS_PRODUCTION else "smtp://localhost:25"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Safeguard <no-reply@safeguard.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address people reach the public site at, for links in emails (no trailing slash).
SAFEGUARD_PUBLIC_BASE_URL = env.str("SAFEGUARD_PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Where "Exit this page" finally sends a person: a neutral site, as GOV.UK's pattern advises.
SAFEGUARD_EXIT_URL = env.str("SAFEGUARD_EXIT_URL", default="https://www.bbc.co.uk/weather")

# Extra JSONL files of spaCy EntityRuler patterns a centre adds to triage's text signals (ADR 0098), read after
# safeguard/triage/signal_patterns/en.jsonl; comma-separated paths in the environment.
SAFEGUARD_TRIAGE_SIGNAL_PATTERNS = env.list("SAFEGUARD_TRIAGE_SIGNAL_PATTERNS", default=[])

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# JSON lines (one object per record) in production, for the log collector; plain text on a laptop.
SAFEGUARD_LOG_FORMAT = env.str("SAFEGUARD_LOG_FORMAT", default="json" if IS_PRODUCTION else "text")
# /metrics: a bearer token, or (unset) only from the machine itself; see docs/production.md.
SAFEGUARD_METRICS_TOKEN = env.str("SAFEGUARD_METRICS_TOKEN", default="")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": SAFEGUARD_LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
