"""Email alerts: double opt-in subscriptions, one-click unsubscribe and the fan-out of a new posting.

Double opt-in without storing the pending request: the confirmation link carries the address and the
choice, signed and expiring, so nothing is kept for an address until its owner clicks. Unsubscribe links
carry the subscription id, signed, and never expire (RFC 8058 one-click).

No address is mailed twice for one posting: each (posting, subscription) pair has one AlertDelivery row
(unique), and a batch sends only the rows it moved from pending to sending itself.
"""

import logging
import smtplib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import make_msgid, sanitize_address
from django.core.mail.utils import DNS_NAME
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from safeguard.audit.services import Action, Actor, record

from .models import AlertDelivery, DeliveryStatus, Subscription, WantedPerson, WantedStatus

logger = logging.getLogger(__name__)

CONFIRM_SALT = "safeguard.wanted.subscribe"
UNSUBSCRIBE_SALT = "safeguard.wanted.unsubscribe"
CONFIRM_MAX_AGE = 3 * 24 * 60 * 60  # a confirmation link works for 3 days
BATCH_SIZE = 500  # emails per task, all over one SMTP connection
MAX_ATTEMPTS = 3
RETRY_PAUSES = (2.0, 10.0)  # seconds between in-task retries of a batch whose SMTP connection failed


def public_base_url() -> str:
    return getattr(settings, "SAFEGUARD_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


def from_address() -> str:
    return getattr(settings, "SAFEGUARD_WANTED_FROM_EMAIL", settings.DEFAULT_FROM_EMAIL)


def normalise_email(address: str) -> str:
    """Trimmed and lowercased. Local parts may in theory be case-sensitive, but no real mailbox provider
    treats them so, and one mailbox must not be subscribed (and mailed) twice as "Ann@" and "ann@"."""
    return address.strip().lower()


# --- subscribing ---------------------------------------------------------------------------------


def confirmation_token(*, email: str, area: str) -> str:
    return signing.dumps({"e": email, "a": area}, salt=CONFIRM_SALT, compress=True)


class InvalidLink(ValueError):
    pass


def read_confirmation_token(token: str) -> tuple[str, str]:
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired as error:
        raise InvalidLink("This confirmation link has expired. Sign up again to get a new one.") from error
    except signing.BadSignature as error:
        raise InvalidLink("This confirmation link is not valid. Check you copied all of it.") from error
    return data["e"], data["a"]


def send_confirmation_email(*, email: str, area: str) -> None:
    """Sent straight away (one message): queuing it would keep the address in the task table."""
    email = normalise_email(email)
    link = public_base_url() + reverse("wanted:confirm", args=[confirmation_token(email=email, area=area)])
    choice = f"new postings in the {area} police force area" if area else "every new posting"
    body = (
        "Someone asked for Most Wanted email alerts to be sent to this address.\n\n"
        f"You chose: {choice}.\n\n"
        f"To start getting alerts, open this link within 3 days:\n{link}\n\n"
        "If you did not ask for this, ignore this email: we will not email you again and we have not "
        "kept your address.\n"
    )
    EmailMessage("Confirm your Most Wanted alerts", body, from_address(), [email]).send()


def confirm_subscription(token: str) -> Subscription:
    email, area = read_confirmation_token(token)
    with transaction.atomic():
        subscription, created = Subscription.objects.update_or_create(
            email=email, defaults={"area": area, "confirmed_at": timezone.now()}
        )
        record(
            action=Action.COLLECTION if created else Action.ALTERATION,
            actor=Actor(label="alert subscriber"),
            obj=subscription,
            detail={"area": area or "all"},
        )
    return subscription


def unsubscribe_token(subscription_id: int) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(subscription_id))


def unsubscribe_url(subscription_id: int) -> str:
    return public_base_url() + reverse("wanted:unsubscribe", args=[unsubscribe_token(subscription_id)])


def read_unsubscribe_token(token: str) -> int:
    try:
        return int(signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token))
    except (signing.BadSignature, ValueError) as error:
        raise InvalidLink("This unsubscribe link is not valid. Check you copied all of it.") from error


def unsubscribe(token: str) -> bool:
    """Delete the subscription (the address is not kept). True if there was one; repeating is harmless."""
    subscription_id = read_unsubscribe_token(token)
    with transaction.atomic():
        deleted, _ = Subscription.objects.filter(pk=subscription_id).delete()
        if deleted:
            # Erasure is logged with metadata only: the address itself is gone.
            record(
                action=Action.ERASURE,
                actor=Actor(label="alert subscriber"),
                obj=("wanted.subscription", str(subscription_id)),
            )
    return bool(deleted)


