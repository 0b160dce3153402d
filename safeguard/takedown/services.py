"""Writes for notice and takedown (issue 23): addresses cited by reports join one queue item each; assessments.

Every address in a report reaches `cite_urls`, which makes it canonical (canonical.py) and files it under its item,
creating the item on first sight. The collector (`collect_reported_urls`, run by the scheduler every minute) reads
the web addresses subjects found in reports after its checkpoint, so any report, from any intake route, is covered
once and a crash in between repeats nothing: the checkpoint moves in the same transaction as the citations.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from safeguard.accounts.roles import Capability, check_capability
from safeguard.audit.services import Action, Actor, record
from safeguard.core.business_rules import check_rules
from safeguard.subjects.selectors import reported_urls_after

from .canonical import CanonicalUrl, UrlRefused, canonical_url
from .models import (
    CRIMINAL,
    CitationSource,
    CollectionCheckpoint,
    RefusedUrl,
    ReportedUrl,
    UrlAssessment,
    UrlCitation,
    UrlState,
)

COLLECT_BATCH = 5000
# reporting.models.Source -> where the citation came from
_SOURCES = {
    "public_web": CitationSource.PUBLIC,
    "partner_api": CitationSource.PARTNER,
    "referral": CitationSource.REFERRAL,
}
DEFAULT_SECOND_OPINION_FOR = ("prohibited", "harmful_lawful")


class TakedownError(Exception):
    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Citation:
    source: str  # CitationSource
    source_ref: str
    raw: str
    report_id: int | None = None
    cited_at: datetime | None = None


@dataclass
class CiteResult:
    items: list[ReportedUrl | None] = field(default_factory=list)  # per citation: its item, or None if refused
    refused: list[RefusedUrl] = field(default_factory=list)
    new_items: int = 0


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _built(citation: Citation) -> CanonicalUrl | UrlRefused:
    """The single-item builder: the citation's canonical address, or why it cannot be one."""
    try:
        return canonical_url(citation.raw)
    except UrlRefused as refused:
        return refused


def cite_url(*, citation: Citation, actor: Actor) -> CiteResult:
    """One address, through the same path as a batch."""
    return cite_urls(citations=[citation], actor=actor)


@transaction.atomic
def cite_urls(*, citations: list[Citation], actor: Actor) -> CiteResult:
    """File each citation under its address's item (made on first sight); keep refusals with their reason.
    Citing an address again from the same report changes nothing. One collection entry in the audit log."""
    now = timezone.now()
    built = [_built(c) for c in citations]
    fresh: dict[str, ReportedUrl] = {}
    for citation, found in zip(citations, built, strict=True):
        if isinstance(found, CanonicalUrl):
            digest = key_digest(found.key)
            when = citation.cited_at or now
            if digest not in fresh:
                fresh[digest] = ReportedUrl(
                    key_digest=digest,
                    key=found.key,
                    url=found.url,
                    host=found.host,
                    host_unicode=found.host_unicode,
                    host_kind=found.host_kind,
                    warnings=[{"code": w.code, "message": w.message} for w in found.warnings],
                    first_cited_at=when,
                    last_cited_at=when,
                )
    existing_before = set(ReportedUrl.objects.filter(key_digest__in=fresh).values_list("key_digest", flat=True))
    ReportedUrl.objects.bulk_create(
        [item for d, item in fresh.items() if d not in existing_before], ignore_conflicts=True
    )
    by_digest = {item.key_digest: item for item in ReportedUrl.objects.filter(key_digest__in=fresh)}

    result = CiteResult(new_items=len(set(by_digest) - existing_before))
    rows, refused = [], []
    for citation, found in zip(citations, built, strict=True):
        if isinstance(found, UrlRefused):
            refused.append(
                RefusedUrl(
                    source=citation.source,
                    source_ref=citation.source_ref,
                    report_id=citation.report_id,
                    raw=citation.raw[:2000],
                    code=found.code,
                    message=found.message[:300],
                    refused_at=now,
                )
            )
            result.items.append(None)
            continue
        item = by_digest[key_digest(found.key)]
        result.items.append(item)
        rows.append(
            UrlCitation(
                reported_url=item,
                source=citation.source,
                source_ref=citation.source_ref,
                report_id=citation.report_id,
                raw=citation.raw[:2000],
                cited_at=citation.cited_at or now,
            )
        )
    UrlCitation.objects.bulk_create(rows, ignore_conflicts=True)
    result.refused = RefusedUrl.objects.bulk_create(refused)
    _recount({item.pk for item in by_digest.values()})
    if citations:
        record(
            action=Action.COLLECTION,
            actor=actor,
            obj=("takedown.reportedurl", "citations"),
            detail={
                "cited": [
                    {"ref": c.source_ref, "reported_url": i.pk}
                    for c, i in zip(citations, result.items, strict=True)
                    if i
                ],
                "refused": [{"ref": r.source_ref, "code": r.code} for r in refused],
            },
        )
    return result


