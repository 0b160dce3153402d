"""Strict API types (issue 21, ADR 0104): a JSON value of the wrong type is a 422 naming the field.

The attack: `"finish": 0` was read as false (and "true", "1", "yes" as true), "13" as the integer 13,
1700000000 as a date-time. Each is now refused, in the API's one error shape, and nothing is stored.
"""

import io
import json

import pytest

from safeguard.partners.models import PartnerReport
from safeguard.partners.schemas import FileDetailsIn, OpenReportIn, ReportIn

from .conftest import valid_report
from .test_api_workflow import PNG, open_report


def _refused(response, loc: list, type_: str | None = None) -> dict:
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    for error in errors:  # the API's one error shape, nothing more
        assert set(error) == {"loc", "message", "type"}
    [error] = [e for e in errors if e["loc"] == loc]
    if type_ is not None:
        assert error["type"] == type_, error
    return error


def _with(path: tuple, value) -> dict:
    document = valid_report()
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return document


# --- booleans are booleans -------------------------------------------------------------------------


def test_finish_0_is_refused_not_read_as_false(api):
    """The case in the issue: `"finish": 0` was accepted as false and opened a report."""
    response = api.post("/api/v1/reports", valid_report(finish=0))
    error = _refused(response, ["body", "finish"], "bool_type")
    assert error["message"] == "Input should be a valid boolean"
    assert not PartnerReport.objects.exists()


@pytest.mark.parametrize("value", ["true", "false", 1, "1", "yes", "on", None, [], {}])
def test_finish_as_anything_but_a_boolean_is_refused(api, value):
    response = api.post("/api/v1/reports", valid_report(finish=value))
    _refused(response, ["body", "finish"], "bool_type")
    assert not PartnerReport.objects.exists()


@pytest.mark.parametrize(("finish", "state"), [(True, "finished"), (False, "open")])
def test_finish_true_and_false_still_work(api, finish, state):
    response = api.post("/api/v1/reports", valid_report(finish=finish))
    assert response.status_code == 201, response.content
    assert response.json()["state"] == state


def test_escalation_flag_as_a_string_is_refused(api):
    document = _with(("incidentSummary", "escalateToHighPriority"), "true")
    document["incidentSummary"]["escalationReason"] = "Meeting proposed for tonight"
    response = api.post("/api/v1/reports", document)
    _refused(response, ["body", "incidentSummary", "escalateToHighPriority"], "bool_type")


def test_possible_proxy_as_a_number_is_refused(api):
    document = valid_report()
    document["personOrUserReported"]["ipCaptureEvents"][0]["possibleProxy"] = 1
    response = api.post("/api/v1/reports", document)
    _refused(response, ["body", "personOrUserReported", "ipCaptureEvents", 0, "possibleProxy"], "bool_type")


# --- integers are integers -------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "type_"), [("13", "int_type"), (True, "int_type"), (13.5, "int_from_float")])
def test_age_that_is_not_an_integer_is_refused(api, value, type_):
    document = valid_report()
    document["victims"][0]["age"] = value
    response = api.post("/api/v1/reports", document)
    _refused(response, ["body", "victims", 0, "age"], type_)
    assert not PartnerReport.objects.exists()


def test_port_as_a_string_is_refused(api):
    document = valid_report()
    document["personOrUserReported"]["ipCaptureEvents"][0]["port"] = "51515"
    response = api.post("/api/v1/reports", document)
    _refused(response, ["body", "personOrUserReported", "ipCaptureEvents", 0, "port"], "int_type")


def test_an_integer_written_5_0_is_the_integer_5(api):
    """JSON Schema 2020-12 (OpenAPI 3.1) defines 5.0 as an integer, so the document admits it: the
    server agrees with its own document (ADR 0104) and stores the integer, not a float."""
    document = valid_report()
    document["victims"][0]["age"] = 13.0
    response = api.post("/api/v1/reports", json.dumps(document))
    assert response.status_code == 201, response.content
    age = PartnerReport.objects.get().payload["victims"][0]["age"]
    assert type(age) is int and age == 13


# --- strings are strings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("incidentSummary", "platform"), 5),
        (("personOrUserReported", "screenName"), True),
        (("personOrUserReported", "displayNames"), [7]),
        (("reporterContact", "name"), {"first": "Trust"}),
        (("additionalInfo",), 12.5),
    ],
)
def test_a_string_field_given_another_type_is_refused(api, path, value):
    response = api.post("/api/v1/reports", _with(path, value))
    loc = ["body", *path, 0] if isinstance(value, list) else ["body", *path]
    _refused(response, loc, "string_type")


def test_an_enum_given_a_number_is_refused(api):
    response = api.post("/api/v1/reports", _with(("incidentSummary", "incidentType"), 5))
    _refused(response, ["body", "incidentSummary", "incidentType"], "enum")