# --- fan-out -------------------------------------------------------------------------------------


def create_deliveries(person: WantedPerson) -> int:
    """One pending delivery per matching subscriber, in a single INSERT ... SELECT.

    ON CONFLICT DO NOTHING (SQLite and PostgreSQL) makes a rerun add only new subscribers.
    """
    delivery = AlertDelivery._meta.db_table
    subscription = Subscription._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {delivery} (person_id, subscription_id, status, attempts) "  # noqa: S608 (table names only)
            f"SELECT %s, id, %s, 0 FROM {subscription} WHERE area = '' OR area = %s "
            "ON CONFLICT (person_id, subscription_id) DO NOTHING",
            [person.pk, DeliveryStatus.PENDING, person.area],
        )
        return max(cursor.rowcount, 0)


def pending_batches(person_id: int, *, batch_size: int = BATCH_SIZE) -> list[tuple[int, int]]:
    """Delivery id ranges of about batch_size pending rows each, read with one query."""
    ids = AlertDelivery.objects.filter(person_id=person_id, status=DeliveryStatus.PENDING).order_by("id")
    ids = list(ids.values_list("id", flat=True))
    return [(chunk[0], chunk[-1]) for chunk in (ids[i : i + batch_size] for i in range(0, len(ids), batch_size))]


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    subscription_id: int
    email: str


def claim(person_id: int, first_id: int, last_id: int) -> list[Claimed]:
    """Move this range's pending rows to sending and return them. Only the claimer sends them."""
    with transaction.atomic():
        rows = AlertDelivery.objects.filter(
            person_id=person_id, id__gte=first_id, id__lte=last_id, status=DeliveryStatus.PENDING
        )
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        claimed = [Claimed(*row) for row in rows.values_list("id", "subscription_id", "subscription__email")]
        for chunk in _chunks([c.delivery_id for c in claimed], 900):
            AlertDelivery.objects.filter(id__in=chunk, status=DeliveryStatus.PENDING).update(
                status=DeliveryStatus.SENDING
            )
    return claimed


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


class _PrebuiltBytes:
    """Stands in for the MIME object: the SMTP backend only asks it for its bytes."""

    def __init__(self, data: bytes):
        self.data = data

    def as_bytes(self, linesep: str = "\n") -> bytes:
        return self.data


class PrebuiltAlert(EmailMessage):
    """An alert whose wire form was made from the batch's template (see AlertComposer).

    Subject, body and headers are still set as usual, so any backend (the test outbox included) sees
    an ordinary message; the SMTP backend sends the prebuilt bytes.
    """

    raw: bytes | None = None

    def message(self, *args, **kwargs):
        if self.raw is None:
            return super().message(*args, **kwargs)
        return _PrebuiltBytes(self.raw)


_RCPT, _LINK, _MSGID = "rcpt@placeholder.invalid", "https://placeholder.invalid/unsubscribe", "placeholder-msgid"


