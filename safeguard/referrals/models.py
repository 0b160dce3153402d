"""Bulk referral imports: a partner agency's file of lines of enquiry, processed in chunks with a durable checkpoint."""

from django.conf import settings
from django.db import models


class ImportFormat(models.TextChoices):
    XML = "xml", "Tipline XML report bundle"
    CSV = "csv", "CSV (documented header, or mapped columns)"
    JSONL = "jsonl", "JSON Lines (partner API report shape)"


class ImportState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    CANCELLED = "cancelled", "Cancelled"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Stopped by a file error"


FINISHED_STATES = (ImportState.CANCELLED, ImportState.COMPLETED, ImportState.FAILED)


class ReferralImport(models.Model):
    partner = models.CharField(max_length=200)  # the partner agency that sent the file, as staff name it
    format = models.CharField(max_length=10, choices=ImportFormat.choices)
    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=500)  # in the "evidence" storage: never under a public URL
    size = models.PositiveBigIntegerField(default=0)
    # CSV only: the file's column name -> a documented column name, or "" to ignore the column.
    column_mapping = models.JSONField(default=dict, blank=True)

    state = models.CharField(max_length=12, choices=ImportState.choices, default=ImportState.QUEUED)
    # Set by staff while a chunk runs; the worker honours it between chunks (so a chunk is never half-done).
    requested_state = models.CharField(max_length=12, blank=True)
    # Durable checkpoint: every record numbered <= this is committed (with its reports, errors and audit).
    checkpoint = models.PositiveBigIntegerField(default=0)
    bytes_read = models.PositiveBigIntegerField(default=0)
    records_read = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    linked = models.PositiveIntegerField(default=0)  # accepted lines whose identifiers matched a known subject
    deconfliction_notices = models.PositiveIntegerField(default=0)
    seconds_running = models.FloatField(default=0)  # summed over runs, for the lines-per-second figure
    fatal_error = models.CharField(max_length=1000, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # last committed chunk: tells a dead worker
    allocated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Referral import {self.pk} from {self.partner}"

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def lines_per_second(self) -> float:
        return self.records_read / self.seconds_running if self.seconds_running else 0.0

    @property
    def seconds_left(self) -> float | None:
        """Estimated from bytes read so far: records are not counted up front (the file is streamed)."""
        if not self.bytes_read or not self.seconds_running or self.is_finished:
            return None
        rate = self.bytes_read / self.seconds_running
        return max(self.size - self.bytes_read, 0) / rate if rate else None

    @property
    def percent(self) -> int:
        if self.state == ImportState.COMPLETED:
            return 100
        return min(int(self.bytes_read * 100 / self.size), 99) if self.size else 0


class LineOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DUPLICATE_IN_FILE = "duplicate_in_file", "Duplicate of an earlier line in this file"
    DUPLICATE_EXISTING = "duplicate_existing", "Duplicate of a report already held"


class ReferralLine(models.Model):
    """One valid record of an import: the report it became, or the report it duplicates."""

    # No index of its own: the unique (referral_import, line_no) index below starts with it and serves every lookup
    # by import (and the cascade when an import is deleted); a second one only cost a write per line (ADR 0076).
    referral_import = models.ForeignKey(ReferralImport, on_delete=models.CASCADE, related_name="lines", db_index=False)
    line_no = models.PositiveIntegerField()  # line in the file (CSV, JSON Lines) or <report> number (XML)
    content_hash = models.CharField(max_length=32)  # blake2b-128 of the canonical record: de-duplication key
    outcome = models.CharField(max_length=20, choices=LineOutcome.choices)
    report = models.ForeignKey("reporting.Report", null=True, on_delete=models.SET_NULL, related_name="+")
    priority = models.PositiveSmallIntegerField(default=4)
    score = models.FloatField(default=0)
    subject_id = models.PositiveBigIntegerField(null=True)
    matched_subject = models.BooleanField(default=False)  # the subject was known before this line
    suggested_recipient = models.ForeignKey("routing.Recipient", null=True, on_delete=models.SET_NULL, related_name="+")
    recipient_basis = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["referral_import", "line_no"]
        constraints = [
            # Idempotent resume: a line is processed once per import, whatever crashes in between.
            models.UniqueConstraint(fields=["referral_import", "line_no"], name="referral_line_once"),
        ]
        indexes = [models.Index(fields=["content_hash"], name="referral_line_hash")]

    def __str__(self) -> str:
        return f"line {self.line_no} of import {self.referral_import_id}"


class ReferralError(models.Model):
    """Why one line (or element) was not accepted: line, field, reason. Downloadable as CSV."""

    referral_import = models.ForeignKey(ReferralImport, on_delete=models.CASCADE, related_name="errors")
    line_no = models.PositiveIntegerField()
    element = models.CharField(max_length=100, blank=True)  # e.g. "report 12" for XML
    field = models.CharField(max_length=300, blank=True)
    reason = models.CharField(max_length=1000)

    class Meta:
        ordering = ["referral_import", "line_no", "pk"]

    def __str__(self) -> str:
        return f"line {self.line_no}: {self.field} {self.reason}"
