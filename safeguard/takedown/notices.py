"""Notices to hosts until the material is removed, escalation when they are ignored, replies and re-checks.

The schedule (settings, hours after the first notice): re-notices at SAFEGUARD_TAKEDOWN_RENOTICE_HOURS (24 and 72),
then escalation to the host country's hotline or police partner (routing's recipient directory) at
SAFEGUARD_TAKEDOWN_ESCALATE_HOURS (120). `send_due_notices` runs every few minutes: everything due for one provider
goes in one message, so no host is noticed twice in a run. A host's reply is recorded by staff (or the partner
webhook's reply); a re-check by the pluggable checker can confirm a removal. Every notice is a disclosure in the
audit log naming its recipient.
"""

from __future__ import annotations

import json
import secrets
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from safeguard.accounts.roles import Capability, check_capability
from safeguard.audit.services import Action, Actor, PendingEntry, record, record_many
from safeguard.reporting.references import ALPHABET
from safeguard.routing.services import RecipientSuggester

from .hosting import locate_host
from .models import (
    HostingProvider,
    HostLocation,
    HostReply,
    Notice,
    NoticeItem,
    NoticeStage,
    ReportedUrl,
    UrlState,
)
from .services import TakedownError

DEFAULT_RENOTICE_HOURS = (24, 72)
DEFAULT_ESCALATE_HOURS = 120
WEBHOOK_TIMEOUT_S = 10


def renotice_hours() -> tuple[int, ...]:
    return tuple(getattr(settings, "SAFEGUARD_TAKEDOWN_RENOTICE_HOURS", DEFAULT_RENOTICE_HOURS))


def escalate_hours() -> int:
    return int(getattr(settings, "SAFEGUARD_TAKEDOWN_ESCALATE_HOURS", DEFAULT_ESCALATE_HOURS))


def _next_due(item: ReportedUrl) -> datetime | None:
    """After the n-th notice: the next re-notice, then the escalation, then nothing."""
    assert item.first_noticed_at is not None  # only noticed items have a schedule
    steps = [*renotice_hours(), escalate_hours()]
    index = item.notices_sent - 1  # notices_sent counts the first notice and re-notices
    if index < len(steps):
        return item.first_noticed_at + timedelta(hours=steps[index])
    return None


def new_notice_reference() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"NT-{chars[:4]}-{chars[4:]}"


# --- where it is hosted -------------------------------------------------------------------------------------------


def locate(*, reported_url: ReportedUrl) -> HostLocation:
    """Look up the host now (resolver, network data, provider registry) and keep the answer."""
    found = locate_host(reported_url.host, reported_url.host_kind)
    return HostLocation.objects.create(
        reported_url=reported_url,
        ip=found.ip,
        network_name=found.network.name if found.network else "",
        network_cidr=found.network.cidr if found.network else "",
        country=found.country,
        provider=found.provider,
        basis=found.basis[:200],
        located_at=timezone.now(),
    )


def latest_location(reported_url: ReportedUrl) -> HostLocation | None:
    return reported_url.locations.order_by("-located_at", "-pk").first()


# --- sending ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    provider: HostingProvider | None
    recipient_label: str
    channel: str  # email or webhook
    sent_to: str
    items: list[tuple[ReportedUrl, str]]  # (item, stage)


def _notice_text(reference: str, outgoing: Outgoing) -> str:
    lines = [
        f"Notice {reference} from the Safeguard online child protection centre.",
        "",
        "The addresses below, on your service, were assessed by our analysts as showing the sexual abuse of",
        "children. Please remove them and reply quoting this reference. We will check them again.",
        "",
    ]
    for item, stage in outgoing.items:
        if stage == NoticeStage.NOTICE:
            lines.append(f"- {item.url}  (first notice)")
        else:
            first = f"{item.first_noticed_at:%d %b %Y %H:%M} UTC"
            lines.append(f"- {item.url}  (re-notice {item.notices_sent}, first noticed {first})")
    lines += ["", "This notice does not contain or link to the material itself beyond the addresses above."]
    return "\n".join(lines)


def _escalation_text(reference: str, outgoing: Outgoing) -> str:
    lines = [
        f"Escalation {reference} from the Safeguard online child protection centre.",
        "",
        "We noticed the hosts of the addresses below and they have not been removed. The hosts are in your",
        "country; we would be grateful for your help in having them taken down.",
        "",
    ]
    lines += [f"- {item.url}  (first noticed {item.first_noticed_at:%d %b %Y %H:%M} UTC)" for item, _ in outgoing.items]
    return "\n".join(lines)


