"""Staff pages: bad input gets a specific message and keeps what was typed; overdue packages are shown."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from safeguard.dissemination.models import Dissemination, Outcome
from safeguard.dissemination.selectors import outcome_figures


def test_new_package_errors_keep_the_input(analyst_client, make_recipient):
    page = analyst_client.post(
        reverse("dissemination:new"),
        {"recipient": "", "case": "NO-SUCH-CASE", "reports": "SG-ZZZZ-ZZZZ", "summary": "Kept text"},
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "Choose who the package is for" in html
    assert "There is no case NO-SUCH-CASE" in html
    assert "No report with the reference SG-ZZZZ-ZZZZ" in html
    assert "Kept text" in html
    assert not Dissemination.objects.exists()


def test_bad_item_shows_errors_and_keeps_the_text(staff_client, make_package):
    package = make_package("draft")
    client = staff_client(user=package.prepared_by)
    page = client.post(
        reverse("dissemination:add_item", args=[package.reference]),
        {
            "original_text": "Typed intelligence text",
            "source_evaluation": "1",
            "intelligence_assessment": "A",
            "handling_code": "C",
        },
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "write out the conditions" in html
    assert "Typed intelligence text" in html
    assert package.items.count() == 1


def test_refusal_is_explained_on_the_page(staff_client, make_package, make_recipient):
    from safeguard.routing.models import RecipientKind

    package = make_package(
        "draft",
        recipient=make_recipient("NCB Example", kind=RecipientKind.INTERNATIONAL, country="ES"),
        handling_code="C",
        handling_conditions="UK only.",
        no_overseas_sharing=True,
    )
    page = staff_client("analyst").get(reverse("dissemination:detail", args=[package.reference])).content.decode()
    assert "forbid sharing outside the United Kingdom" in page
    approve = staff_client("supervisor").post(reverse("dissemination:approve", args=[package.reference]))
    assert approve.status_code == 400
    assert "cannot be released" in approve.content.decode()


def test_overdue_packages_are_listed(analyst_client, make_package):
    late = make_package("sent")
    Dissemination.objects.filter(pk=late.pk).update(acknowledgement_due=timezone.now() - timedelta(hours=1))
    on_time = make_package("sent")
    page = analyst_client.get(reverse("dissemination:list")).content.decode()
    overdue_table = page.split('id="overdue"')[1].split("</table>")[0]
    assert late.reference in overdue_table
    assert on_time.reference not in overdue_table


def test_force_outcome_form_errors(staff_client, make_staff, make_package):
    package = make_package("sent")
    officer = staff_client(user=make_staff("force_officer", force=package.recipient))
    page = officer.post(
        reverse("force:outcome", args=[package.reference]),
        {
            "kind": "no_further_action",
            "occurred_on-day": "31",
            "occurred_on-month": "2",
            "occurred_on-year": "2026",
            "notes": "Kept note",
        },
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "real date" in html
    assert "Kept note" in html
    assert not Outcome.objects.exists()


def test_staff_record_an_outcome_for_an_overseas_partner(staff_client, make_package):
    package = make_package("sent")
    client = staff_client("analyst")
    today = timezone.localdate()
    response = client.post(
        reverse("dissemination:add_outcome", args=[package.reference]),
        {
            "kind": "conviction",
            "occurred_on-day": today.day,
            "occurred_on-month": today.month,
            "occurred_on-year": today.year,
        },
    )
    assert response.status_code == 302
    assert Outcome.objects.get().recorded_by == client.user


def test_outcome_figures_count_by_date_window(make_package, make_staff):
    from safeguard.dissemination import services

    package = make_package("sent")
    officer = make_staff("force_officer", force=package.recipient)
    services.record_outcome(actor=officer, package=package, kind="network_disrupted", occurred_on=timezone.localdate())
    services.record_outcome(
        actor=officer,
        package=package,
        kind="no_further_action",
        occurred_on=timezone.localdate(),
        reason="Insufficient evidence",
    )
    this_year = outcome_figures(start=date(timezone.localdate().year, 1, 1), end=timezone.localdate())
    assert this_year["networks_disrupted"] == 1
    assert this_year["disseminations"] == 1
    last_year = outcome_figures(start=date(2000, 1, 1), end=date(2000, 12, 31))
    assert last_year["networks_disrupted"] == 0 and last_year["disseminations"] == 0


def test_leave_an_identifier_out(staff_client, make_package):
    package = make_package("draft")
    package.identifiers = [
        {"kind": "username", "platform": "", "value": "keep_me"},
        {"kind": "email", "platform": "", "value": "drop@example.invalid"},
    ]
    package.save()
    client = staff_client(user=package.prepared_by)
    assert (
        "drop@example.invalid" in client.get(reverse("dissemination:detail", args=[package.reference])).content.decode()
    )
    response = client.post(reverse("dissemination:remove_identifier", args=[package.reference, 1]))
    assert response.status_code == 302
    package.refresh_from_db()
    assert package.identifiers == [{"kind": "username", "platform": "", "value": "keep_me"}]
    stale = client.post(reverse("dissemination:remove_identifier", args=[package.reference, 5]))
    assert stale.status_code == 400
    assert "out of date" in stale.content.decode()


def test_new_package_form_prefills_from_the_case_link(analyst_client):
    page = analyst_client.get(reverse("dissemination:new") + "?case=CASE-REF-1")
    assert 'value="CASE-REF-1"' in page.content.decode()
