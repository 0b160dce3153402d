"""Writes for Remove it: a request and its codes, more codes, withdrawal, and the threat report with consent.

Every function is one transaction with its audit entry. The codes themselves go to evidence's self-reported list
(hash_list.py), which takes a call's codes all or nothing: a refusal rolls the request back too, so nothing is
stored on bad input. Audit entries count codes, never copy them: the codes are the young person's personal data.
"""

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from safeguard.audit.services import Action, Actor, record
from safeguard.reporting import entry_context
from safeguard.reporting.models import Category, ReporterRole, Source
from safeguard.reporting.services import create_report

from . import hash_list
from .models import RemovalRequest
from .references import new_reference, new_secret, normalise_reference, normalise_secret

logger = logging.getLogger(__name__)

ACTOR = Actor(label="young person (Remove it)")
MAX_ITEMS_PER_CALL = 50  # the list's own limit per call (evidence.self_reported, `too_many`)
REFERENCE_ATTEMPTS = 5

# Wrong reference or secret: the same words whichever was wrong, so a guess tells nothing.
WRONG_DETAILS_MESSAGE = "The reference or secret code is not right. Check them and try again"
# After this many wrong secrets for one reference in an hour, that reference refuses sign-in for the hour, from
# any address (the per-address limit is the views' SAFEGUARD_REMOVE_IT_RATE). 60 random bits need no more.
MAX_WRONG_SECRETS_PER_REFERENCE = 10
WRONG_SECRET_WINDOW_SECONDS = 3600


class RemovalError(Exception):
    """A request we cannot do, with words for the young person. `code` is for tests and logs."""

    def __init__(self, code: str, message: str, *, index: int | None = None):
        super().__init__(message)
        self.code = code
        self.index = index


def withdrawn_message(removal: RemovalRequest) -> str:
    when = timezone.localtime(removal.withdrawn_at).strftime("%-d %B %Y") if removal.withdrawn_at else ""
    return (
        f"You took these codes back{' on ' + when if when else ''}, so we cannot add more to this reference. "
        "That is fine: you can start again with new codes whenever you want."
    )


@dataclass(frozen=True)
class Submitted:
    removal: RemovalRequest
    secret: str  # shown once; "" when this was a replay of a form already sent
    replayed: bool = False


def hash_secret(secret: str) -> str:
    """Keyed hash of a secret code (as reporting keeps a report's follow-up secret, with its own key)."""
    key = hashlib.sha256(b"safeguard.remove-it-secret:" + settings.SECRET_KEY.encode()).digest()
    return "hmac-sha256$" + hmac.new(key, normalise_secret(secret).encode(), hashlib.sha256).hexdigest()


def token_hash(form_token: str) -> str | None:
    return hashlib.sha256(form_token.encode()).hexdigest() if form_token else None


def _refuse_empty(items: list[dict]) -> None:
    if not items:
        raise RemovalError("no_items", "Choose at least one picture or video")
    if len(items) > MAX_ITEMS_PER_CALL:
        raise RemovalError(
            "too_many",
            f"You can send up to {MAX_ITEMS_PER_CALL} pictures or videos at a time. Send the first "
            f"{MAX_ITEMS_PER_CALL}, then add the rest from your pictures page",
        )


def _add(removal: RemovalRequest, items: list[dict]) -> int:
    try:
        added = hash_list.add_hashes(request_ref=removal.reference, items=items)
    except hash_list.ListRefused as refused:
        raise RemovalError(refused.code, str(refused), index=refused.index) from refused
    RemovalRequest.objects.filter(pk=removal.pk).update(item_count=removal.item_count + added)
    removal.item_count += added
    return added


def _kinds(items: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        kind = str(item.get("kind", "")) if isinstance(item, dict) else ""
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def submit(*, items: list[dict], threatened: bool, form_token: str = "") -> Submitted:
    """A new request with its first codes, or (the same form token again) the request that form made already."""
    existing = _replayed(form_token)
    if existing is not None:
        return Submitted(removal=existing, secret="", replayed=True)
    _refuse_empty(items)
    secret = new_secret()
    try:
        with transaction.atomic():
            removal = _new_request(secret=secret, threatened=threatened, form_token=form_token)
            added = _add(removal, items)
            record(
                action=Action.COLLECTION,
                actor=ACTOR,
                obj=removal,
                detail={"remove_it": "submitted", "codes": added, "kinds": _kinds(items), "threatened": threatened},
            )
    except IntegrityError:
        # The same form sent twice at the same moment: the other request won the token. Show that one.
        existing = _replayed(form_token)
        if existing is None:
            raise
        return Submitted(removal=existing, secret="", replayed=True)
    return Submitted(removal=removal, secret=secret)


def _replayed(form_token: str) -> RemovalRequest | None:
    digest = token_hash(form_token)
    return RemovalRequest.objects.filter(submission_token_hash=digest).first() if digest else None


def _new_request(*, secret: str, threatened: bool, form_token: str) -> RemovalRequest:
    for attempt in range(REFERENCE_ATTEMPTS):
        reference = new_reference()
        if RemovalRequest.objects.filter(reference=reference).exists():
            continue
        try:
            with transaction.atomic():
                return RemovalRequest.objects.create(
                    reference=reference,
                    secret_hash=hash_secret(secret),
                    submission_token_hash=token_hash(form_token),
                    threatened=threatened,
                )
        except IntegrityError:
            if attempt == REFERENCE_ATTEMPTS - 1 or _replayed(form_token) is not None:
                raise
    raise RuntimeError("Could not find a free Remove it reference")  # pragma: no cover - 32^8 references


def _wrong_key(reference: str) -> str:
    return "removal:wrong-secret:" + hashlib.sha256(reference.encode()).hexdigest()[:32]


def check(*, reference: str, secret: str) -> RemovalRequest | None:
    """The request this reference and secret open, or None. The secret's hash is always worked out and compared in
    constant time, found or not; a reference that has had too many wrong secrets refuses for a while."""
    normalised = normalise_reference(reference)
    presented = hash_secret(secret)
    removal = RemovalRequest.objects.filter(reference=normalised).first() if normalised else None
    stored = removal.secret_hash if removal is not None else hash_secret("not-a-secret")
    matches = hmac.compare_digest(presented, stored)
    key = _wrong_key(normalised or "-")
    if cache.get(key, 0) >= MAX_WRONG_SECRETS_PER_REFERENCE:
        return None
    if removal is None or not matches:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, WRONG_SECRET_WINDOW_SECONDS)
        return None
    with transaction.atomic():
        record(action=Action.CONSULTATION, actor=ACTOR, obj=removal, detail={"remove_it": "signed_in"})
    return removal


