"""The triage engine's records: scoring model versions, each report's features and score, notifications, duty rota."""

from django.conf import settings
from django.db import models

from safeguard.reporting.models import Report


class ScoringModelVersion(models.Model):
    """One published set of weights. Exactly one version is active; old ones are kept to explain past scores."""

    number = models.PositiveIntegerField(unique=True)
    weights = models.JSONField()  # factor name -> points at full strength (see scoring.FACTORS)
    thresholds = models.JSONField()  # "1"/"2"/"3" -> lowest score for that band; anything lower is P4
    note = models.CharField(max_length=500, blank=True)
    active = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Scoring model v{self.number}"


class ReportTriage(models.Model):
    """What triage found in a report, as numbers (0 to 1 per factor), and the score they gave.

    Features are stored so that a model change rescored a million reports without reading a single
    narrative again: rescoring is a dot product over these columns.

    `score`, `model_version` and `scored_at` record the report's first scoring, by the triage job. Rescoring
    (a model change, or a new report about the same subject raising `prior_reports`) writes only what the queue
    reads, the report's priority and reasons, so a million reports rescore in seconds; the staff report page
    explains the score as the active model gives it now, from these features.
    """

    report = models.OneToOneField(Report, on_delete=models.CASCADE, primary_key=True, related_name="triage")
    danger_now = models.FloatField(default=0)
    partner_escalation = models.FloatField(default=0)
    offline_meeting = models.FloatField(default=0)
    images = models.FloatField(default=0)
    threats = models.FloatField(default=0)
    victim_age = models.FloatField(default=0)
    victims = models.FloatField(default=0)
    prior_reports = models.FloatField(default=0)
    hash_match = models.FloatField(default=0)
    role_access = models.FloatField(default=0)
    wanted_sighting = models.FloatField(default=0)
    danger_words = models.FloatField(default=0)
    self_harm = models.FloatField(default=0)
    secrecy = models.FloatField(default=0)
    gifts = models.FloatField(default=0)
    adult_age = models.FloatField(default=0)
    # The words that made each text factor count, as written: {"images": ["asked me for pictures"], ...}.
    words = models.JSONField(default=dict, blank=True)
    occurred_day = models.IntegerField(default=0)  # date.toordinal() of the incident (or of receipt)
    youngest_victim_age = models.PositiveSmallIntegerField(null=True, blank=True)
    prior_report_count = models.PositiveIntegerField(default=0)
    score = models.FloatField(default=0)
    model_version = models.PositiveIntegerField(default=0)
    scored_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"triage of report {self.report_id}: {self.score}"


class TriageChange(models.Model):
    """New information re-scored a report: what arrived, the band and score before and after, and which factors
    started or stopped counting (with the words that made them). Unseen until someone working reports opens it:
    the queue marks the report "New information" until then."""

    class Cause(models.TextChoices):
        FOLLOW_UP = "follow_up", "The reporter added information"
        LINKED_REPORT = "linked_report", "Another report about the same person arrived"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="triage_changes")
    cause = models.CharField(max_length=20, choices=Cause.choices)
    detail = models.JSONField(default=dict, blank=True)  # {"addition_id": 7} or {"linked_report": "SG-..."}
    band_before = models.PositiveSmallIntegerField()
    band_after = models.PositiveSmallIntegerField()
    score_before = models.FloatField(default=0)
    score_after = models.FloatField(default=0)
    factors_added = models.JSONField(default=list, blank=True)  # factor names that count now and did not before
    factors_removed = models.JSONField(default=list, blank=True)
    words_added = models.JSONField(default=dict, blank=True)  # factor -> words newly found
    created_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(null=True, blank=True)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["report"], condition=models.Q(seen_at__isnull=True), name="triage_change_unseen")
        ]

    def __str__(self) -> str:
        return f"{self.get_cause_display()} on report {self.report_id}: P{self.band_before} to P{self.band_after}"

    @property
    def band_moved(self) -> bool:
        return self.band_before != self.band_after


class RescoreRun(models.Model):
    """A background rescoring of open reports after a model change, with band counts before and after."""

    model_version = models.PositiveIntegerField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reports = models.PositiveIntegerField(default=0)
    before = models.JSONField(default=dict)  # band -> count
    after = models.JSONField(default=dict)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"rescoring with model v{self.model_version}"


class Notification(models.Model):
    """Something a member of staff must know now (a P1, a deconfliction hit). Also emailed via the task queue."""

    class Kind(models.TextChoices):
        P1 = "p1", "Immediate-priority report"
        DECONFLICTION = "deconfliction", "Another team works this subject"
        BREACH = "breach", "Response deadline missed"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One notice per person, kind and report: re-running triage never notifies twice.
            models.UniqueConstraint(fields=["recipient", "kind", "report"], name="one_notice_per_report")
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class DutyShift(models.Model):
    """Who is the on-duty supervisor when. P1 notices go to whoever's shift covers now."""

    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="duty_shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.supervisor_id} on duty {self.starts_at:%Y-%m-%d %H:%M} to {self.ends_at:%Y-%m-%d %H:%M}"
