"""The package as released: JSON valid against the published schema, a PDF, sanitised text only, hashes only."""

import json

import jsonschema
import pytest

from safeguard.dissemination import services
from safeguard.dissemination.documents import SCHEMA_PATH, package_document, package_json, package_pdf


@pytest.fixture
def schema():
    return json.loads(SCHEMA_PATH.read_text())


def test_json_is_valid_against_the_published_schema(make_package, schema):
    package = make_package(
        "draft", handling_code="C", handling_conditions="No onward sharing overseas.", no_overseas_sharing=True
    )
    package.evidence_references = [{"sha256": "b" * 64, "size": 42, "type": "image/png", "report": "SG-TEST-0001"}]
    package.save()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(package_json(package)), schema)
    sent = make_package("acknowledged")
    document = json.loads(package_json(sent))
    jsonschema.validate(document, schema)
    assert document["intelligence"][0]["grade"] == "2BP"
    assert document["evidence"]["mode"] == "hashes_only"


def test_schema_rejects_a_code_c_item_without_conditions(make_package, schema):
    document = package_document(make_package("draft"))
    document["intelligence"][0]["handling_code"] = "C"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema)


def test_only_the_sanitised_text_is_released(make_package):
    package = make_package("draft")
    item = package.items.get()
    services.sanitise_item(actor=package.prepared_by, item=item, sanitised_text="Asked a child to keep a chat secret.")
    document = package_document(package)
    assert document["intelligence"][0]["text"] == "Asked a child to keep a chat secret."
    assert document["intelligence"][0]["sanitised"] is True
    assert "moderator Jo" not in package_json(package).decode()


def test_evidence_files_offered_only_when_every_item_allows(make_package):
    package = make_package("draft")
    package.include_evidence_files = True
    package.save()
    assert package_document(package)["evidence"]["mode"] == "files_on_request"
    package.items.update(handling_code="C", handling_conditions="Hashes only.", no_evidence_files=True)
    assert package_document(package)["evidence"]["mode"] == "hashes_only"


def test_pdf(make_package):
    package = make_package("sent")
    pdf = package_pdf(package)
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 1000


def test_pdf_keeps_non_latin_identifiers(make_package):
    package = make_package("draft", original_text="Username Łukasz_Żółw and 測試 seen in a game chat.")
    assert package_pdf(package).startswith(b"%PDF-")


@pytest.mark.parametrize("state", ["draft", "sent", "acknowledged"])
def test_pdf_is_readable(make_package, state):
    from tests.pdfcheck import pdf_problems

    package = make_package(state)
    package.identifiers = [{"kind": "device_id", "platform": "", "value": "DEV-0001"}]
    package.save()
    assert pdf_problems(package_pdf(package)) == []
