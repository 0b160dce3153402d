"""The intake's prepared statements (core/prepared.py, ADR 0018 round 4): only the hot statements are
prepared, they are logged like any other query, and a rolled-back request leaves the path working."""

import re

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from safeguard.audit.services import verify_chain
from safeguard.core.prepared import fetch_all
from safeguard.reporting.models import Report

from .conftest import valid_report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_process_state")]

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def _submit(api, key: str):
    return api.post("/api/v1/reports", {**valid_report(), "finish": True}, headers={"Idempotency-Key": key})


@on_postgresql
def test_only_the_intake_statements_are_prepared_and_django_is_left_as_configured(api):
    for n in range(3):
        assert _submit(api, f"prepared-{n}").status_code == 201
    statements = _prepared_statements()
    assert any('INSERT INTO "reporting_report"' in s for s in statements), statements
    assert any('UPDATE "audit_auditchainhead"' in s for s in statements), statements
    assert any('INSERT INTO "audit_auditentry"' in s for s in statements), statements
    assert not any("partners_apikey" in s or s.split()[0] == "SELECT" for s in statements), statements
    # Django's own connection setting is back as it was: its cursors are never prepared.
    assert connection.connection.prepare_threshold is None
    assert Report.objects.count() == 3 and verify_chain().ok


@on_postgresql
def test_prepared_statements_are_logged_with_their_values(api):
    assert _submit(api, "logged-1").status_code == 201
    with CaptureQueriesContext(connection) as queries:
        assert _submit(api, "logged-2").status_code == 201
    texts = [q["sql"] for q in queries.captured_queries]
    head = [t for t in texts if t and t.startswith('UPDATE "audit_auditchainhead" SET sequence')]
    assert head and re.search(r"sequence \+ \d+ WHERE", head[0]), texts  # the value, not a placeholder
    assert all(t is not None for t in texts), texts


@on_postgresql
def test_a_rolled_back_request_does_not_break_the_next_submissions(api):
    assert _submit(api, "again").status_code == 201
    # Same key, different body: the work runs, the idempotency row clashes, the transaction rolls
    # back (psycopg then drops its prepared statements) and the stored answer decides: 409.
    other = api.post(
        "/api/v1/reports",
        {**valid_report(additionalInfo="Different."), "finish": True},
        headers={"Idempotency-Key": "again"},
    )
    assert other.status_code == 409
    for n in range(3):
        assert _submit(api, f"after-{n}").status_code == 201
    assert Report.objects.count() == 4 and verify_chain().ok


def test_errors_come_out_as_django_exceptions(api):
    assert _submit(api, "to-copy").status_code == 201
    report = Report.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():  # the same primary key again
        fetch_all(
            'INSERT INTO "reporting_report" SELECT * FROM "reporting_report" WHERE id = %s RETURNING id', [report.pk]
        )


@on_postgresql
def test_with_a_connection_per_request_nothing_is_prepared(api, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # a fresh connection's state (psycopg's own cache is left alone)
    connection.connection._prepared.clear()
    for n in range(3):
        assert _submit(api, f"unkept-{n}").status_code == 201
    assert _prepared_statements() == []
    assert Report.objects.count() == 3 and verify_chain().ok
