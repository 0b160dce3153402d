"""Dissemination packages sent to police forces and partners, their graded intelligence, and what came of them."""

from django.conf import settings
from django.db import models


class SourceEvaluation(models.TextChoices):
    """UK 3x5x2: how far the source can be trusted."""

    RELIABLE = "1", "1: reliable"
    UNTESTED = "2", "2: untested"
    NOT_RELIABLE = "3", "3: not reliable"


class IntelligenceAssessment(models.TextChoices):
    """UK 3x5x2: how the source came to know the information."""

    KNOWN_DIRECTLY = "A", "A: known directly to the source"
    CORROBORATED = "B", "B: known indirectly, corroborated"
    KNOWN_INDIRECTLY = "C", "C: known indirectly"
    NOT_KNOWN = "D", "D: not known"
    SUSPECTED_FALSE = "E", "E: suspected to be false"


class HandlingCode(models.TextChoices):
    """UK 3x5x2: whether and on what terms the item may be shared."""

    PERMITTED = "P", "P: lawful sharing permitted"
    CONDITIONS = "C", "C: lawful sharing permitted with conditions"


class DisseminationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    SENT = "sent", "Sent"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"


class Dissemination(models.Model):
    """A package of intelligence for one recipient: prepared, approved by a second person, sent, acknowledged."""

    reference = models.CharField(max_length=20, unique=True)
    recipient = models.ForeignKey("routing.Recipient", on_delete=models.PROTECT, related_name="disseminations")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="disseminations"
    )
    reports = models.ManyToManyField("reporting.Report", blank=True, related_name="disseminations")
    subjects = models.ManyToManyField("subjects.Subject", blank=True, related_name="disseminations")
    # Identifiers of the subjects as released: [{"kind": "email", "value": "...", "platform": "..."}].
    identifiers = models.JSONField(default=list, blank=True)
    summary = models.TextField(max_length=5000, blank=True)
    risk_assessment = models.TextField(max_length=5000, blank=True)
    actions_requested = models.TextField(max_length=5000, blank=True)
    # Evidence by hash only: [{"sha256": "...", "size": 123, "type": "image/png", "report": "SG-..."}].
    evidence_references = models.JSONField(default=list, blank=True)
    # Files themselves travel only when every item's handling allows it and someone chose to (see handling.py).
    include_evidence_files = models.BooleanField(default=False)

    # Where the subject is thought to be, as the analyst gave it: the routing suggestion is made from this and
    # the subject's IP addresses.
    subject_postcode = models.CharField(max_length=10, blank=True)
    # Routing: what the directory suggested and, when the analyst chose otherwise, why.
    suggested_recipient = models.ForeignKey(
        "routing.Recipient", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggestion_basis = models.CharField(max_length=200, blank=True)
    routing_reason = models.CharField(max_length=500, blank=True)

    status = models.CharField(max_length=20, choices=DisseminationStatus.choices, default=DisseminationStatus.DRAFT)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_due = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_by_label = models.CharField(max_length=200, blank=True)  # e.g. an overseas officer's name
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "acknowledgement_due"]), models.Index(fields=["sent_at"])]

    def __str__(self) -> str:
        return f"{self.reference} to {self.recipient}"


class IntelligenceItem(models.Model):
    """One graded piece of intelligence in a package. The original text is kept; the sanitised text is released."""

    dissemination = models.ForeignKey(Dissemination, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    original_text = models.TextField(max_length=5000)
    sanitised_text = models.TextField(max_length=5000, blank=True)
    sanitised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sanitised_at = models.DateTimeField(null=True, blank=True)
    source_evaluation = models.CharField(max_length=1, choices=SourceEvaluation.choices)
    intelligence_assessment = models.CharField(max_length=1, choices=IntelligenceAssessment.choices)
    handling_code = models.CharField(max_length=1, choices=HandlingCode.choices)
    # The conditions written out in words (required with code C), plus the machine-checkable ones.
    handling_conditions = models.TextField(max_length=2000, blank=True)
    no_overseas_sharing = models.BooleanField(default=False)
    uk_territorial_only = models.BooleanField(default=False)  # not to national agencies or special forces
    no_evidence_files = models.BooleanField(default=False)  # hashes only, never the files

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"Item {self.position} ({self.grade})"

    @property
    def grade(self) -> str:
        return f"{self.source_evaluation}{self.intelligence_assessment}{self.handling_code}"

    @property
    def release_text(self) -> str:
        return self.sanitised_text or self.original_text


class OutcomeKind(models.TextChoices):
    SUBJECT_IDENTIFIED = "subject_identified", "Subject identified"
    ARREST = "arrest", "Arrest"
    CHARGE = "charge", "Charge"
    CONVICTION = "conviction", "Conviction"
    CHILDREN_SAFEGUARDED = "children_safeguarded", "Children safeguarded"
    NETWORK_DISRUPTED = "network_disrupted", "Network disrupted"
    NETWORK_DISMANTLED = "network_dismantled", "Network dismantled"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


class Outcome(models.Model):
    """What the receiving force reports came of a package; rolled up into the centre's figures."""

    dissemination = models.ForeignKey(Dissemination, on_delete=models.PROTECT, related_name="outcomes")
    kind = models.CharField(max_length=30, choices=OutcomeKind.choices)
    count = models.PositiveIntegerField(default=1)  # children safeguarded: how many; otherwise 1
    reason = models.CharField(max_length=500, blank=True)  # required for no further action
    occurred_on = models.DateField()
    notes = models.TextField(max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_label = models.CharField(max_length=200)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "id"]
        indexes = [models.Index(fields=["occurred_on", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.dissemination.reference})"