def _authorised(reference: str, secret: str) -> RemovalRequest:
    removal = check(reference=reference, secret=secret)
    if removal is None:
        raise RemovalError("wrong_details", WRONG_DETAILS_MESSAGE)
    return removal


def add_more(*, reference: str, secret: str, items: list[dict]) -> int:
    return add_more_to(removal=_authorised(reference, secret), items=items)


def add_more_to(*, removal: RemovalRequest, items: list[dict]) -> int:
    """More codes on a request the session is signed in to; how many were added. Withdrawn requests refuse."""
    _refuse_empty(items)
    with transaction.atomic():
        removal = RemovalRequest.objects.select_for_update().get(pk=removal.pk)
        if removal.withdrawn:
            raise RemovalError("withdrawn", withdrawn_message(removal))
        added = _add(removal, items)
        record(
            action=Action.COLLECTION,
            actor=ACTOR,
            obj=removal,
            detail={"remove_it": "added", "codes": added, "kinds": _kinds(items)},
        )
    return added


def withdraw(*, reference: str, secret: str) -> int:
    return withdraw_request(removal=_authorised(reference, secret))


def withdraw_request(*, removal: RemovalRequest) -> int:
    """Take every code of the request back: off the list, and so out of every partner's feed. Doing it again
    changes nothing. How many codes were taken back."""
    with transaction.atomic():
        removal = RemovalRequest.objects.select_for_update().get(pk=removal.pk)
        if removal.withdrawn:
            return 0
        taken_back = hash_list.withdraw(request_ref=removal.reference)
        removal.withdrawn_at = timezone.now()
        removal.save(update_fields=["withdrawn_at", "updated_at"])
        record(
            action=Action.ALTERATION,
            actor=ACTOR,
            obj=removal,
            detail={"remove_it": "withdrawn", "codes": taken_back},
        )
    return taken_back


# --- someone is threatening them: a report through reporting's one intake, with their consent -------------------


@dataclass(frozen=True)
class ThreatReport:
    reference: str
    secret: str
    priority: int


def report_threat(
    *,
    consent: bool,
    danger_now: str,
    platform_name: str = "",
    subject_identifiers: str = "",
    account: str = "",
    age: int | None = None,
    removal: RemovalRequest | None = None,
) -> ThreatReport:
    """With the young person's consent, a report to the team through `reporting.services.create_report` (intake's
    one pipeline): a threat to share their pictures, so triage scores it P2, or P1 if they are in danger now."""
    if not consent:
        raise RemovalError("no_consent", "Tick the box to say we can send this to our team")
    if danger_now not in ("yes", "no", "not_sure"):
        raise RemovalError("no_danger_answer", "Select yes, no or not sure")
    details: dict = {
        "public_web": {
            "danger_now_answer": danger_now,
            "child_age": age,
            "child_age_answer": "given" if age is not None else "rather_not_say",
        },
        entry_context.CONCERNS_KEY: [entry_context.THREAT_TO_SHARE_OWN_IMAGES],
    }
    if removal is not None:
        details["remove_it"] = {"reference": removal.reference}
    fields = {
        "reporter_role": ReporterRole.YOUNG_PERSON,
        "child_in_danger_now": danger_now == "yes",
        "categories": [Category.THREATENED_TO_SHARE],
        "platform_name": platform_name,
        "subject_identifiers": subject_identifiers,
        "account": account,
        "incident_date": timezone.localdate(),
        "details": details,
    }
    new = create_report(
        actor=Actor(label="member of the public (young person under 18, from Remove it)"),
        source=Source.PUBLIC_WEB,
        fields=fields,
        audit_detail={"remove_it": "threat_reported", "consent": True},
    )
    return ThreatReport(reference=new.report.reference, secret=new.follow_up_secret, priority=new.report.priority)


def last_removed_words(when: datetime | None) -> str:
    return timezone.localtime(when).strftime("%-d %B %Y") if when else ""
