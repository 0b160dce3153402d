"""Industry partners, their API keys, and the reports they open through the API.

A partner report (`PartnerReport`) is the partner's working copy: opened, files attached, then
finished, which creates the centre's `Report`. Unfinished ones expire (see services.expire_unfinished).
"""

import secrets
import uuid

from django.db import models


class PartnerStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"


class Scope(models.TextChoices):
    SUBMIT = "reports:submit", "Submit reports"
    EVIDENCE = "evidence:upload", "Upload evidence"
    STATUS = "reports:status", "Read status of own reports"
    # The self-reported hash list (issue 22, ADR 0106): granted only when asked for (see DEFAULT_SCOPES).
    HASHES_FETCH = "hashes:fetch", "Fetch the self-reported hash list"
    HASHES_REPORT = "hashes:report", "Report matches on the self-reported hash list"


# What a new key gets when no scope is named: the reporting scopes. The hash-list scopes disclose a young
# person's self-reported hashes to the partner, so they are granted only by name (`--scope hashes:fetch`),
# and keys made before them never gain them.
DEFAULT_SCOPES = (Scope.SUBMIT, Scope.EVIDENCE, Scope.STATUS)


def new_button_secret() -> str:
    return secrets.token_urlsafe(32)


class Partner(models.Model):
    name = models.CharField(max_length=200, unique=True)
    # Appears in signed button context so the centre knows whose secret to check.
    slug = models.SlugField(max_length=50, unique=True)
    platforms = models.JSONField(default=list, blank=True)  # e.g. ["ChatterBox for Android"]
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, choices=PartnerStatus.choices, default=PartnerStatus.ACTIVE)

    requests_per_minute = models.PositiveIntegerField(default=600)
    daily_quota = models.PositiveIntegerField(default=100_000)  # reports per UTC day

    # HMAC key for Report Abuse button context. Rotating it invalidates buttons signed before.
    button_secret = models.CharField(max_length=100, default=new_button_secret)
    button_secret_rotated_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == PartnerStatus.ACTIVE


class ApiKey(models.Model):
    """A named credential. Only `prefix` (for lookup) and SHA-256 of the secret are stored.

    The secret has 256 bits of entropy, so a fast hash is enough: nothing to brute-force, and a
    password hasher would cost more CPU per request than the rest of the request (ADR 0010).
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_sha256 = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partner", "name"]
        constraints = [models.UniqueConstraint(fields=["partner", "name"], name="partner_key_name_unique")]

    def __str__(self) -> str:
        return f"{self.partner.slug}/{self.name} (sgk_{self.prefix}_…)"


class PartnerReportState(models.TextChoices):
    OPEN = "open", "Open"
    FINISHED = "finished", "Finished"
    RETRACTED = "retracted", "Retracted"
    EXPIRED = "expired", "Expired"


class PartnerReport(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="reports")
    state = models.CharField(max_length=20, choices=PartnerReportState.choices, default=PartnerReportState.OPEN)
    payload = models.JSONField(default=dict)  # cleared when retracted or expired
    report = models.OneToOneField(
        "reporting.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="partner_report"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "expires_at"], name="partner_report_expiry")]

    def __str__(self) -> str:
        return f"{self.partner.slug}:{self.public_id} ({self.state})"


class PartnerFile(models.Model):
    """Evidence uploaded against an open partner report; joins the centre's report on finish."""

    partner_report = models.ForeignKey(PartnerReport, on_delete=models.CASCADE, related_name="files")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    stored_name = models.CharField(max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    details = models.JSONField(default=dict, blank=True)  # the tipline's per-file fileDetails
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.original_name} ({self.partner_report.public_id})"


class IdempotencyRecord(models.Model):
    """What we answered to (partner, Idempotency-Key), so a retry gets the same answer."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "key"], name="idempotency_key_unique")]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.key}"


class RateCounter(models.Model):
    """Requests per partner per window, incremented with one upsert (see limits.py)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    bucket = models.CharField(max_length=32)  # "m:<epoch minute>" or "d:<YYYY-MM-DD>"
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "bucket"], name="rate_counter_unique")]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.bucket}: {self.count}"


def one_or_none(queryset):
    """The single row a unique lookup matches, or None. Unlike .first(), adds no ORDER BY, so the
    database uses the unique index instead of walking the primary key (it matters on the hot path)."""
    rows = list(queryset.order_by()[:2])  # also drops Meta.ordering (ApiKey's would join Partner)
    return rows[0] if rows else None
