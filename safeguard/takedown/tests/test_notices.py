"""Notices to hosts on a schedule (a frozen clock), escalation when ignored, replies, webhooks and re-checks."""

import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core import mail

from safeguard.audit.models import AuditEntry
from safeguard.audit.services import Actor
from safeguard.routing.models import Recipient
from safeguard.takedown import notices
from safeguard.takedown.models import HostingProvider, Notice, ReportedUrl, UrlState
from safeguard.takedown.notices import HttpChecker, recheck_noticed, record_host_reply, send_due_notices
from safeguard.takedown.services import Citation, TakedownError, assess, cite_urls

pytestmark = pytest.mark.django_db
START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def hosts(settings):
    settings.SAFEGUARD_TAKEDOWN_RESOLVER = "safeguard.takedown.hosting.table_resolver"
    settings.SAFEGUARD_TAKEDOWN_HOSTS = {
        "files.example": ["203.0.113.5"],
        "pics.example": ["203.0.113.9"],
        "chatterbox.example": ["198.51.100.7"],
    }
    settings.SAFEGUARD_TAKEDOWN_RENOTICE_HOURS = [24, 72]
    settings.SAFEGUARD_TAKEDOWN_ESCALATE_HOURS = 120


@pytest.fixture
def provider():
    return HostingProvider.objects.create(
        name="Example Files BV",
        country="NL",
        abuse_email="abuse@files.example",
        domains=["files.example", "pics.example"],
    )


@pytest.fixture
def hotline():
    """The Netherlands' default recipient in the directory (the seeded one, with a secure contact)."""
    found = Recipient.objects.filter(country="NL", country_default=True, is_active=True).first()
    if found is None:
        found = Recipient.objects.create(
            code="nl-hotline",
            name="Netherlands hotline (fictional)",
            kind="international",
            country="NL",
            country_default=True,
        )
    found.secure_contact = "reports@hotline-nl.example"
    found.save()
    return found


def to_notice(make_staff, *urls) -> list[ReportedUrl]:
    analyst = make_staff("analyst")
    result = cite_urls(
        citations=[Citation(source="public", source_ref=f"SG-AAAA-{n:04d}", raw=u) for n, u in enumerate(urls)],
        actor=Actor.system("test"),
    )
    for item in result.items:
        assess(user=analyst, reported_url_id=item.pk, category="category_a", reason="Assessed in the viewer.")
    return [ReportedUrl.objects.get(pk=i.pk) for i in result.items]


def test_one_notice_per_host_carrying_all_its_addresses(make_staff, provider):
    to_notice(make_staff, "https://files.example/a", "https://pics.example/b", "https://files.example/c")
    with time_machine.travel(START, tick=False):
        result = send_due_notices()
    assert (result.notices, result.items) == (1, 3)
    (email,) = mail.outbox
    assert email.to == ["abuse@files.example"]
    assert "https://files.example/a" in email.body and "https://pics.example/b" in email.body
    notice = Notice.objects.get()
    assert notice.reference in email.subject
    assert set(ReportedUrl.objects.values_list("state", flat=True)) == {UrlState.NOTICED}
    entry = AuditEntry.objects.filter(action="disclosure").get()
    assert entry.recipient == "Example Files BV"


def test_nothing_is_sent_twice_in_a_run_or_before_it_is_due(make_staff, provider):
    to_notice(make_staff, "https://files.example/a")
    with time_machine.travel(START, tick=False):
        send_due_notices()
        assert send_due_notices().notices == 0
    with time_machine.travel(START + timedelta(hours=23, minutes=59), tick=False):
        assert send_due_notices().notices == 0
    assert len(mail.outbox) == 1


def test_the_schedule_renotices_at_24_and_72_hours_then_escalates_at_120(make_staff, provider, hotline):
    (item,) = to_notice(make_staff, "https://files.example/a")
    sent = []
    for hours in (0, 24, 48, 72, 119, 120, 500):
        with time_machine.travel(START + timedelta(hours=hours), tick=False):
            result = send_due_notices()
            sent.append((hours, result.notices, result.escalations))
    assert sent == [(0, 1, 0), (24, 1, 0), (48, 0, 0), (72, 1, 0), (119, 0, 0), (120, 1, 1), (500, 0, 0)]
    item.refresh_from_db()
    assert item.notices_sent == 3
    assert item.escalated_to == hotline.name
    assert mail.outbox[-1].to == ["reports@hotline-nl.example"]
    assert "Escalation" in mail.outbox[-1].subject
    assert item.state == UrlState.NOTICED  # still up: the re-checks carry on