def post_json(url: str, body: dict) -> None:
    """The default webhook sender: a JSON POST (no redirects followed, 10 s timeout)."""
    request = urllib.request.Request(  # noqa: S310 - a partner's configured https/http webhook
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as answer:  # noqa: S310
        if answer.status >= 300:
            raise OSError(f"webhook answered {answer.status}")


def _webhook_sender():
    return import_string(getattr(settings, "SAFEGUARD_TAKEDOWN_WEBHOOK_SENDER", "safeguard.takedown.notices.post_json"))


@dataclass
class SendResult:
    notices: int = 0
    items: int = 0
    escalations: int = 0
    not_located: int = 0  # due, but no provider with a contact is known: shown on the queue
    unescalated: int = 0  # due for escalation, but no partner for the host's country is in the directory


def _due_items(now: datetime) -> list[ReportedUrl]:
    fresh = ReportedUrl.objects.filter(state=UrlState.TO_NOTICE)
    again = ReportedUrl.objects.filter(state=UrlState.NOTICED, next_notice_due_at__lte=now)
    return list((fresh | again).order_by("pk").select_for_update())


def _plan(items: list[ReportedUrl], result: SendResult) -> list[Outgoing]:
    """Group what is due by recipient: one message per provider, one per escalation partner."""
    by_provider: dict[int, list[tuple[ReportedUrl, str]]] = defaultdict(list)
    providers: dict[int, HostingProvider] = {}
    by_country: dict[str, list[ReportedUrl]] = defaultdict(list)
    for item in items:
        location = latest_location(item) if item.state == UrlState.NOTICED else None
        if item.state == UrlState.TO_NOTICE or location is None:
            location = locate(reported_url=item)
        if item.state == UrlState.NOTICED and item.notices_sent > len(renotice_hours()):
            by_country[location.country].append(item)
            continue
        provider = location.provider
        if provider is None or not (provider.abuse_email or provider.webhook_url):
            result.not_located += 1
            continue
        providers[provider.pk] = provider
        by_provider[provider.pk].append((item, NoticeStage.NOTICE if item.notices_sent == 0 else NoticeStage.RENOTICE))
    plans = []
    for pk, due in by_provider.items():
        provider = providers[pk]
        channel, to = ("webhook", provider.webhook_url) if provider.webhook_url else ("email", provider.abuse_email)
        plans.append(Outgoing(provider, provider.name, channel, to, due))
    suggester = RecipientSuggester(preload_postcodes=False) if by_country else None
    for country, due in by_country.items():
        partner = suggester.for_country(country) if suggester and country else None
        if partner is None or not partner.secure_contact:
            for item in due:  # nobody to escalate to: the queue shows it for an analyst to follow up
                item.escalated_at, item.escalated_to, item.next_notice_due_at = timezone.now(), "", None
                item.save(update_fields=["escalated_at", "escalated_to", "next_notice_due_at"])
            result.unescalated += len(due)
            continue
        plans.append(
            Outgoing(None, partner.name, "email", partner.secure_contact, [(i, NoticeStage.ESCALATION) for i in due])
        )
    return plans


def _deliver(outgoing: Outgoing, reference: str, connection) -> tuple[EmailMessage | None, str]:
    """Webhooks go now (failure recorded, retried next run); emails are returned to send together."""
    if outgoing.channel == "webhook":
        body = {
            "reference": reference,
            "addresses": [{"url": item.url, "stage": stage} for item, stage in outgoing.items],
        }
        try:
            _webhook_sender()(outgoing.sent_to, body)
        except OSError as error:
            return None, str(error)[:300]
        return None, ""
    escalation = outgoing.items[0][1] == NoticeStage.ESCALATION
    message = EmailMessage(
        subject=f"{'Escalation' if escalation else 'Takedown notice'} {reference}: {len(outgoing.items)} address(es)",
        body=(_escalation_text if escalation else _notice_text)(reference, outgoing),
        to=[outgoing.sent_to],
        connection=connection,
    )
    return message, ""


@transaction.atomic
def send_due_notices(*, now: datetime | None = None) -> SendResult:
    """Send every notice, re-notice and escalation that is due, one message per recipient."""
    now = now or timezone.now()
    result = SendResult()
    items = _due_items(now)
    plans = _plan(items, result)
    connection = get_connection()
    emails, audit = [], []
    for outgoing in plans:
        reference = new_notice_reference()
        email, failure = _deliver(outgoing, reference, connection)
        if email is not None:
            emails.append(email)
        notice = Notice.objects.create(
            reference=reference,
            provider=outgoing.provider,
            recipient_label=outgoing.recipient_label,
            channel=outgoing.channel,
            sent_to=outgoing.sent_to,
            sent_at=now,
            delivered=not failure,
            failure=failure,
        )
        NoticeItem.objects.bulk_create([NoticeItem(notice=notice, reported_url=i, stage=s) for i, s in outgoing.items])
        if failure:
            continue  # the items stay due: the next run tries again
        for item, stage in outgoing.items:
            if stage == NoticeStage.ESCALATION:
                item.escalated_at, item.escalated_to, item.next_notice_due_at = now, outgoing.recipient_label, None
                result.escalations += 1
            else:
                if item.first_noticed_at is None:
                    item.first_noticed_at = now
                item.notices_sent += 1
                item.state = UrlState.NOTICED
                item.next_notice_due_at = _next_due(item)
        ReportedUrl.objects.bulk_update(
            [i for i, _ in outgoing.items],
            ["state", "first_noticed_at", "notices_sent", "next_notice_due_at", "escalated_at", "escalated_to"],
        )
        result.notices += 1
        result.items += len(outgoing.items)
        audit.append(
            PendingEntry(
                Action.DISCLOSURE,
                Actor.system("takedown notices"),
                notice,
                {"addresses": [i.pk for i, _ in outgoing.items], "stages": sorted({s for _, s in outgoing.items})},
                outgoing.recipient_label,
                "",
            )
        )
    if emails:
        connection.send_messages(emails)
    if audit:
        record_many(audit)
    return result


# --- replies and re-checks ----------------------------------------------------------------------------------------


@transaction.atomic
def record_host_reply(*, user, reported_url_id: int, reply: str, when: datetime | None = None) -> ReportedUrl:
    """What the host said: removed (the clock stops), disputed (no more re-notices; an analyst decides) or not ours
    (located again and noticed afresh)."""
    check_capability(user, Capability.ASSESS_URLS)
    if reply not in HostReply.values:
        raise TakedownError("Choose what the host said: removed, disputed or not hosted by them.", code="bad_reply")
    item = ReportedUrl.objects.select_for_update().filter(pk=reported_url_id).first()
    if item is None:
        raise TakedownError("There is no reported address with that number.", code="not_found")
    if item.state not in (UrlState.NOTICED, UrlState.DISPUTED):
        raise TakedownError("A reply can only be recorded for an address that has been noticed.", code="not_noticed")
    now = when or timezone.now()
    before = item.state
    item.host_reply, item.host_reply_at = reply, now
    if reply == HostReply.REMOVED:
        item.state, item.removed_at, item.removal_confirmed_by = UrlState.REMOVED, now, "host"
        item.next_notice_due_at = None
    elif reply == HostReply.DISPUTED:
        item.state, item.next_notice_due_at = UrlState.DISPUTED, None
    else:
        item.state, item.notices_sent, item.first_noticed_at, item.next_notice_due_at = (
            UrlState.TO_NOTICE,
            0,
            None,
            None,
        )
    item.save()
    record(
        action=Action.ALTERATION,
        actor=Actor.of(user),
        obj=item,
        detail={"host_reply": reply, "state": [before, item.state]},
    )
    return item


class HttpChecker:
    """Is the address still there? A HEAD request (no body read, nothing stored): 404 or 410 means gone.

    `connect_to` maps a host to "ip:port" to connect to instead (as curl's --resolve): the tests point it at a
    stub server on loopback, so no test reaches the internet."""

    def __init__(self, connect_to: dict[str, str] | None = None, timeout: float = 10.0):
        self.connect_to = connect_to or {}
        self.timeout = timeout

    def __call__(self, item: ReportedUrl) -> str:
        import http.client
        from urllib.parse import urlsplit

        parts = urlsplit(item.url)
        target = self.connect_to.get(item.host, f"{item.host}:{parts.port or (443 if parts.scheme == 'https' else 80)}")
        host, _, port = target.rpartition(":")
        kind = (
            http.client.HTTPSConnection
            if parts.scheme == "https" and item.host not in self.connect_to
            else (http.client.HTTPConnection)
        )
        connection = kind(host, int(port), timeout=self.timeout)
        try:
            connection.request(
                "HEAD",
                (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                headers={"Host": item.host, "User-Agent": "Safeguard takedown re-check"},
            )
            status = connection.getresponse().status
        except OSError:
            return "unknown"
        finally:
            connection.close()
        if status in (404, 410):
            return "gone"
        return "present" if status < 400 else "unknown"


def _checker():
    made = getattr(settings, "SAFEGUARD_TAKEDOWN_CHECKER", None)
    return made if callable(made) else HttpChecker()


def recheck_noticed(*, limit: int = 500) -> dict[str, int]:
    """Re-check noticed addresses; a gone one is recorded as removed, confirmed by the checker."""
    check = _checker()
    counts: dict[str, int] = defaultdict(int)
    items = list(ReportedUrl.objects.filter(state=UrlState.NOTICED).order_by("pk")[:limit])
    for item in items:
        outcome = check(item)
        counts[outcome] += 1
        if outcome != "gone":
            continue
        with transaction.atomic():
            now = timezone.now()
            updated = ReportedUrl.objects.filter(pk=item.pk, state=UrlState.NOTICED).update(
                state=UrlState.REMOVED, removed_at=now, removal_confirmed_by="checker", next_notice_due_at=None
            )
            if updated:
                record(
                    action=Action.ALTERATION,
                    actor=Actor.system("takedown re-check"),
                    obj=("takedown.reportedurl", str(item.pk)),
                    detail={"recheck": "gone", "state": [UrlState.NOTICED, UrlState.REMOVED]},
                )
    return dict(counts)
