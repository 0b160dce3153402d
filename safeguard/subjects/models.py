"""Subjects (a person or account the centre holds reports about) and the identifiers that tie reports to them."""

from django.conf import settings
from django.db import models

from safeguard.reporting.models import Report

from .normalise import KIND_LABELS, Kind


class Subject(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when merged into another subject; cleared if a supervisor reverses the merge.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"S-{self.pk:06d}"


class ReportSubject(models.Model):
    """Which subject a report is about. One reported person per report (as sources send them)."""

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="subject_link")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="report_links")
    linked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"report {self.report_id} is about subject {self.subject_id}"


class ReportIdentifier(models.Model):
    """One identifier as found in one report: raw text always kept, normalised value when one exists."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="identifiers")
    role = models.CharField(max_length=10)  # extraction.Role: subject / victim / room / file
    kind = models.CharField(max_length=20, choices=[(k.value, v) for k, v in KIND_LABELS.items()])
    platform = models.CharField(max_length=100, blank=True)
    raw = models.TextField(max_length=2000)
    value = models.CharField(max_length=500, blank=True)
    # sha256(kind, platform, value)[:40]; empty for garbage. The lookup index is on this.
    key = models.CharField(max_length=40, blank=True)
    valid = models.BooleanField(default=True)
    problem = models.CharField(max_length=200, blank=True)
    strong = models.BooleanField(default=False)
    mergeable = models.BooleanField(default=False)  # strong and valid: the only ones that merge subjects
    observed_at = models.DateTimeField(null=True, blank=True)  # IP capture time, when the source gave one
    detail = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["key"], name="report_identifier_key"),
            models.Index(fields=["value"], name="report_identifier_value"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value or self.raw}"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(Kind(self.kind), self.kind)


class SubjectMerge(models.Model):
    """One subject absorbed into another. Keeps the moved reports, so a supervisor can undo it exactly."""

    survivor = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="merges_in")
    absorbed = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="merges_out")
    moved_report_ids = models.JSONField(default=list)
    reason = models.CharField(max_length=300)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-pk"]

    def __str__(self) -> str:
        return f"subject {self.absorbed_id} merged into {self.survivor_id}"
