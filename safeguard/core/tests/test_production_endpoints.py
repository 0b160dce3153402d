"""Readiness, metrics and the 503-while-the-database-is-down answer."""

import json
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from safeguard.core import readiness


@pytest.mark.django_db
def test_readyz_is_ready_when_every_dependency_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "cache", "task_queue", "task_worker", "storage"}


@pytest.mark.django_db
def test_readyz_names_the_dependency_that_fails_and_answers_503(client):
    def broken():
        raise OSError("No space left on device")

    broken.__name__ = "check_storage"
    with mock.patch.object(readiness, "CHECKS", [readiness.check_database, broken]):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Retry-After"]
    body = json.loads(response.content)
    assert body["checks"]["database"] == "ok"
    assert "No space left on device" in body["checks"]["storage"]


@pytest.mark.django_db
def test_metrics_show_queue_depth_deadlines_intake_and_errors(client, new_report):
    new_report()
    client.get("/readyz")
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    text = response.content.decode()
    for name in (
        "safeguard_task_queue_depth",
        "safeguard_triage_deadlines_breached",
        "safeguard_reports_received_total",
        "safeguard_reports_received_last_hour 1.0",
        "safeguard_http_requests_total",
        "safeguard_http_request_duration_seconds_bucket",
    ):
        assert name in text, name
    assert 'safeguard_reports_received_total{source="public_web"} 1.0' in text


@pytest.mark.django_db
def test_metrics_are_not_public(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    settings.SAFEGUARD_METRICS_TOKEN = "s3cret-scrape-token"
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    ok = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")
    assert ok.status_code == 200


@pytest.mark.django_db
def test_database_lost_in_a_view_is_503_with_retry_after():
    client = Client(raise_request_exception=False)
    with mock.patch("safeguard.core.views.render", side_effect=OperationalError("connection refused")):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"Nothing from this attempt was stored" in response.content


@pytest.mark.django_db
def test_database_lost_in_the_api_is_a_json_503():
    client = Client(raise_request_exception=False)
    with mock.patch("safeguard.partners.keys.authenticate", side_effect=OperationalError("server closed")):
        response = client.get("/api/v1/reports/ABC", HTTP_AUTHORIZATION="Bearer x")
    assert response.status_code == 503
    assert json.loads(response.content)["detail"].startswith("Service temporarily unavailable")


@pytest.mark.django_db
def test_database_lost_in_a_middleware_is_503_too():
    client = Client(raise_request_exception=False)
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load", side_effect=OperationalError("terminating")
    ):
        client.cookies["sessionid"] = "a" * 32
        response = client.get("/staff/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"


def test_json_log_format_writes_one_object_per_line():
    import logging

    from pythonjsonlogger.json import JsonFormatter

    formatter = JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s", rename_fields={"levelname": "level", "name": "logger"}
    )
    record = logging.LogRecord("safeguard.test", logging.WARNING, __file__, 1, "database unavailable", None, None)
    line = json.loads(formatter.format(record))
    assert line["level"] == "WARNING" and line["logger"] == "safeguard.test"
