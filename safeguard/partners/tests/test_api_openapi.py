"""The OpenAPI document says what the API answers (issue 21, ADR 0104).

The attack: a partner's client generated from openapi.json could not know the batch's per-item errors,
nor the error shapes and headers; a schema that does not match the answers is what schemathesis reports
as a violation.
"""

import pytest
from jsonschema import Draft202012Validator

from .conftest import valid_report

ERROR_STATUSES = ("400", "401", "403", "404", "409", "413", "422", "429")


@pytest.fixture
def document(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def _validator(document, component: str) -> Draft202012Validator:
    root = {"$ref": f"#/components/schemas/{component}", "components": document["components"]}
    return Draft202012Validator(root)


def test_batch_answer_and_its_per_item_errors_are_in_the_document(document):
    """The case in the issue: the batch's per-item errors were not in the OpenAPI document."""
    responses = document["paths"]["/api/v1/reports/batch"]["post"]["responses"]
    assert responses["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/BatchOut"}
    assert "rejected" in responses["200"]["description"]
    schemas = document["components"]["schemas"]
    items = schemas["BatchOut"]["properties"]["results"]["items"]
    assert {ref["$ref"] for ref in items["anyOf"]} == {
        "#/components/schemas/BatchItemAccepted",
        "#/components/schemas/BatchItemRejected",
    }
    accepted, rejected = schemas["BatchItemAccepted"], schemas["BatchItemRejected"]
    assert set(accepted["required"]) == set(rejected["required"]) == {"index", "ok", "id", "reference", "errors"}
    assert accepted["properties"]["ok"]["const"] is True and rejected["properties"]["ok"]["const"] is False
    assert accepted["properties"]["id"]["format"] == "uuid" and accepted["properties"]["errors"]["maxItems"] == 0
    assert rejected["properties"]["errors"] == {
        "items": {"$ref": "#/components/schemas/ErrorItem"},
        "minItems": 1,
        "title": "Errors",
        "type": "array",
    }
    assert rejected["properties"]["id"]["type"] == "null"


def test_every_operation_documents_every_error_status_in_the_error_shape(document):
    operations = list(_operations(document))
    assert len(operations) == 8  # six for reports, two for the hash list (issue 22)
    for method, path, operation in operations:
        for status in ERROR_STATUSES:
            response = operation["responses"].get(status)
            assert response, (method, path, status)
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
            assert response["description"] not in ("", "Unknown Status Code")
        headers = operation["responses"]
        assert headers["401"]["headers"]["WWW-Authenticate"]["required"] is True
        assert headers["429"]["headers"]["Retry-After"]["schema"] == {"type": "integer", "minimum": 1}
    error_item = document["components"]["schemas"]["ErrorItem"]
    assert set(error_item["required"]) == {"loc", "message", "type"}


def test_posts_document_the_idempotency_key_header(document):
    for method, path, operation in _operations(document):
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert names == (["Idempotency-Key"] if method == "post" else []), (method, path)


def test_input_types_in_the_document_are_the_strict_ones(document):
    schemas = document["components"]["schemas"]
    assert schemas["OpenReportIn"]["properties"]["finish"]["type"] == "boolean"
    assert schemas["IncidentSummary"]["properties"]["incidentDateTime"] == {
        "format": "date-time",
        "title": "Incidentdatetime",
        "type": "string",
    }
    age = schemas["Victim"]["properties"]["age"]["anyOf"][0]
    assert age == {"type": "integer", "minimum": 0, "maximum": 25}


def test_a_mixed_batch_answer_fits_the_documented_shape(api, document):
    bad = valid_report()
    bad["incidentSummary"]["escalateToHighPriority"] = "yes"
    response = api.post("/api/v1/reports/batch", {"reports": [valid_report(), bad, {"surprise": 1}]})
    assert response.status_code == 200
    body = response.json()
    _validator(document, "BatchOut").validate(body)
    assert [r["ok"] for r in body["results"]] == [True, False, False]


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"HTTP_AUTHORIZATION": "Bearer nope"}, 401),
        ({}, 422),
    ],
)
def test_error_answers_fit_the_documented_shape(client, api, document, change, status):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.key}", **change}
    response = client.post("/api/v1/reports", data={"finish": 0}, content_type="application/json", **headers)
    assert response.status_code == status
    _validator(document, "ErrorOut").validate(response.json())
    if status == 401:
        assert response["WWW-Authenticate"] == "Bearer"


def test_too_large_and_rate_limited_answers_fit_the_documented_shape(
    api, partner, document, settings, fresh_process_state
):
    from safeguard.partners.models import Partner

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    too_large = api.post("/api/v1/reports", valid_report(additionalInfo="x" * 2000))
    assert too_large.status_code == 413
    _validator(document, "ErrorOut").validate(too_large.json())
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000_000
    Partner.objects.filter(pk=partner.pk).update(requests_per_minute=1)
    api.post("/api/v1/reports", valid_report())
    limited = api.post("/api/v1/reports", valid_report())
    assert limited.status_code == 429
    _validator(document, "ErrorOut").validate(limited.json())
    assert int(limited["Retry-After"]) >= 1
