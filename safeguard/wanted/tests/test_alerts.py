"""Double opt-in, unsubscribe (RFC 8058), rate limits, bad addresses, and no double mailing."""

import re
import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from safeguard.audit.models import Action, AuditEntry
from safeguard.wanted import alerts
from safeguard.wanted.models import AlertDelivery, DeliveryStatus, Subscription
from safeguard.wanted.tasks import fan_out_alerts

pytestmark = pytest.mark.django_db


def sign_up(client, email="reader@example.org", area=""):
    return client.post("/most-wanted/alerts/", {"email": email, "area": area, "website": ""})


def link_in(message) -> str:
    return re.search(r"http://\S+", message.body).group(0).replace("http://127.0.0.1:8000", "")


def subscribe(email, area=""):
    return Subscription.objects.create(email=email, area=area, confirmed_at=timezone.now())


def test_signing_up_sends_a_link_and_stores_nothing_until_it_is_confirmed(client):
    response = sign_up(client, area="Kent")
    assert response.status_code == 302 and response["Location"] == "/most-wanted/alerts/check-your-email/"
    assert Subscription.objects.count() == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["reader@example.org"]
    confirm_url = link_in(mail.outbox[0])
    page = client.get(confirm_url)
    assert page.status_code == 200 and "reader@example.org" in page.content.decode()
    assert Subscription.objects.count() == 0  # opening the link (a mail scanner might) confirms nothing
    assert client.post(confirm_url).status_code == 200
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.area) == ("reader@example.org", "Kent")
    entry = AuditEntry.objects.filter(object_type="wanted.subscription").get()
    assert entry.action == Action.COLLECTION and "reader@example.org" not in str(entry.detail)


def test_a_confirmation_link_expires(client):
    sign_up(client)
    confirm_url = link_in(mail.outbox[0])
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        response = client.post(confirm_url)
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert Subscription.objects.count() == 0


def test_a_tampered_link_is_refused(client):
    token = alerts.confirmation_token(email="reader@example.org", area="")
    assert client.post(f"/most-wanted/alerts/confirm/{token[:-2]}xx/").status_code == 400
    assert client.post("/most-wanted/alerts/unsubscribe/12:forged/").status_code == 400
    assert Subscription.objects.count() == 0


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter your email address"),
        ("reader.example.org", "Enter an email address in the correct format, like name@example.com"),
        ("reader@", "Enter an email address in the correct format, like name@example.com"),
        ("a b@example.org", "Enter an email address in the correct format, like name@example.com"),
    ],
)
def test_malformed_addresses_get_a_clear_error(client, email, message):
    response = sign_up(client, email=email, area="Kent")
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and message in body
    assert 'option value="Kent" selected' in body  # the choice already made is kept
    assert mail.outbox == []


def test_an_unknown_area_is_refused(client):
    body = sign_up(client, area="Atlantis").content.decode()
    assert "Select an area from the list" in body


def test_the_same_address_cannot_be_signed_up_over_and_over(client, settings):
    settings.SAFEGUARD_WANTED_SUBSCRIBE_ADDRESS_RATE = "2/d"
    assert sign_up(client).status_code == 302
    assert sign_up(client).status_code == 302
    refused = sign_up(client, email="READER@EXAMPLE.ORG".lower())
    assert refused.status_code == 429
    assert len(mail.outbox) == 2
    assert sign_up(client, email="someone.else@example.org").status_code == 302


def test_one_address_cannot_sign_up_many(client, settings):
    settings.SAFEGUARD_WANTED_SUBSCRIBE_RATE = "3/h"
    for n in range(3):
        assert sign_up(client, email=f"person{n}@example.org").status_code == 302
    assert sign_up(client, email="person9@example.org").status_code == 429
    assert len(mail.outbox) == 3