def test_escalation_with_no_partner_for_the_country_is_flagged_for_an_analyst(make_staff, provider):
    provider.country = "AQ"  # no partner in the directory for Antarctica
    provider.save()
    (item,) = to_notice(make_staff, "https://files.example/a")
    for hours in (0, 24, 72, 120):
        with time_machine.travel(START + timedelta(hours=hours), tick=False):
            result = send_due_notices()
    assert result.unescalated == 1
    item.refresh_from_db()
    assert item.escalated_at is not None and item.escalated_to == ""


def test_an_address_with_no_known_host_waits_and_is_counted(make_staff):
    to_notice(make_staff, "https://unknown-host.example/a")
    result = send_due_notices()
    assert (result.notices, result.not_located) == (0, 1)
    assert ReportedUrl.objects.get().state == UrlState.TO_NOTICE


def test_the_host_says_removed_and_the_clock_stops(make_staff, provider):
    (item,) = to_notice(make_staff, "https://files.example/a")
    with time_machine.travel(START, tick=False):
        send_due_notices()
    analyst = make_staff("analyst")
    with time_machine.travel(START + timedelta(hours=30), tick=False):
        record_host_reply(user=analyst, reported_url_id=item.pk, reply="removed")
    item.refresh_from_db()
    assert item.state == UrlState.REMOVED
    assert item.removed_at - item.first_noticed_at == timedelta(hours=30)
    with time_machine.travel(START + timedelta(hours=80), tick=False):
        assert send_due_notices().notices == 0


def test_disputed_stops_renotices_and_not_ours_notices_afresh(make_staff, provider):
    first, second = to_notice(make_staff, "https://files.example/a", "https://files.example/b")
    send_due_notices()
    analyst = make_staff("analyst")
    record_host_reply(user=analyst, reported_url_id=first.pk, reply="disputed")
    record_host_reply(user=analyst, reported_url_id=second.pk, reply="not_ours")
    assert ReportedUrl.objects.get(pk=first.pk).state == UrlState.DISPUTED
    assert ReportedUrl.objects.get(pk=second.pk).state == UrlState.TO_NOTICE


def test_replies_are_checked(make_staff, provider):
    (item,) = to_notice(make_staff, "https://files.example/a")
    analyst = make_staff("analyst")
    with pytest.raises(TakedownError) as refused:
        record_host_reply(user=analyst, reported_url_id=item.pk, reply="removed")
    assert refused.value.code == "not_noticed"
    send_due_notices()
    with pytest.raises(TakedownError) as refused:
        record_host_reply(user=analyst, reported_url_id=item.pk, reply="gone away")
    assert refused.value.code == "bad_reply"


def test_a_partner_platform_gets_a_webhook_and_a_failure_is_retried(make_staff, settings):
    HostingProvider.objects.create(
        name="ChatterBox (fictional partner)",
        webhook_url="https://hooks.chatterbox.example/takedown",
        domains=["chatterbox.example"],
    )
    calls, fail = [], [True]

    def sender(url, body):
        calls.append((url, body))
        if fail[0]:
            raise OSError("connection refused")

    settings.SAFEGUARD_TAKEDOWN_WEBHOOK_SENDER = "safeguard.takedown.tests.test_notices.SENDER"
    globals()["SENDER"] = sender
    to_notice(make_staff, "https://chatterbox.example/u/7")
    assert send_due_notices().notices == 0
    assert Notice.objects.get().delivered is False
    assert ReportedUrl.objects.get().state == UrlState.TO_NOTICE
    fail[0] = False
    assert send_due_notices().notices == 1
    assert calls[-1][1]["addresses"] == [{"url": "https://chatterbox.example/u/7", "stage": "notice"}]
    assert not mail.outbox


class _Stub(BaseHTTPRequestHandler):
    def do_HEAD(self):
        self.send_response(404 if self.path.startswith("/gone") else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def stub_host():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_recheck_against_a_stub_host_on_loopback_confirms_removal(make_staff, provider, settings, stub_host):
    gone, still_there = to_notice(make_staff, "http://files.example/gone/1", "http://files.example/here/2")
    send_due_notices()
    settings.SAFEGUARD_TAKEDOWN_CHECKER = HttpChecker(connect_to={"files.example": stub_host})
    assert recheck_noticed() == {"gone": 1, "present": 1}
    gone.refresh_from_db()
    assert (gone.state, gone.removal_confirmed_by) == (UrlState.REMOVED, "checker")
    assert ReportedUrl.objects.get(pk=still_there.pk).state == UrlState.NOTICED


def test_only_roles_that_assess_record_replies(make_staff, provider):
    (item,) = to_notice(make_staff, "https://files.example/a")
    send_due_notices()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        record_host_reply(user=make_staff("force_officer"), reported_url_id=item.pk, reply="removed")


def test_schedule_steps_come_from_settings(settings):
    settings.SAFEGUARD_TAKEDOWN_RENOTICE_HOURS = [12]
    assert notices.renotice_hours() == (12,)
