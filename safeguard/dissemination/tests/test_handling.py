"""Handling rules: an item whose conditions do not permit the recipient is refused, with a clear explanation."""

import pytest

from safeguard.dissemination import services
from safeguard.dissemination.handling import (
    ConditionsMustBeWrittenOut,
    HandlingRefused,
    OverseasSharingForbidden,
    refusals,
)
from safeguard.dissemination.models import DisseminationStatus, IntelligenceItem
from safeguard.routing.models import RecipientKind


def _rules(package):
    return {r.rule for r in refusals(package)}


def test_overseas_sharing_forbidden_refuses_an_international_recipient(make_package, make_recipient, make_staff):
    interpol = make_recipient("Interpol NCB Testland", kind=RecipientKind.INTERNATIONAL, country="FR")
    package = make_package(
        "draft",
        recipient=interpol,
        handling_code="C",
        handling_conditions="Not to be shared outside the UK without the originator's consent.",
        no_overseas_sharing=True,
    )
    found = refusals(package)
    assert [r.rule for r in found] == ["OverseasSharingForbidden"]
    assert "outside the United Kingdom" in str(found[0])
    assert "Interpol NCB Testland" in str(found[0])
    with pytest.raises(HandlingRefused) as refused:
        services.approve(actor=make_staff("supervisor"), package=package)
    assert "Item 1:" in str(refused.value)
    package.refresh_from_db()
    assert package.status == DisseminationStatus.DRAFT


def test_the_same_item_may_go_to_a_uk_force(make_package):
    package = make_package(
        "draft", handling_code="C", handling_conditions="No onward sharing overseas.", no_overseas_sharing=True
    )
    assert refusals(package) == []


def test_uk_territorial_only_refuses_a_national_agency(make_package, make_recipient):
    agency = make_recipient("National Test Agency", kind=RecipientKind.UK_OTHER)
    package = make_package(
        "draft", recipient=agency, handling_code="C", handling_conditions="Local force only.", uk_territorial_only=True
    )
    assert _rules(package) == {"UkTerritorialForcesOnly"}
    assert "not one" in str(refusals(package)[0])


def test_evidence_files_refused_when_an_item_allows_hashes_only(make_package, make_staff):
    package = make_package("draft", handling_code="C", handling_conditions="Hashes only.", no_evidence_files=True)
    package.include_evidence_files = True
    package.save()
    assert _rules(package) == {"EvidenceFilesNotPermitted"}


def test_conditions_must_be_written_out(make_package):
    package = make_package("draft")
    IntelligenceItem.objects.filter(dissemination=package).update(handling_code="C", handling_conditions="")
    assert _rules(package) == {"ConditionsMustBeWrittenOut"}
    assert ConditionsMustBeWrittenOut.__name__ in _rules(package)


def test_empty_package_and_missing_summary_are_refused(make_staff, make_recipient):
    analyst = make_staff("analyst")
    package = services.create_draft_dissemination(actor=analyst, recipient=make_recipient())
    assert _rules(package) == {"PackageHasIntelligence", "PackageHasSummary"}


def test_sending_checks_again_after_approval(make_package, make_staff):
    """A recipient who became overseas-only (or an item tightened) after approval is still stopped at sending."""
    package = make_package("approved", handling_code="C", handling_conditions="UK only.", no_overseas_sharing=True)
    recipient = package.recipient
    recipient.kind, recipient.country = RecipientKind.INTERNATIONAL, "DE"
    recipient.save()
    with pytest.raises(HandlingRefused):
        services.send(actor=package.prepared_by, package=package)
    package.refresh_from_db()
    assert package.status == DisseminationStatus.APPROVED
    assert OverseasSharingForbidden.__name__ in _rules(package)