def test_bots_filling_the_honeypot_get_no_email(client):
    response = client.post("/most-wanted/alerts/", {"email": "victim@example.org", "website": "spam"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_every_alert_has_one_click_unsubscribe_headers(client, make_published):
    subscription = subscribe("reader@example.org")
    person = make_published()
    message = next(m for m in mail.outbox if m.to == ["reader@example.org"])
    assert person.full_name in message.subject
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http") and header.endswith(">")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header[1:-1].replace("http://127.0.0.1:8000", "")
    assert url in message.body.replace("http://127.0.0.1:8000", "")
    # RFC 8058: the mail client POSTs with no cookies and no CSRF token.
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert not Subscription.objects.filter(pk=subscription.pk).exists()
    assert AuditEntry.objects.filter(action=Action.ERASURE, object_id=str(subscription.pk)).exists()
    assert Client().post(url).status_code == 200  # clicking again is harmless


def test_the_unsubscribe_link_in_a_browser_asks_first(client):
    subscription = subscribe("reader@example.org")
    url = alerts.unsubscribe_url(subscription.pk).replace("http://127.0.0.1:8000", "")
    assert "Stop emails" in client.get(url).content.decode()
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_alerts_go_to_everyone_and_to_the_matching_area_only(make_published):
    subscribe("all@example.org")
    subscribe("kent@example.org", area="Kent")
    subscribe("essex@example.org", area="Essex")
    make_published(area="Kent")
    alerted = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Most Wanted:"))
    assert alerted == ["all@example.org", "kent@example.org"]


def test_running_the_fan_out_again_mails_nobody_twice(make_published):
    for n in range(7):
        subscribe(f"reader{n}@example.org")
    person = make_published()
    first = len(mail.outbox)
    assert first == 7
    fan_out_alerts.call(person.pk)
    fan_out_alerts.call(person.pk)
    assert len(mail.outbox) == 7
    subscribe("late@example.org")
    fan_out_alerts.call(person.pk)  # a rerun picks up only the new subscriber
    assert [m.to for m in mail.outbox[7:]] == [["late@example.org"]]
    assert AlertDelivery.objects.filter(person=person, status=DeliveryStatus.SENT).count() == 8
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == len(set(recipients))


def test_a_batch_retries_a_lost_connection_without_resending(make_published, monkeypatch):
    for n in range(5):
        subscribe(f"reader{n}@example.org")
    person = make_published(area="Essex")
    mail.outbox.clear()
    AlertDelivery.objects.filter(person=person).update(status=DeliveryStatus.PENDING)
    from django.core.mail.backends.locmem import EmailBackend

    real_send = EmailBackend.send_messages
    calls = {"n": 0}

    def flaky(self, messages):
        calls["n"] += 1
        if calls["n"] == 3:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    first, last = alerts.pending_batches(person.pk)[0]
    result = alerts.send_batch(person.pk, first, last, pauses=(0,))
    assert result == {"sent": 5, "failed": 0}
    assert sorted(m.to[0] for m in mail.outbox) == [f"reader{n}@example.org" for n in range(5)]


def test_a_batch_that_keeps_failing_marks_its_rows_failed_and_they_are_not_resent(make_published, monkeypatch):
    subscribe("reader@example.org")
    person = make_published(area="Essex")
    mail.outbox.clear()
    AlertDelivery.objects.filter(person=person).update(status=DeliveryStatus.PENDING)
    from django.core.mail.backends.locmem import EmailBackend

    def down(self, messages):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(EmailBackend, "send_messages", down)
    first, last = alerts.pending_batches(person.pk)[0]
    assert alerts.send_batch(person.pk, first, last, pauses=(0,)) == {"sent": 0, "failed": 1}
    assert AlertDelivery.objects.get(person=person).status == DeliveryStatus.FAILED


def test_a_person_found_before_the_alerts_go_out_is_not_mailed_about(make_published, author):
    from safeguard.wanted import services
    from safeguard.wanted.models import WantedStatus

    subscribe("reader@example.org")
    person = make_published()
    AlertDelivery.objects.filter(person=person).update(status=DeliveryStatus.PENDING)
    services.change_public_status(user=author, person=person, to=WantedStatus.LOCATED)
    mail.outbox.clear()
    first, last = alerts.pending_batches(person.pk)[0]
    alerts.send_batch(person.pk, first, last)
    assert mail.outbox == []


def test_subscription_keeps_only_address_area_and_confirmation():
    assert {f.name for f in Subscription._meta.concrete_fields} == {"id", "email", "area", "confirmed_at"}


def test_alerts_sent_over_real_smtp_are_complete_and_unique(make_published, settings):
    """Through a local SMTP server: each email has its own recipient, link and Message-ID."""
    import email
    import socket

    from aiosmtpd.controller import Controller

    received = []

    class Keep:
        async def handle_DATA(self, server, session, envelope):
            received.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        subs = [subscribe(f"reader{n}@example.org") for n in range(3)]
        person = make_published()
    finally:
        controller.stop()
    assert sorted(r[0][0] for r in received) == [f"reader{n}@example.org" for n in range(3)]
    links = set()
    for (rcpt,), message in received:
        assert message["To"] == rcpt
        assert message["Subject"] == f"Most Wanted: {person.full_name}"
        link = message["List-Unsubscribe"].strip("<>")
        sub = next(s for s in subs if s.email == rcpt)
        assert link == alerts.unsubscribe_url(sub.pk)
        assert link in message.get_payload(decode=True).decode()
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        links.add(link)
    assert len(links) == 3
    assert len({m["Message-ID"] for _, m in received}) == 3


def test_one_mailbox_is_one_subscription_whatever_the_case(client):
    for typed in ("Reader@Example.org", " reader@example.ORG "):
        sign_up(client, email=typed)
        client.post(link_in(mail.outbox[-1]))
    assert list(Subscription.objects.values_list("email", flat=True)) == ["reader@example.org"]