def _recount(item_ids: set[int]) -> None:
    """Citation count and first/last cited, from the citations themselves (so a repeat never double-counts)."""
    if not item_ids:
        return
    figures = (
        UrlCitation.objects.filter(reported_url_id__in=item_ids)
        .values("reported_url_id")
        .annotate(n=Count("pk"), first=Min("cited_at"), last=Max("cited_at"))
    )
    items = {item.pk: item for item in ReportedUrl.objects.filter(pk__in=item_ids)}
    for row in figures:
        item = items[row["reported_url_id"]]
        item.citation_count, item.first_cited_at, item.last_cited_at = row["n"], row["first"], row["last"]
    ReportedUrl.objects.bulk_update(items.values(), ["citation_count", "first_cited_at", "last_cited_at"])


def collect_reported_urls(*, limit: int = COLLECT_BATCH) -> int:
    """Cite the web addresses found in reports since the checkpoint, at most `limit`; return how many were read.
    The checkpoint row is locked, so two collectors never read the same rows."""
    with transaction.atomic():
        checkpoint, _ = CollectionCheckpoint.objects.select_for_update().get_or_create(pk=1)
        found = reported_urls_after(after_id=checkpoint.last_identifier_id, limit=limit)
        if not found:
            return 0
        cite_urls(
            citations=[
                Citation(
                    source=_SOURCES.get(row.report_source, CitationSource.PUBLIC),
                    source_ref=row.report_reference,
                    raw=row.raw,
                    report_id=row.report_id,
                    cited_at=row.reported_at,
                )
                for row in found
            ],
            actor=Actor.system("takedown collector"),
        )
        checkpoint.last_identifier_id = found[-1].identifier_id
        checkpoint.save(update_fields=["last_identifier_id", "updated_at"])
    return len(found)


def add_url_by_staff(*, user, raw: str) -> ReportedUrl:
    """An address a member of staff found themselves. A refused one is an error they can act on."""
    check_capability(user, Capability.ASSESS_URLS)
    found = _built(Citation(source=CitationSource.STAFF, source_ref="", raw=raw))
    if isinstance(found, UrlRefused):
        raise TakedownError(found.message, code=found.code)
    result = cite_url(
        citation=Citation(source=CitationSource.STAFF, source_ref=f"staff:{user.username}"[:64], raw=raw),
        actor=Actor.of(user),
    )
    item = result.items[0]
    assert item is not None  # canonicalised above
    return item


def second_opinion_categories() -> frozenset[str]:
    return frozenset(getattr(settings, "SAFEGUARD_TAKEDOWN_SECOND_OPINION_FOR", DEFAULT_SECOND_OPINION_FOR))


def _settled_state(category: str) -> str:
    return UrlState.TO_NOTICE if category in CRIMINAL else UrlState.NOT_ACTIONABLE


@transaction.atomic
def assess(*, user, reported_url_id: int, category: str, reason: str) -> UrlAssessment:
    """Record what the assessor found. Where the centre's policy asks for it (SAFEGUARD_TAKEDOWN_SECOND_OPINION_FOR),
    the first assessment waits for a second opinion from someone else, whose category then stands."""
    check_capability(user, Capability.ASSESS_URLS)
    item = ReportedUrl.objects.select_for_update().filter(pk=reported_url_id).first()
    if item is None:
        raise TakedownError("There is no reported address with that number.", code="not_found")
    first = item.assessments.filter(second_opinion_of=None).order_by("-assessed_at", "-pk").first()
    check_rules(
        item.business_rules, reported_url=item, user=user, category=category, reason=reason, first_assessment=first
    )
    now = timezone.now()
    giving_second_opinion = item.state == UrlState.SECOND_OPINION
    assessment = UrlAssessment.objects.create(
        reported_url=item,
        category=category,
        reason=reason.strip(),
        assessed_by=user,
        assessed_at=now,
        second_opinion_of=first if giving_second_opinion else None,
    )
    before = item.state
    if not giving_second_opinion and category in second_opinion_categories():
        item.state, item.category = UrlState.SECOND_OPINION, ""
    else:
        item.state, item.category = _settled_state(category), category
    item.assessed_at = now
    item.save(update_fields=["state", "category", "assessed_at"])
    record(
        action=Action.ALTERATION,
        actor=Actor.of(user),
        obj=item,
        detail={
            "assessment": assessment.pk,
            "category": category,
            "state": [before, item.state],
            "second_opinion_of": first.pk if giving_second_opinion and first else None,
        },
    )
    return assessment
