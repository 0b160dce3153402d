"""What other apps build on: create_draft_dissemination (bulk referrals), outcome_figures (annual review)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from safeguard.dissemination.models import Dissemination, DisseminationStatus
from safeguard.dissemination.selectors import outcome_figures
from safeguard.dissemination.services import create_draft_dissemination


def test_create_draft_dissemination(make_staff, make_recipient, new_report):
    analyst = make_staff("analyst")
    report = new_report()
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


def test_create_draft_dissemination_with_many_reports(make_staff, make_recipient):
    """Bulk referrals bring thousands of reports to one force: no IN list or parameter limit gets in the way."""
    from safeguard.reporting.models import Report
    from safeguard.reporting.references import new_reference

    Report.objects.bulk_create([Report(reference=new_reference(), account="Synthetic") for _ in range(2500)])
    ids = list(Report.objects.values_list("pk", flat=True))
    package = create_draft_dissemination(actor=make_staff("analyst"), recipient=make_recipient(), report_ids=ids)
    assert package.reports.count() == 2500
