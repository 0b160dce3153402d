"""Overseas recipients acknowledge by a signed, expiring link, without an account."""

import time_machine
from django.urls import reverse
from django.utils import timezone

from safeguard.dissemination.links import acknowledgement_token
from safeguard.dissemination.models import DisseminationStatus
from safeguard.routing.models import RecipientKind


def _international(make_package, make_recipient):
    return make_package(
        "sent", recipient=make_recipient("NCB Testland", kind=RecipientKind.INTERNATIONAL, country="NL")
    )


def test_acknowledge_by_signed_link(client, make_package, make_recipient):
    package = _international(make_package, make_recipient)
    url = reverse("dissemination_public:acknowledge", args=[acknowledgement_token(package)])
    page = client.get(url)
    assert page.status_code == 200
    assert package.reference in page.content.decode()
    assert "moderator" not in page.content.decode()  # the link shows no intelligence
    bad = client.post(url, {"name": "  "})
    assert bad.status_code == 400
    assert "Enter your name" in bad.content.decode()
    done = client.post(url, {"name": "Inspector Test Example, NCB Testland"})
    assert done.status_code == 200
    assert "Receipt acknowledged" in done.content.decode()
    package.refresh_from_db()
    assert package.status == DisseminationStatus.ACKNOWLEDGED
    assert "Inspector Test Example" in package.acknowledged_by_label


def test_tampered_link_is_refused(client, make_package, make_recipient):
    package = _international(make_package, make_recipient)
    token = acknowledgement_token(package)
    page = client.get(reverse("dissemination_public:acknowledge", args=[token[:-2] + "xx"]))
    assert page.status_code == 400
    assert "not valid" in page.content.decode()
    package.refresh_from_db()
    assert package.status == DisseminationStatus.SENT


def test_expired_link_is_refused(client, make_package, make_recipient):
    package = _international(make_package, make_recipient)
    token = acknowledgement_token(package)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=30)):
        page = client.post(reverse("dissemination_public:acknowledge", args=[token]), {"name": "Late Officer"})
    assert page.status_code == 400
    assert "expired" in page.content.decode()
    package.refresh_from_db()
    assert package.status == DisseminationStatus.SENT


def test_staff_page_shows_the_link_for_international_recipients(staff_client, make_package, make_recipient):
    package = _international(make_package, make_recipient)
    page = staff_client("analyst").get(reverse("dissemination:detail", args=[package.reference]))
    assert "/acknowledge/" in page.content.decode()