# --- dates and date-times are ISO-8601 strings -------------------------------------------------------


@pytest.mark.parametrize("value", [1700000000, "1700000000", 1700000000.5, "2026-11-20", "20/11/2026 18:30", True])
def test_a_date_time_that_is_not_an_iso_8601_string_is_refused(api, value):
    response = api.post("/api/v1/reports", _with(("incidentSummary", "incidentDateTime"), value))
    error = _refused(response, ["body", "incidentSummary", "incidentDateTime"], "iso_datetime")
    assert "ISO-8601" in error["message"]


@pytest.mark.parametrize("value", ["2026-11-20T18:30:00Z", "2026-11-20T18:30:00+01:00", "2026-11-20T18:30:00.250Z"])
def test_iso_8601_date_times_are_still_accepted(api, value):
    response = api.post("/api/v1/reports", _with(("incidentSummary", "incidentDateTime"), value))
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("value", [1368000000, "1368000000", "2013-05-01T00:00:00Z", False])
def test_a_date_of_birth_that_is_not_an_iso_8601_date_is_refused(api, value):
    document = valid_report()
    document["victims"][0]["dateOfBirth"] = value
    response = api.post("/api/v1/reports", document)
    _refused(response, ["body", "victims", 0, "dateOfBirth"], "iso_date")


def test_an_iso_8601_date_of_birth_is_accepted(api):
    document = valid_report(finish=True)
    document["victims"][0]["dateOfBirth"] = "2013-05-01"
    response = api.post("/api/v1/reports", document)
    assert response.status_code == 201, response.content


# --- the batch and the file details ------------------------------------------------------------------


def test_batch_item_with_a_coerced_boolean_is_rejected_on_its_own(api):
    bad = _with(("incidentSummary", "escalateToHighPriority"), 0)
    response = api.post("/api/v1/reports/batch", {"reports": [valid_report(), bad]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    ok, rejected = body["results"]
    assert ok["ok"] is True and rejected["ok"] is False and rejected["id"] is None
    [error] = rejected["errors"]
    assert error["loc"] == ["body", "reports", 1, "incidentSummary", "escalateToHighPriority"]
    assert error["type"] == "bool_type"


def test_batch_item_with_a_string_age_is_rejected(api):
    bad = valid_report()
    bad["victims"][0]["age"] = "13"
    response = api.post("/api/v1/reports/batch", {"reports": [bad]})
    body = response.json()
    assert response.status_code == 200 and body["accepted"] == 0
    assert body["results"][0]["errors"][0]["loc"] == ["body", "reports", 0, "victims", 0, "age"]


@pytest.mark.parametrize("value", ["true", 1, "yes"])
def test_file_details_boolean_as_a_string_or_number_is_refused(api, value):
    opened = open_report(api)
    details = json.dumps({"fileViewedByEsp": value})
    response = api.upload(f"/api/v1/reports/{opened['id']}/files", {"file": io.BytesIO(PNG), "details": details})
    _refused(response, ["body", "details", "fileViewedByEsp"], "bool_type")


def test_file_details_with_real_booleans_are_accepted(api):
    opened = open_report(api)
    details = '{"fileViewedByEsp": true, "publiclyAvailable": false}'
    response = api.upload(f"/api/v1/reports/{opened['id']}/files", {"file": io.BytesIO(PNG), "details": details})
    assert response.status_code == 201, response.content


# --- a guard for fields added later -------------------------------------------------------------------

LAX_SCALARS = {"bool", "int", "float", "str", "bytes", "decimal"}


def _lax_scalars(node, path="", *, after_strict_step=False):
    """Paths in a core schema to scalar validators that would coerce (lax mode).

    A lax step is fine after a strict one in a chain (IsoDateTime: strict str, then parse; whole_number:
    strict int-or-float, then the integer and its bounds).
    """
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _lax_scalars(item, f"{path}[{index}]")
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind in LAX_SCALARS and not node.get("strict") and not after_strict_step:
        yield f"{path}:{kind}"
    if kind == "chain":
        first, *rest = node["steps"]
        yield from _lax_scalars(first, f"{path}.steps[0]")
        for index, step in enumerate(rest, start=1):
            yield from _lax_scalars(step, f"{path}.steps[{index}]", after_strict_step=True)
        return
    for key, value in node.items():
        if key not in ("cls", "ref", "metadata", "serialization"):
            yield from _lax_scalars(value, f"{path}.{key}")


@pytest.mark.parametrize("model", [OpenReportIn, ReportIn, FileDetailsIn])
def test_every_input_scalar_is_strict(model):
    assert list(_lax_scalars(model.__pydantic_core_schema__)) == []


def test_the_guard_would_catch_a_lax_field():
    from pydantic import BaseModel

    class Lax(BaseModel):
        flag: bool
        count: int

    assert len(list(_lax_scalars(Lax.__pydantic_core_schema__))) == 2
