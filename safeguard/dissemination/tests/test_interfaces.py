"""What other apps build on: create_draft_dissemination (bulk referrals), outcome_figures (annual review)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from safeguard.dissemination.models import Dissemination, DisseminationStatus
from safeguard.dissemination.selectors import outcome_figures
from safeguard.dissemination.services import create_draft_dissemination


def test_create_draft_dissemination(make_staff, make_recipient, make_report):
    analyst = make_staff("analyst")
    report = make_report()
    package = create_draft_dissemination(
        actor=analyst, recipient=make_recipient(), report_ids=[report.pk], summary="Synthetic summary"
    )
    assert package.status == DisseminationStatus.DRAFT
    assert package.reference.startswith("DS-")
    assert list(package.reports.all()) == [report]
    assert package.prepared_by == analyst


def test_create_draft_dissemination_needs_the_capability(make_staff, make_recipient):
    with pytest.raises(PermissionDenied):
        create_draft_dissemination(actor=make_staff("administrator"), recipient=make_recipient())


def test_outcome_figures_empty(db):
    figures = outcome_figures(start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert figures["disseminations"] == 0
    assert figures["disseminations_by_recipient"] == []
    for key in (
        "children_safeguarded",
        "arrests",
        "charges",
        "convictions",
        "networks_disrupted",
        "networks_dismantled",
        "subjects_identified",
    ):
        assert figures[key] == 0
    assert Dissemination.objects.count() == 0
