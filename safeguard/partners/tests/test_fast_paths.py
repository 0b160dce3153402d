"""The intake fast paths keep their promises: cached keys still expire, leased limits are never exceeded,
a reference clash costs a retry and nothing else. (ADRs 0014-0017; speed itself is measured in bench/.)"""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safeguard.audit.services import verify_chain
from safeguard.partners import keys, limits
from safeguard.partners.models import ApiKey, Partner, RateCounter
from safeguard.reporting.models import Report

from .conftest import PartnerClient, make_key, valid_report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_process_state")]

NOW = datetime(2026, 11, 29, 12, 0, 30, tzinfo=UTC)


def test_one_shot_submission_is_a_handful_of_statements_and_keeps_the_chain(api, monkeypatch):
    api.post("/api/v1/reports", {**valid_report(), "finish": True})  # warms the key and limits
    # The test task backend runs triage at once, inside the request: leave it out of the count.
    monkeypatch.setattr("safeguard.triage.intake_stage.enqueue_triage", lambda report: None)
    with CaptureQueriesContext(connection) as queries:
        response = api.post(
            "/api/v1/reports", {**valid_report(), "finish": True}, headers={"Idempotency-Key": "one-shot-1"}
        )
    assert response.status_code == 201
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    # One savepoint only: the request's own transaction, nested in the test's.
    assert statements.count("SAVEPOINT") == 1, statements
    work = [s for s in statements if s not in ("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT")]
    assert len(work) <= 6, statements  # report, partner report, idempotency, chain head, entry (+ counters)
    assert verify_chain().ok and Report.objects.count() == 2


def test_a_key_revoked_by_another_process_stops_working_when_the_cached_copy_runs_out(partner, monkeypatch):
    new = make_key(partner)
    client = PartnerClient(new.plaintext)
    assert client.post("/api/v1/reports", valid_report()).status_code == 201
    ApiKey.objects.filter(pk=new.key.pk).update(revoked_at=timezone.now())  # no signal: like another process
    clock = [keys.time.monotonic()]
    monkeypatch.setattr(keys.time, "monotonic", lambda: clock[0])
    assert client.post("/api/v1/reports", valid_report()).status_code == 201  # still this process's copy
    clock[0] += 5.1
    response = client.post("/api/v1/reports", valid_report())
    assert response.status_code == 401 and "revoked" in response.json()["errors"][0]["message"]


def test_key_cache_can_be_turned_off(partner, settings):
    settings.SAFEGUARD_PARTNER_KEY_CACHE_SECONDS = 0
    new = make_key(partner)
    client = PartnerClient(new.plaintext)
    assert client.post("/api/v1/reports", valid_report()).status_code == 201
    ApiKey.objects.filter(pk=new.key.pk).update(revoked_at=timezone.now())
    assert client.post("/api/v1/reports", valid_report()).status_code == 401


def test_a_wrong_secret_for_a_cached_prefix_is_still_refused(partner):
    new = make_key(partner)
    assert PartnerClient(new.plaintext).post("/api/v1/reports", valid_report()).status_code == 201
    forged = new.plaintext[:-4] + ("AAAA" if not new.plaintext.endswith("AAAA") else "BBBB")
    assert PartnerClient(forged).post("/api/v1/reports", valid_report()).status_code == 401


def _in_process(lease_store: dict):
    """Run limits.charge as if in another web process (its own leases)."""
    saved = dict(limits._leases)
    limits._leases.clear()
    limits._leases.update(lease_store)

    def done():
        lease_store.clear()
        lease_store.update(limits._leases)
        limits._leases.clear()
        limits._leases.update(saved)

    return done


def test_leased_requests_never_exceed_the_limit_across_processes(partner):
    Partner.objects.filter(pk=partner.pk).update(requests_per_minute=2000)
    partner.refresh_from_db()
    processes = [{}, {}, {}]
    accepted = 0
    with CaptureQueriesContext(connection) as queries:
        for n in range(2100):
            done = _in_process(processes[n % 3])
            accepted += limits.charge(partner, now=NOW) is None
            done()
    assert 2000 - 3 * limits._block(2000) <= accepted <= 2000
    assert len(queries) < 2100 / 5  # most requests cost no statement
    minute = RateCounter.objects.get(partner=partner, bucket__startswith="m:")
    assert minute.count >= accepted


def test_small_limits_stay_exact(partner):
    Partner.objects.filter(pk=partner.pk).update(requests_per_minute=3, daily_quota=5)
    partner.refresh_from_db()
    assert [limits.charge(partner, now=NOW) is None for _ in range(4)] == [True, True, True, False]
    limits.forget_leases()
    later = NOW.replace(minute=1)
    assert limits.charge(partner, reports=4, now=later) is None
    refused = limits.charge(partner, reports=2, now=later)
    assert refused is not None and "quota" in refused.message


def test_a_reference_clash_is_retried_without_failing_the_transaction(api, monkeypatch):
    first = api.post("/api/v1/reports", {**valid_report(), "finish": True}).json()["reference"]
    references = iter([first, "SG-ZZZZ-ZZZ1"])
    monkeypatch.setattr("safeguard.reporting.intake.new_reference", lambda: next(references))
    response = api.post("/api/v1/reports", {**valid_report(), "finish": True})
    assert response.status_code == 201 and response.json()["reference"] == "SG-ZZZZ-ZZZ1"
    assert Report.objects.count() == 2 and verify_chain().ok
