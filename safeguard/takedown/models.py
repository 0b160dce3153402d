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
    NOTICED = "noticed", "Noticed, waiting for removal"
    DISPUTED = "disputed", "Disputed by the host"
    REMOVED = "removed", "Removed"
    NOT_ACTIONABLE = "not_actionable", "No takedown"


class HostReply(models.TextChoices):
    REMOVED = "removed", "Removed"
    DISPUTED = "disputed", "Disputed"
    NOT_OURS = "not_ours", "Not hosted by them"


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
    # Notices (services.send_due_notices): the schedule is kept per address, so one notice can carry several.
    first_noticed_at = models.DateTimeField(null=True, blank=True)
    notices_sent = models.PositiveSmallIntegerField(default=0)
    next_notice_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.CharField(max_length=200, blank=True)
    host_reply = models.CharField(max_length=20, choices=HostReply.choices, blank=True)
    host_reply_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removal_confirmed_by = models.CharField(max_length=100, blank=True)  # "host", "checker", "staff:<username>"

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


class HostingProvider(models.Model):
    """Who to send a notice to: a hosting provider or platform and its abuse contact (imported, or typed in).

    A reported address is matched to a provider by its host name (the provider's `domains`, longest suffix wins)
    or, failing that, by the name of the network its IP address is in (`network_names`, from the offline
    IP-to-network data)."""

    name = models.CharField(max_length=200, unique=True)
    country = models.CharField(max_length=2, blank=True)  # ISO 3166-1 alpha-2
    abuse_email = models.EmailField(blank=True)
    webhook_url = models.URLField(blank=True)  # a partner platform already known to the centre
    domains = models.JSONField(default=list, blank=True)  # ["files.example", ...]
    network_names = models.JSONField(default=list, blank=True)  # ["EXAMPLE-HOSTING", ...], upper case
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HostLocation(models.Model):
    """Where a reported address was found to be hosted, when (one per look-up; the latest counts)."""

    reported_url = models.ForeignKey(ReportedUrl, on_delete=models.CASCADE, related_name="locations")
    ip = models.GenericIPAddressField(null=True, blank=True)
    network_name = models.CharField(max_length=200, blank=True)
    network_cidr = models.CharField(max_length=50, blank=True)
    country = models.CharField(max_length=2, blank=True)
    provider = models.ForeignKey(HostingProvider, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    basis = models.CharField(max_length=200)  # how the provider was found, in words
    located_at = models.DateTimeField()

    class Meta:
        ordering = ["-located_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.reported_url_id} at {self.ip or '?'}"


class NoticeStage(models.TextChoices):
    NOTICE = "notice", "Notice"
    RENOTICE = "renotice", "Re-notice"
    ESCALATION = "escalation", "Escalation"


class Notice(models.Model):
    """One message to one host (or, on escalation, to the host country's hotline or police partner)."""

    reference = models.CharField(max_length=20, unique=True)  # NT-XXXX-XXXX
    provider = models.ForeignKey(HostingProvider, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recipient_label = models.CharField(max_length=200)  # the provider's or the partner's name
    channel = models.CharField(max_length=10)  # email, webhook
    sent_to = models.CharField(max_length=300)
    sent_at = models.DateTimeField(db_index=True)
    delivered = models.BooleanField(default=True)
    failure = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return self.reference


class NoticeItem(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="items")
    reported_url = models.ForeignKey(ReportedUrl, on_delete=models.CASCADE, related_name="notice_items")
    stage = models.CharField(max_length=20, choices=NoticeStage.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "reported_url"], name="takedown_notice_item_once")]

    def __str__(self) -> str:
        return f"{self.notice_id}: {self.reported_url_id} ({self.stage})"
