"""Every use of a framework's private or undocumented API, in one place (ADR 0097).

Domain code never reaches into Django's, psycopg's or django-tasks' internals itself: it calls these
modules by names that say what they do, through the thin layers over them (core.rows, core.bulk,
core.prepared, core.rq_backend, triage.enqueue, referrals.workers). Each module's docstring lists the
private names it relies on and the versions they were checked against; `safeguard/core/tests/test_internals.py`
has one test per assumption, so an upgrade that breaks one fails a test named after it.

- `models`: model instances built without `Model.__init__`; marking instances saved; caching a relation.
- `sql`: INSERT SQL from Django's compiler; COPY through Django's cursor; a server-binding cursor
  wrapped as Django wraps its own (execute wrappers, query logging).
- `tasks`: a django-tasks-db task row written by the caller's own INSERT (forged row, backend ids).
- `runtime`: process-wide interpreter tuning (the cyclic collector's threshold, the GIL switch interval).
- `rq`: the RQ task backend with retries, a copy of django-tasks-rq's enqueue (`core.rq_backend` is its path).

Checked against Django 5.2.19, django-tasks 0.12.0, django-tasks-db 0.13.0, django-tasks-rq 0.12.0,
psycopg 3.3.9.
"""
