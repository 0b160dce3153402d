"""The loop the issue demands: public report -> triage -> case -> graded package -> approved and sent ->
the force acknowledges -> outcome recorded -> it appears in the centre's counts.

Driven through the real pages wherever there is one (the public report journey's service, the staff package
pages, the force portal), so the wiring between them is tested, not only the services.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from safeguard.audit.models import Action, AuditEntry
from safeguard.audit.services import verify_chain
from safeguard.cases.services import open_case
from safeguard.dissemination.models import Dissemination, DisseminationStatus
from safeguard.dissemination.selectors import outcome_figures
from safeguard.reporting.models import Status
from safeguard.routing.models import Recipient


def _date_fields(day):
    return {"occurred_on-day": day.day, "occurred_on-month": day.month, "occurred_on-year": day.year}


def test_public_report_to_outcome_in_the_centres_figures(make_report, make_staff, staff_client):
    # 1. A member of the public reports (the public form's service); triage runs on it (ImmediateBackend).
    report = make_report(
        account="A user in a game chat asked my younger brother for photos and to keep it secret. "
        "Their username is tv_synthetic_user and they said they live near Oxford.",
        subject_identifiers="tv_synthetic_user",
    )
    report.refresh_from_db()
    assert report.status != Status.RECEIVED or report.priority_reasons  # triage has looked at it

    # 2. An investigator opens a case on it.
    analyst = make_staff("analyst")
    case = open_case(actor=analyst, title="Operation Synthetic Kestrel", report_ids=[report.pk])

    # 3. The analyst builds the graded package through the staff pages.
    analyst_client = staff_client(user=analyst)
    first_choice = Recipient.objects.get(code="metropolitan-police-service")
    page = analyst_client.post(
        reverse("dissemination:new"), {"recipient": first_choice.pk, "case": case.reference, "summary": ""}
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    package = Dissemination.objects.get(case=case)
    assert list(package.reports.all()) == [report]
    detail = reverse("dissemination:detail", args=[package.reference])

    def post(name, data):
        response = analyst_client.post(reverse(name, args=[package.reference]), data)
        assert response.status_code == 302, response.content.decode()[:3000]

    post(
        "dissemination:edit_text",
        {
            "summary": "An adult account asked a child for photos and to keep the chat secret.",
            "risk_assessment": "High: ongoing contact with a child.",
            "actions_requested": "Identify the account holder; safeguarding visit.",
        },
    )
    post(
        "dissemination:add_item",
        {
            "original_text": "Moderator Test Person at the platform saw the account ask for photos.",
            "source_evaluation": "1",
            "intelligence_assessment": "B",
            "handling_code": "C",
            "handling_conditions": "No onward sharing outside the UK.",
            "no_overseas_sharing": "on",
        },
    )
    item = package.items.get()
    response = analyst_client.post(
        reverse("dissemination:sanitise_item", args=[package.reference, item.pk]),
        {"sanitised_text": "Platform staff saw the account ask for photos."},
    )
    assert response.status_code == 302

    # Routing: the subject's postcode suggests Thames Valley; the analyst confirms it instead of the Met.
    post("dissemination:routing", {"action": "postcode", "postcode": "OX1 1ZZ"})
    page = analyst_client.get(detail).content.decode()
    assert "Thames Valley" in page and "Approximate" in page
    thames_valley = Recipient.objects.get(code="thames-valley")
    post("dissemination:routing", {"action": "confirm", "recipient": thames_valley.pk, "reason": ""})
    package.refresh_from_db()
    assert package.recipient == thames_valley

    # 4. A second person approves; the preparer cannot.
    assert analyst_client.post(reverse("dissemination:approve", args=[package.reference])).status_code == 403
    supervisor = staff_client("supervisor")
    assert supervisor.post(reverse("dissemination:approve", args=[package.reference])).status_code == 302
    post("dissemination:send", {})
    package.refresh_from_db()
    assert package.status == DisseminationStatus.SENT
    assert AuditEntry.objects.filter(
        action=Action.DISCLOSURE, object_id=str(package.pk), recipient__contains="thames-valley"
    ).exists()

    # 5. The Thames Valley officer sees it, downloads it, acknowledges it and records outcomes.
    officer = staff_client(user=make_staff("force_officer", force=thames_valley))
    portal = officer.get(reverse("force:home")).content.decode()
    assert package.reference in portal
    page = officer.get(reverse("force:detail", args=[package.reference])).content.decode()
    assert "Platform staff saw the account ask for photos." in page
    assert "Moderator Test Person" not in page  # the original, unsanitised text stays inside the centre
    released = officer.get(reverse("force:json", args=[package.reference])).json()
    assert released["intelligence"][0]["text"] == "Platform staff saw the account ask for photos."
    assert "Moderator Test Person" not in str(released)
    assert officer.post(reverse("force:acknowledge", args=[package.reference])).status_code == 302
    today = timezone.localdate()
    for outcome in (
        {"kind": "subject_identified"},
        {"kind": "arrest"},
        {"kind": "children_safeguarded", "count": "2"},
    ):
        response = officer.post(reverse("force:outcome", args=[package.reference]), outcome | _date_fields(today))
        assert response.status_code == 302, response.content.decode()[:3000]
    package.refresh_from_db()
    assert package.status == DisseminationStatus.ACKNOWLEDGED

    # 6. It appears in the centre's counts.
    figures = outcome_figures(start=today - timedelta(days=1), end=today)
    assert figures["disseminations"] == 1
    assert figures["disseminations_by_recipient"] == [
        {"name": thames_valley.name, "kind": thames_valley.kind, "count": 1}
    ]
    assert figures["arrests"] == 1
    assert figures["children_safeguarded"] == 2
    assert figures["subjects_identified"] == 1
    assert figures["convictions"] == 0
    assert verify_chain().ok
