import csv
import io
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from safeguard.insight.rollup import refresh_rollup

from .factories import at, partner_details, report

LATER = timezone.make_aware(datetime(2030, 1, 1))


@pytest.fixture
def figures(db):
    for i in range(30):
        report(
            received=at(2025, 1 + i % 12),
            reporter_role="parent_carer",
            categories=["keep_secret"],
            environment="chat_room",
        )
    for i in range(40):
        report(
            received=at(2026, 1 + i % 12),
            source="partner_api",
            platform_name="Blockworld",
            details=partner_details(internet={"onlineGamingIncident": {}}, ages=[12]),
        )
    for i in range(20):
        report(
            received=at(2026, 1 + i % 6),
            reporter_role="young_person",
            categories=["keep_secret"],
            environment="chat_room",
        )
    report(received=at(2026, 5), reporter_role="professional", categories=["meet_up"], environment="email")
    refresh_rollup(now=LATER)


def test_dashboard_shows_tables_with_suppression(analyst_client, figures):
    page = analyst_client.get(reverse("insight:dashboard"), {"year": 2026})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Reports by online environment" in html and "Online gaming" in html
    assert "fewer than 5" in html  # the single professional's report
    assert "61 report" in html
    assert 'aria-current="page"' in html


def test_filters_narrow_the_figures(analyst_client, figures):
    page = analyst_client.get(reverse("insight:dashboard"), {"year": 2026, "source": "children", "quarter": 1})
    html = page.content.decode()
    assert "January 2026 to March 2026, Children and young people" in html
    assert page.context["board"]["total"].count == 11  # months 1-3 of i % 6 for i < 20: 4 + 4 + 3


def test_bad_filter_gets_a_specific_error_and_default_figures(analyst_client, figures):
    page = analyst_client.get(reverse("insight:dashboard"), {"year": 1900, "area": "atlantis"})
    html = page.content.decode()
    assert "There is a problem" in html
    assert "Choose a year from the list" in html and "Choose a region from the list" in html
    assert page.status_code == 200


def test_emerging_threats_page_flags_gaming(analyst_client, figures):
    page = analyst_client.get(reverse("insight:emerging"), {"year": 2026})
    assert page.status_code == 200
    emerging = page.context["emerging"]
    assert "Online gaming" in [t.label for t in emerging]
    gaming = next(t for t in emerging if t.label == "Online gaming")
    assert gaming.platforms[0][0] == "Blockworld"
    assert "Platforms driving the rise" in page.content.decode()


def test_csv_and_xlsx_exports(analyst_client, figures):
    got = analyst_client.get(reverse("insight:export", args=["by_source", "csv"]), {"year": 2026})
    rows = list(csv.reader(io.StringIO(got.content.decode())))
    assert rows[0] == ["Source", "reports", "share"]
    assert ["Professionals", "fewer than 5", ""] in rows
    book = load_workbook(
        io.BytesIO(analyst_client.get(reverse("insight:export", args=["all", "xlsx"]), {"year": 2026}).content)
    )
    assert "by_environment" in book.sheetnames and "by_month" in book.sheetnames
    emerging = analyst_client.get(reverse("insight:export", args=["emerging", "csv"]), {"year": 2026})
    assert emerging.content.decode().startswith("dimension,category")
    outcomes = analyst_client.get(reverse("insight:export", args=["outcomes", "xlsx"]), {"year": 2026})
    assert outcomes.status_code == 200
    assert analyst_client.get(reverse("insight:export", args=["nope", "csv"])).status_code == 404


def test_outcomes_page(analyst_client, figures):
    page = analyst_client.get(reverse("insight:outcomes"), {"year": 2026})
    assert page.status_code == 200
    assert "Children safeguarded" in page.content.decode()


def test_publications_need_publish_review(analyst_client, supervisor_client, figures):
    assert analyst_client.get(reverse("insight:publications")).status_code == 403
    assert analyst_client.get(reverse("insight:publication_pdf", args=["annual-review", 2026])).status_code == 403
    assert supervisor_client.get(reverse("insight:publications")).status_code == 200
    for kind in ("annual-review", "threat-assessment"):
        pdf = supervisor_client.get(reverse("insight:publication_pdf", args=[kind, 2026]))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), kind
    assert supervisor_client.get(reverse("insight:publication_pdf", args=["annual-review", 1990])).status_code == 404


def test_roles_without_view_insight_are_refused(admin_client, db):
    assert admin_client.get(reverse("insight:dashboard")).status_code == 403


def test_refresh_button(supervisor_client, analyst_client, db):
    report(received=at(2026, 1))
    assert analyst_client.post(reverse("insight:refresh")).status_code == 403
    Report = __import__("safeguard.reporting.models", fromlist=["Report"]).Report
    Report.objects.update(created_at=at(2026, 1))
    response = supervisor_client.post(reverse("insight:refresh"), follow=True)
    assert "Counted 1 new report" in response.content.decode()


@pytest.mark.parametrize("kind", ["annual_review_pdf", "threat_assessment_pdf"])
def test_publications_are_readable(figures, kind):
    """Every character readable against what it is printed on (a chart's bar colour once filled the tables)."""
    from safeguard.insight import documents
    from tests.pdfcheck import pdf_problems

    assert pdf_problems(getattr(documents, kind)(year=2026)) == []
