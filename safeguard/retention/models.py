"""Review, retention and disposal, in the spirit of the UK's Management of Police Information (MoPI).

Each kind of record has a schedule: when it is first reviewed (days after it was made) and, when a
reviewer decides to keep it, how long until the next review. Every decision is kept with its reason;
a disposal deletes the record's content and leaves only a metadata entry here and in the audit log.
Records are named by (record_type, object_id), not foreign keys, because the decision must outlive
the record it disposed of.
"""

from django.conf import settings
from django.db import models


class RecordType(models.TextChoices):
    REPORT = "report", "Report"
    SUBJECT = "subject", "Subject"
    CASE = "case", "Case"
    EVIDENCE = "evidence", "Evidence file"


class RetentionSchedule(models.Model):
    record_type = models.CharField(max_length=20, choices=RecordType.choices, unique=True)
    review_after_days = models.PositiveIntegerField(help_text="First review, in days after the record was made.")
    retain_for_days = models.PositiveIntegerField(help_text="After a decision to keep it, days until the next review.")
    basis = models.CharField(max_length=300, blank=True, help_text="Why this period (the policy it follows).")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["record_type"]

    def __str__(self) -> str:
        return f"{self.get_record_type_display()}: review after {self.review_after_days} days"


class Decision(models.TextChoices):
    RETAIN = "retain", "Retain"
    DISPOSE = "dispose", "Dispose"


class RetentionDecision(models.Model):
    """One review of one record. Append-only: a later review adds a row, it never edits one."""

    record_type = models.CharField(max_length=20, choices=RecordType.choices)
    object_id = models.CharField(max_length=64)
    # A label that is not personal data (a report or case reference, "S-000012", "evidence #5").
    label = models.CharField(max_length=100)
    record_made_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField(max_length=2000)
    next_review_on = models.DateField(null=True, blank=True)  # for "retain"
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        indexes = [models.Index(fields=["record_type", "object_id", "-decided_at"])]

    def __str__(self) -> str:
        return f"{self.decision} {self.record_type}:{self.object_id}"
