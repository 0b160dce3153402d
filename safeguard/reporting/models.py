"""A report of worrying online behaviour, from any source, and what the reporter adds later."""

from django.conf import settings
from django.db import models


class Source(models.TextChoices):
    PUBLIC_WEB = "public_web", "Public report form"
    PARTNER_API = "partner_api", "Industry partner"
    REFERRAL = "referral", "International referral"
    SIGHTING = "sighting", "Most Wanted sighting"


class ReporterRole(models.TextChoices):
    YOUNG_PERSON = "young_person", "Young person under 18"
    PARENT_CARER = "parent_carer", "Parent or carer"
    PROFESSIONAL = "professional", "Professional"
    OTHER_ADULT = "other_adult", "Other adult"


class Category(models.TextChoices):
    """What happened, in the words a reporter would recognise."""

    KEEP_SECRET = "keep_secret", "Asked to keep it secret"
    MEET_UP = "meet_up", "Asked to meet up"
    ASKED_FOR_IMAGES = "asked_for_images", "Asked for pictures or video"
    THREATENED_TO_SHARE = "threatened_to_share", "Threatened to share pictures unless…"
    SENT_SEXUAL_CONTENT = "sent_sexual_content", "Sent sexual messages or pictures"
    SOMETHING_ELSE = "something_else", "Something else"


class Environment(models.TextChoices):
    CHAT_ROOM = "chat_room", "Chat room"
    INSTANT_MESSAGING = "instant_messaging", "Instant messaging"
    ONLINE_GAME = "online_game", "Online game"
    SOCIAL_NETWORK = "social_network", "Social network"
    VIDEO_CHAT = "video_chat", "Video chat"
    EMAIL = "email", "Email"
    OTHER = "other", "Other"


class ActionTaken(models.TextChoices):
    """What a professional has done already (the public journey's "your organisation" page). Stored in
    `details["public_web"]["professional"]["actions_taken"]`, not in a column; read through `public_answers`."""

    TOLD_DSL = "told_dsl", "Told the designated safeguarding lead"
    TOLD_SOCIAL_CARE = "told_social_care", "Told children's social care"
    TOLD_POLICE = "told_police", "Told the police"
    SOMETHING_ELSE = "something_else", "Something else"
    NOTHING_YET = "nothing_yet", "Nothing yet"


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    TRIAGED = "triaged", "Triaged"
    IN_REVIEW = "in_review", "Being looked at"
    ACTIONED = "actioned", "Action taken"
    CLOSED = "closed", "Closed"


class Priority(models.IntegerChoices):
    """Response bands. Lower number, sooner. P1 is a child in danger now."""

    P1 = 1, "P1 immediate"
    P2 = 2, "P2 within 24 hours"
    P3 = 3, "P3 within 7 days"
    P4 = 4, "P4 routine"


class Report(models.Model):
    # Unique by a constraint rather than `unique=True`: on PostgreSQL the field option also builds a second,
    # varchar_pattern_ops index for LIKE 'prefix%', which no query of references uses; every report insert
    # paid for its entry (ADR 0095).
    reference = models.CharField(max_length=20)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.PUBLIC_WEB)
    reporter_role = models.CharField(max_length=20, choices=ReporterRole.choices, blank=True)

    child_in_danger_now = models.BooleanField(default=False)
    categories = models.JSONField(default=list, blank=True)  # list of Category values
    other_category_detail = models.CharField(max_length=500, blank=True)

    platform_name = models.CharField(max_length=200, blank=True)
    environment = models.CharField(max_length=30, choices=Environment.choices, blank=True)

    # What the reporter knows of the person: raw text; triage extracts identifiers from it.
    subject_identifiers = models.TextField(max_length=2000, blank=True)
    subject_claimed_age = models.CharField(max_length=50, blank=True)

    incident_date = models.DateField(null=True, blank=True)
    incident_when_description = models.CharField(max_length=500, blank=True)
    account = models.TextField(max_length=10000, blank=True)

    wants_contact = models.BooleanField(default=False)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(max_length=254, blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_consent = models.BooleanField(default=False)

    # Source-specific structured data: a partner's full API payload, partner-verified button
    # context, a referral's original record. Kept whole so nothing a source sent is lost.
    details = models.JSONField(default=dict, blank=True)

    # Lets an anonymous reporter come back; stored only as a password-style hash.
    follow_up_secret_hash = models.CharField(max_length=200, blank=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.P4)
    priority_reasons = models.JSONField(default=list, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_reports"
    )
    # When a person on the team first opened the report (`services.mark_opened`); automatic triage never sets it.
    # The follow-up page says "received" until then, never "read".
    first_opened_at = models.DateTimeField(null=True, blank=True)
    first_opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "created_at"]
        indexes = [models.Index(fields=["priority", "created_at"], name="report_queue_order")]
        constraints = [models.UniqueConstraint(fields=["reference"], name="report_reference_unique")]

    def __str__(self) -> str:
        return self.reference

    def get_category_display_list(self) -> list[str]:
        labels = dict(Category.choices)
        return [labels.get(c, c) for c in self.categories]


class Attachment(models.Model):
    """A file the reporter supplied. Bytes live in the "evidence" storage, never under a public URL."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    stored_name = models.CharField(max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)  # detected from the bytes, not the name
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.original_name} ({self.report.reference})"


class ReportAddition(models.Model):
    """More information added later by the reporter, through the follow-up page."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="additions")
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Addition to {self.report.reference} at {self.created_at:%Y-%m-%d %H:%M}"


class StatusChange(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=1000, blank=True)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at"]

    def __str__(self) -> str:
        return f"{self.report.reference}: {self.from_status} -> {self.to_status}"
