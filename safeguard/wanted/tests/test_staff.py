"""Staff pages: capabilities, the two-person rule through the web, and the annual-review measures."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from safeguard.wanted import selectors, services
from safeguard.wanted.models import WantedPerson, WantedStatus

from .conftest import FIELDS

pytestmark = pytest.mark.django_db

FORM = {**FIELDS, "date_missing": "2026-01-05"}


def test_an_investigator_drafts_and_a_supervisor_publishes(staff_client):
    investigator = staff_client("investigator")
    response = investigator.post("/staff/wanted/new/", FORM)
    assert response.status_code == 302
    person = WantedPerson.objects.get()
    assert investigator.post(f"/staff/wanted/{person.pk}/action/", {"action": "submit"}).status_code == 302
    # The author has no approve capability, and a supervisor who wrote it may not approve either.
    assert investigator.post(f"/staff/wanted/{person.pk}/action/", {"action": "approve"}).status_code == 403
    supervisor = staff_client("supervisor")
    page = supervisor.get(f"/staff/wanted/{person.pk}/").content.decode()
    assert "Approve and publish" in page
    assert supervisor.post(f"/staff/wanted/{person.pk}/action/", {"action": "approve"}).status_code == 302
    person.refresh_from_db()
    assert person.status == WantedStatus.PUBLISHED


def test_a_supervisor_cannot_approve_their_own_record_through_the_page(staff_client):
    supervisor = staff_client("supervisor")
    supervisor.post("/staff/wanted/new/", FORM)
    person = WantedPerson.objects.get()
    supervisor.post(f"/staff/wanted/{person.pk}/action/", {"action": "submit"})
    page = supervisor.get(f"/staff/wanted/{person.pk}/").content.decode()
    assert "Approve and publish" not in page and "cannot approve a record you wrote" in page
    response = supervisor.post(f"/staff/wanted/{person.pk}/action/", {"action": "approve"})
    assert response.status_code == 400 and "second person" in response.content.decode()


def test_the_form_says_what_is_wrong(staff_client):
    response = staff_client("investigator").post("/staff/wanted/new/", {**FORM, "full_name": "", "date_missing": "x"})
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert "Enter a real date" in body
    assert WantedPerson.objects.count() == 0


def test_analysts_and_administrators_cannot_see_the_pages(analyst_client, admin_client):
    assert analyst_client.get("/staff/wanted/").status_code == 403
    assert admin_client.get("/staff/wanted/").status_code == 403


def test_staff_pages_need_both_factors(password_only_client):
    response = password_only_client("supervisor").get("/staff/wanted/")
    assert response.status_code in (302, 403)


def test_measures_for_the_annual_review(make_published, author, staff_client):
    start = timezone.now()
    people = [make_published(full_name=f"Person Number{n}") for n in range(8)]
    for days, person, status in [
        (10, people[0], WantedStatus.ARRESTED),
        (20, people[1], WantedStatus.LOCATED),
        (30, people[2], WantedStatus.ARRESTED),
        (40, people[3], WantedStatus.ARRESTED),
        (50, people[4], WantedStatus.ARRESTED),
    ]:
        with time_machine.travel(start + timedelta(days=days)):
            services.change_public_status(user=author, person=person, to=status)
    m = selectors.measures()
    assert (m.posted, m.located, m.arrested, m.still_wanted) == (8, 5, 4, 3)
    assert m.median_days_to_location == pytest.approx(30, abs=0.1)
    page = staff_client("supervisor").get("/staff/wanted/measures/").content.decode()
    assert "30.0 days" in page


def test_staff_pages_render(staff_client, published):
    supervisor = staff_client("supervisor")
    for url in (
        "/staff/wanted/",
        "/staff/wanted/?status=published",
        "/staff/wanted/new/",
        f"/staff/wanted/{published.pk}/",
    ):
        response = supervisor.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"]
    assert published.full_name in supervisor.get("/staff/wanted/").content.decode()


def test_public_pages_do_not_vary_by_visitor(client, published):
    response = client.get("/most-wanted/")
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies
