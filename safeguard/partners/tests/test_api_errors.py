"""Bad input: one error shape, paths to the field, unknown fields, oversize, limits, idempotency."""

import json

from safeguard.partners.models import Partner, PartnerReport
from safeguard.reporting.models import Report

from .conftest import valid_report


def test_unknown_field_is_rejected_with_its_path(api):
    document = valid_report()
    document["personOrUserReported"]["favouriteColour"] = "blue"
    response = api.post("/api/v1/reports", document)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["loc"] == ["body", "personOrUserReported", "favouriteColour"]
    assert error["type"] == "extra_forbidden"
    assert not PartnerReport.objects.exists()


def test_each_bad_field_is_reported_with_its_path(api):
    document = valid_report()
    document["personOrUserReported"]["emails"] = ["ok@example.invalid", "not an email"]
    del document["incidentSummary"]["incidentDateTime"]
    response = api.post("/api/v1/reports", document)
    assert response.status_code == 422
    locs = [e["loc"] for e in response.json()["errors"]]
    assert ["body", "personOrUserReported", "emails", 1] in locs
    assert ["body", "incidentSummary", "incidentDateTime"] in locs


def test_malformed_json_gets_the_common_shape(api):
    response = api.post("/api/v1/reports", "{not json")
    assert response.status_code in (400, 422)
    assert "errors" in response.json()


def test_oversize_body_is_refused_before_reading(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post("/api/v1/reports", valid_report(additionalInfo="x" * 2000))
    assert response.status_code == 413
    assert response.json()["errors"][0]["type"] == "too_large"


def test_oversize_upload_is_refused(api, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.SAFEGUARD_MAX_UPLOAD_BYTES = 100
    opened = api.post("/api/v1/reports", valid_report()).json()
    response = api.upload(f"/api/v1/reports/{opened['id']}/files", {"file": SimpleUploadedFile("a", b"x" * 70_000)})
    assert response.status_code == 413


def test_rate_limit_gives_429_with_retry_after(partner, api):
    Partner.objects.filter(pk=partner.pk).update(requests_per_minute=3)
    statuses = [api.post("/api/v1/reports", valid_report()).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    response = api.post("/api/v1/reports", valid_report())
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["errors"][0]["type"] == "rate_limited"


def test_daily_quota_counts_reports_and_gives_429(partner, api):
    Partner.objects.filter(pk=partner.pk).update(daily_quota=3)
    response = api.post("/api/v1/reports/batch", {"reports": [valid_report()] * 2})
    assert response.status_code == 200
    response = api.post("/api/v1/reports/batch", {"reports": [valid_report()] * 2})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0 and "quota" in response.json()["errors"][0]["message"]


def test_idempotent_retry_replays_the_first_answer(api):
    body = {**valid_report(), "finish": True}
    first = api.post("/api/v1/reports", body, headers={"Idempotency-Key": "abc-1"})
    again = api.post("/api/v1/reports", body, headers={"Idempotency-Key": "abc-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert Report.objects.count() == 1


def test_same_key_different_body_is_409(api):
    api.post("/api/v1/reports", valid_report(), headers={"Idempotency-Key": "abc-2"})
    response = api.post("/api/v1/reports", valid_report(additionalInfo="else"), headers={"Idempotency-Key": "abc-2"})
    assert response.status_code == 409
    assert response.json()["errors"][0] == {
        "loc": ["header", "Idempotency-Key"],
        "message": "This Idempotency-Key was already used for a different request.",
        "type": "idempotency_conflict",
    }


def test_idempotency_keys_are_per_partner(api, other_api):
    body = {**valid_report(), "finish": True}
    assert api.post("/api/v1/reports", body, headers={"Idempotency-Key": "shared"}).status_code == 201
    response = other_api.post("/api/v1/reports", body, headers={"Idempotency-Key": "shared"})
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert Report.objects.count() == 2


def test_idempotent_finish_retry(api):
    opened = api.post("/api/v1/reports", valid_report()).json()
    path = f"/api/v1/reports/{opened['id']}/finish"
    first = api.post(path, headers={"Idempotency-Key": "fin-1"})
    again = api.post(path, headers={"Idempotency-Key": "fin-1"})
    assert first.status_code == again.status_code == 200 and first.json() == again.json()


def test_batch_gives_per_item_results_and_one_bad_item_does_not_fail_the_others(api):
    bad = valid_report()
    bad["incidentSummary"]["incidentType"] = "not_a_type"
    items = [valid_report(), bad, valid_report(additionalInfo="second"), {"surprise": 1}]
    response = api.post("/api/v1/reports/batch", {"reports": items})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["accepted"] == 2 and body["rejected"] == 2
    results = body["results"]
    assert [r["ok"] for r in results] == [True, False, True, False]
    assert results[1]["errors"][0]["loc"] == ["body", "reports", 1, "incidentSummary", "incidentType"]
    assert ["body", "reports", 3, "surprise"] in [e["loc"] for e in results[3]["errors"]]
    assert Report.objects.filter(reference__in=[results[0]["reference"], results[2]["reference"]]).count() == 2
    assert api.get(f"/api/v1/reports/{results[0]['id']}").json()["state"] == "finished"


def test_batch_audit_chain_stays_whole(api):
    from safeguard.audit.models import AuditEntry
    from safeguard.audit.services import verify_chain

    api.post("/api/v1/reports", {**valid_report(), "finish": True})
    api.post("/api/v1/reports/batch", {"reports": [valid_report()] * 5})
    api.post("/api/v1/reports", {**valid_report(), "finish": True})
    verdict = verify_chain()
    assert verdict.ok, verdict
    assert AuditEntry.objects.filter(detail__batch=True).count() == 5


def test_batch_shape_errors(api):
    response = api.post("/api/v1/reports/batch", {"reports": []})
    assert response.status_code == 422 and response.json()["errors"][0]["loc"][:2] == ["body", "reports"]
    response = api.post("/api/v1/reports/batch", json.dumps({"reports": [valid_report()], "extra": True}))
    assert response.status_code == 422
    assert api.post("/api/v1/reports/batch", "[[").status_code == 422


def test_idempotent_upload_retry_stores_the_file_once(api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from safeguard.partners.models import PartnerFile

    opened = api.post("/api/v1/reports", valid_report()).json()
    path = f"/api/v1/reports/{opened['id']}/files"
    first = api.upload(path, {"file": SimpleUploadedFile("a.bin", b"abc")}, headers={"Idempotency-Key": "up-1"})
    again = api.upload(path, {"file": SimpleUploadedFile("a.bin", b"abc")}, headers={"Idempotency-Key": "up-1"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    other = api.upload(path, {"file": SimpleUploadedFile("a.bin", b"xyz")}, headers={"Idempotency-Key": "up-1"})
    assert other.status_code == 409
    assert PartnerFile.objects.count() == 1


def test_wrong_method_and_unknown_endpoint_get_the_common_shape(api):
    response = api.get("/api/v1/reports")
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert response.json()["errors"][0]["type"] == "method_not_allowed"
    response = api.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.json()["errors"][0]["type"] == "not_found"


def test_openapi_and_docs_are_served(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/reports", "/api/v1/reports/batch", "/api/v1/reports/{report_id}/files"} <= set(schema["paths"])
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"/static/ninja/swagger-ui-bundle.js" in docs.content


def test_nul_characters_are_refused_as_bad_input(api):
    # PostgreSQL cannot store NUL in text or jsonb: it must be a 422, never a 500 at the database.
    response = api.post("/api/v1/reports", valid_report(additionalInfo="before\x00after"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "additionalInfo"]
