"""Most Wanted: people who failed to comply with notification requirements, alerts and sightings."""

import secrets

from django.conf import settings
from django.db import models

from .forces import FORCE_CHOICES


class WantedStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    PUBLISHED = "published", "Published"
    LOCATED = "located", "Located"
    ARRESTED = "arrested", "Arrested"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Located and arrested records keep a short public notice; their personal details are no longer shown.
FOUND_STATUSES = (WantedStatus.LOCATED, WantedStatus.ARRESTED)
# What the public site answers for at all (anything else is a 404).
PUBLIC_STATUSES = (WantedStatus.PUBLISHED, *FOUND_STATUSES)


def new_public_id() -> str:
    """An unguessable id for URLs: a sequential id would reveal drafts and how many were withdrawn."""
    return secrets.token_urlsafe(6).replace("-", "x").replace("_", "y").lower()


class WantedPerson(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    full_name = models.CharField(max_length=200)
    aliases = models.CharField(max_length=500, blank=True, help_text="Other names used, separated by commas")
    physical_description = models.TextField(max_length=2000)
    last_known_area = models.CharField(max_length=200, help_text="A town or district, never an address")
    # The police force area the person was last known in: what area alerts are matched on.
    area = models.CharField(max_length=60, choices=FORCE_CHOICES)
    offences = models.TextField(max_length=2000, help_text="In plain, non-graphic words")
    leading_force = models.CharField(max_length=60, choices=FORCE_CHOICES)
    date_missing = models.DateField()
    # A generated image in the demo; the public only ever gets it through the photo view, which
    # stops serving it as soon as the person is located.
    photo_png = models.BinaryField(blank=True, default=b"", editable=False)

    status = models.CharField(max_length=20, choices=WantedStatus.choices, default=WantedStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    found_at = models.DateTimeField(null=True, blank=True)  # located or arrested
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        indexes = [models.Index(fields=["status", "published_at"], name="wanted_public_order")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_status_display()})"

    @property
    def is_public_in_full(self) -> bool:
        return self.status == WantedStatus.PUBLISHED

    @property
    def is_found(self) -> bool:
        return self.status in FOUND_STATUSES

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in self.full_name.split()[:3] if part).upper()

    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.split(",") if a.strip()]


class WantedEvent(models.Model):
    """A public milestone (posted, located, arrested, withdrawn): the Atom feed's entries."""

    person = models.ForeignKey(WantedPerson, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=WantedStatus.choices)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["-at"], name="wanted_event_recent")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.status} at {self.at:%Y-%m-%d %H:%M}"


class Subscription(models.Model):
    """A confirmed alert subscription. Only the address and the choice are kept (nothing else).

    Rows exist only after the person clicked the confirmation link: the pending request lives in the
    signed link itself, so sign-ups of other people's addresses store nothing.
    """

    email = models.EmailField(max_length=254, unique=True)
    area = models.CharField(max_length=60, choices=FORCE_CHOICES, blank=True)  # blank: every posting
    confirmed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["area"], name="wanted_sub_area")]

    def __str__(self) -> str:
        return f"subscription #{self.pk}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"  # claimed by one worker; never handed to another
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class AlertDelivery(models.Model):
    """One alert email for one posting to one subscriber. The unique pair is what stops double mailing."""

    person = models.ForeignKey(WantedPerson, on_delete=models.CASCADE, related_name="+")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "subscription"], name="wanted_one_alert_per_subscriber")
        ]
        indexes = [models.Index(fields=["person", "status"], name="wanted_delivery_state")]

    def __str__(self) -> str:
        return f"alert {self.person_id} -> {self.subscription_id}: {self.status}"


class Sighting(models.Model):
    """A member of the public's sighting: the report itself lives in reporting; this is the link."""

    person = models.ForeignKey(WantedPerson, on_delete=models.PROTECT, related_name="sightings")
    report = models.OneToOneField("reporting.Report", on_delete=models.PROTECT, related_name="wanted_sighting")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"sighting of {self.person_id} ({self.report_id})"


class ForceNotification(models.Model):
    """Outbox: the leading force is told of each sighting. Sent by a task; kept as the record it was sent."""

    sighting = models.OneToOneField(Sighting, on_delete=models.CASCADE, related_name="notification")
    force = models.CharField(max_length=60, choices=FORCE_CHOICES)
    address = models.EmailField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"notify {self.force} of sighting {self.sighting_id}"