class AlertComposer:
    """Builds one posting's alert emails: the body is shared, only the address and unsubscribe link differ.

    Building a MIME message costs about a millisecond; a fan-out of a million needs far less. So the
    message is built once with placeholders, checked, and each email is the template with three
    substitutions. Anything the template cannot carry safely (a non-ASCII address) is built in full.
    """

    def __init__(self, person: WantedPerson):
        page = public_base_url() + reverse("wanted:person", args=[person.public_id])
        self.subject = f"Most Wanted: {person.full_name}"
        self.body = (
            f"{person.full_name} has been added to the Most Wanted list.\n\n"
            f"Last known area: {person.last_known_area} ({person.area}).\n"
            f"Why they are wanted: {person.offences}\n\n"
            f"See their description and report a sighting: {page}\n\n"
            "Do not approach them. If you see them now, call 999.\n\n"
        )
        self.sender = from_address()
        self.envelope_sender = sanitize_address(self.sender, settings.DEFAULT_CHARSET)
        self.signer = signing.Signer(salt=UNSUBSCRIBE_SALT)
        self.link_prefix = public_base_url() + reverse("wanted:unsubscribe", args=["0"])[:-2]
        self.msgid_prefix = make_msgid().strip("<>").split("@")[0]
        self.msgid_domain = DNS_NAME.get_fqdn()
        self.template = self._template()

    def link(self, subscription_id: int) -> str:
        return f"{self.link_prefix}{self.signer.sign(str(subscription_id))}/"

    def _build(self, email: str, link: str, msgid: str, smtp) -> PrebuiltAlert:
        return PrebuiltAlert(
            self.subject,
            f"{self.body}Stop these emails: {link}\n",
            self.sender,
            [email],
            connection=smtp,
            headers={
                "List-Unsubscribe": f"<{link}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Message-ID": f"<{msgid}>",
            },
        )

    def _template(self) -> bytes | None:
        data = self._build(_RCPT, _LINK, _MSGID, None).message().as_bytes(linesep="\r\n")
        expected = {_RCPT.encode(): 1, _LINK.encode(): 2, _MSGID.encode(): 1}
        if any(data.count(token) != count for token, count in expected.items()):
            return None  # folded or encoded somewhere: build every message in full instead
        return data

    def send(self, claimed: Claimed, smtp) -> None:
        """Over Django's SMTP backend a templated email goes straight to the open connection as bytes: no
        EmailMessage object is made (its address parsing alone cost ~0.35 ms an email), the sender is
        sanitised once per batch and the address was validated when it subscribed."""
        if isinstance(smtp, SMTPBackend) and smtp.connection is not None:
            raw = self.raw(claimed)
            if raw is not None:
                smtp.connection.sendmail(self.envelope_sender, [claimed.email], raw)
                return
        self.message(claimed, smtp).send()

    def _link_and_msgid(self, claimed: Claimed) -> tuple[str, str]:
        link = self.link(claimed.subscription_id)
        return link, f"{self.msgid_prefix}.{claimed.delivery_id}@{self.msgid_domain}"

    def raw(self, claimed: Claimed) -> bytes | None:
        """The email's wire form from the template, or None where the template cannot carry it safely."""
        if self.template is None or not claimed.email.isascii() or "\n" in claimed.email:
            return None
        link, msgid = self._link_and_msgid(claimed)
        return (
            self.template.replace(_RCPT.encode(), claimed.email.encode())
            .replace(_LINK.encode(), link.encode())
            .replace(_MSGID.encode(), msgid.encode())
        )

    def message(self, claimed: Claimed, smtp) -> EmailMessage:
        link, msgid = self._link_and_msgid(claimed)
        email = self._build(claimed.email, link, msgid, smtp)
        email.raw = self.raw(claimed)
        return email


def send_batch(person_id: int, first_id: int, last_id: int, *, pauses=RETRY_PAUSES) -> dict:
    """Send one claimed batch over one SMTP connection, retrying the connection a few times.

    A message the server refuses for its recipient fails alone; a lost connection is retried with what
    was not yet sent. Rows that were sent are marked as sent as soon as the batch ends, whatever happens.
    """
    person = WantedPerson.objects.defer("photo_png").filter(pk=person_id, status=WantedStatus.PUBLISHED).first()
    if person is None:  # located or withdrawn before the alert went: do not send it
        AlertDelivery.objects.filter(
            person_id=person_id, id__gte=first_id, id__lte=last_id, status=DeliveryStatus.PENDING
        ).update(status=DeliveryStatus.FAILED)
        return {"sent": 0, "failed": 0, "skipped": "not published"}
    todo = claim(person_id, first_id, last_id)
    composer = AlertComposer(person)
    sent: list[int] = []
    refused: list[int] = []
    attempt = 0
    while todo:
        attempt += 1
        try:
            with get_connection() as smtp:
                while todo:
                    item = todo[0]
                    try:
                        composer.send(item, smtp)
                    except smtplib.SMTPRecipientsRefused:
                        refused.append(item.delivery_id)
                    else:
                        sent.append(item.delivery_id)
                    todo.pop(0)
        except (smtplib.SMTPException, OSError):
            logger.warning("Alert batch %s-%s: SMTP failed (attempt %s)", first_id, last_id, attempt, exc_info=True)
            if attempt >= MAX_ATTEMPTS:
                break
            time.sleep(pauses[min(attempt - 1, len(pauses) - 1)])
    _finish(sent=sent, refused=refused, unsent=[c.delivery_id for c in todo])
    return {"sent": len(sent), "failed": len(refused) + len(todo)}


def _finish(*, sent: list[int], refused: list[int], unsent: list[int]) -> None:
    now = timezone.now()
    with transaction.atomic():
        for chunk in _chunks(sent, 900):
            AlertDelivery.objects.filter(id__in=chunk).update(status=DeliveryStatus.SENT, sent_at=now, attempts=1)
        for chunk in _chunks(refused + unsent, 900):
            AlertDelivery.objects.filter(id__in=chunk).update(status=DeliveryStatus.FAILED, attempts=MAX_ATTEMPTS)


def record_fan_out(person: WantedPerson, *, created: int, batches: int) -> None:
    record(
        action=Action.DISCLOSURE,
        actor=Actor.system("wanted alerts"),
        obj=person,
        recipient="email alert subscribers",
        detail={"new_deliveries": created, "batches": batches},
    )
