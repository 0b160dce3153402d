"""Case work: a case groups reports and subjects under an owner, with lines of enquiry, notes, evidence
references and a status history; operations group cases and subjects (a network) and record deployments."""

from django.conf import settings
from django.db import models


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    DISSEMINATED = "disseminated", "Disseminated"
    CLOSED = "closed", "Closed"


class Case(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_cases")
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    reports = models.ManyToManyField("reporting.Report", blank=True, related_name="cases")
    subjects = models.ManyToManyField("subjects.Subject", blank=True, related_name="cases")
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class CaseStatusChange(models.Model):
    """One step in a case's status history (the first row is its opening)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    reason = models.CharField(max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status or '-'} -> {self.to_status}"


class EnquiryKind(models.TextChoices):
    SUBSCRIBER_CHECK = "subscriber_check", "Subscriber check (communications data)"
    OPEN_SOURCE = "open_source", "Open-source research"
    PLATFORM_REQUEST = "platform_request", "Request to a platform"
    INTELLIGENCE_CHECK = "intelligence_check", "Intelligence and records check"
    OTHER = "other", "Other"


class EnquiryStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"
    CANCELLED = "cancelled", "Cancelled"


class LineOfEnquiry(models.Model):
    """An action on a case, e.g. "obtain subscriber details for IP a.b.c.d at time T from provider P"."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="enquiries")
    kind = models.CharField(max_length=30, choices=EnquiryKind.choices, default=EnquiryKind.OTHER)
    action = models.TextField(max_length=2000)
    status = models.CharField(max_length=20, choices=EnquiryStatus.choices, default=EnquiryStatus.OPEN)
    due_date = models.DateField(null=True, blank=True)
    result = models.TextField(blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="enquiries"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.action[:60]}"

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        still_open = self.status in (EnquiryStatus.OPEN, EnquiryStatus.IN_PROGRESS)
        return still_open and self.due_date is not None and self.due_date < timezone.localdate()


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(max_length=10000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"note {self.pk} on case {self.case_id}"


class CaseAttachment(models.Model):
    """A reference to an evidence-vault file of one of the case's reports: never a copy of the bytes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    evidence = models.ForeignKey("evidence.EvidenceFile", on_delete=models.PROTECT, related_name="case_links")
    description = models.CharField(max_length=500, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "evidence"], name="case_attachment_once")]

    def __str__(self) -> str:
        return f"evidence {self.evidence_id} on case {self.case_id}"


class OperationStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class Operation(models.Model):
    """A named operation grouping cases and subjects, e.g. one network worked across forces."""

    name = models.CharField(max_length=100, unique=True)  # "Operation Kestrel"
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=OperationStatus.choices, default=OperationStatus.ACTIVE)
    cases = models.ManyToManyField(Case, blank=True, related_name="operations")
    subjects = models.ManyToManyField("subjects.Subject", blank=True, related_name="operations")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeploymentKind(models.TextChoices):
    WARRANT = "warrant", "Search warrant executed"
    ARREST = "arrest", "Arrest operation"
    SAFEGUARDING_VISIT = "safeguarding_visit", "Safeguarding visit"
    SUPPORT = "support", "Specialist support to a force"
    OTHER = "other", "Other"


class Deployment(models.Model):
    """A deployment within an operation. The centre's annual figure counts the major ones."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="deployments")
    date = models.DateField()
    force = models.ForeignKey("routing.Recipient", on_delete=models.PROTECT, related_name="deployments")
    kind = models.CharField(max_length=30, choices=DeploymentKind.choices)
    major = models.BooleanField(default=True, help_text="Counts as a major operational deployment")
    description = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date} with {self.force_id}"
