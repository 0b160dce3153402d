"""Reported web addresses waiting for assessment and takedown (issue 23).

One `ReportedUrl` per canonical address (canonical.py), with every report that cited it (`UrlCitation`). An address
that cannot be taken down (a javascript: link, a private address) is kept as a `RefusedUrl` with the plain reason,
so an analyst reading the report sees why it is not in the queue. Assessments are kept as a history
(`UrlAssessment`): the latest settled one is the item's category.
"""

from django.conf import settings
from django.db import models


class UrlState(models.TextChoices):
    AWAITING = "awaiting", "Awaiting assessment"
    SECOND_OPINION = "second_opinion", "Awaiting a second opinion"
    TO_NOTICE = "to_notice", "To be noticed to the host"
    NOT_ACTIONABLE = "not_actionable", "No takedown"


class Category(models.TextChoices):
    """What an assessor found at the address (UK categories A, B and C for indecent images of children)."""

    CATEGORY_A = "category_a", "Criminal: category A"
    CATEGORY_B = "category_b", "Criminal: category B"
    CATEGORY_C = "category_c", "Criminal: category C"
    PROHIBITED = "prohibited", "Criminal: prohibited (non-photographic) image"
    HARMFUL_LAWFUL = "harmful_lawful", "Harmful but lawful"
    NOT_FOUND = "not_found", "Nothing found at the address"
    NOT_ACTIONABLE = "not_actionable", "Not actionable"


CRIMINAL = frozenset({Category.CATEGORY_A, Category.CATEGORY_B, Category.CATEGORY_C, Category.PROHIBITED})


class CitationSource(models.TextChoices):
    PUBLIC = "public", "Public report"
    PARTNER = "partner", "Industry partner report"
    REFERRAL = "referral", "International referral"
    STAFF = "staff", "Added by staff"


class ReportedUrl(models.Model):
    key_digest = models.CharField(max_length=64, unique=True)  # sha256 of the de-duplication key: a fixed-size index
    key = models.TextField()
    url = models.TextField()  # as notices quote it
    host = models.CharField(max_length=255, db_index=True)  # ASCII (punycode) or an IP address
    host_unicode = models.CharField(max_length=255)
    host_kind = models.CharField(max_length=10)  # domain, ipv4, ipv6
    warnings = models.JSONField(default=list, blank=True)  # [{"code": ..., "message": ...}]
    state = models.CharField(max_length=20, choices=UrlState.choices, default=UrlState.AWAITING, db_index=True)
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    first_cited_at = models.DateTimeField()
    last_cited_at = models.DateTimeField()
    citation_count = models.PositiveIntegerField(default=0)
    assessed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "first_cited_at"], name="takedown_url_queue")]

    def __str__(self) -> str:
        return self.url

    @property
    def business_rules(self):
        """The rules services.assess checks, in order (business_rules.py)."""
        from .business_rules import KnownCategory, ReasonGiven, SecondOpinionFromSomeoneElse

        return (KnownCategory, ReasonGiven, SecondOpinionFromSomeoneElse)


class UrlCitation(models.Model):
    """One report (or staff entry) that cited the address, with the text as it was written."""

    reported_url = models.ForeignKey(ReportedUrl, on_delete=models.CASCADE, related_name="citations")
    source = models.CharField(max_length=10, choices=CitationSource.choices)
    source_ref = models.CharField(max_length=64)  # the report's reference, or "staff:<username>"
    # The report that cited it: disposing of the report (retention) takes its citations with it.
    report = models.ForeignKey("reporting.Report", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    raw = models.TextField()
    cited_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reported_url", "source_ref"], name="takedown_one_cite_per_ref")]

    def __str__(self) -> str:
        return f"{self.source_ref} cited {self.reported_url_id}"


class RefusedUrl(models.Model):
    """An address in a report that cannot be taken down, and why (shown beside the report, never queued)."""

    source = models.CharField(max_length=10, choices=CitationSource.choices)
    source_ref = models.CharField(max_length=64)
    report = models.ForeignKey("reporting.Report", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    raw = models.TextField()
    code = models.CharField(max_length=20)
    message = models.CharField(max_length=300)
    refused_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["source_ref"], name="takedown_refused_ref")]

    def __str__(self) -> str:
        return f"{self.source_ref}: {self.code}"


class UrlAssessment(models.Model):
    reported_url = models.ForeignKey(ReportedUrl, on_delete=models.CASCADE, related_name="assessments")
    category = models.CharField(max_length=20, choices=Category.choices)
    reason = models.TextField(max_length=2000)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField()
    second_opinion_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="second_opinions"
    )

    class Meta:
        ordering = ["assessed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.assessed_at:%Y-%m-%d})"


class CollectionCheckpoint(models.Model):
    """How far the collector has read the reported identifiers (one row)."""

    last_identifier_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"after identifier {self.last_identifier_id}"
