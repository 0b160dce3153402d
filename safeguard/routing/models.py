"""The directory of recipients the centre disseminates to: UK police forces and international partners."""

from django.conf import settings
from django.db import models


class RecipientKind(models.TextChoices):
    UK_TERRITORIAL = "uk_territorial", "UK territorial police force"
    UK_OTHER = "uk_other", "Other UK force or agency"
    INTERNATIONAL = "international", "International partner"


class Recipient(models.Model):
    """A force or agency that can receive a dissemination package; force users belong to one."""

    code = models.SlugField(max_length=80, unique=True)  # stable: used in URLs, exports and the audit log
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=RecipientKind.choices)
    country = models.CharField(max_length=2, default="GB")  # ISO 3166-1 alpha-2
    secure_contact = models.CharField(max_length=300, blank=True)  # secure email or portal address
    is_active = models.BooleanField(default=True)
    # The ONS police force area code (e.g. "E23000001") that postcode lookups carry; blank when not a PFA.
    pfa_code = models.CharField("police force area code", max_length=12, blank=True, db_index=True)
    # The default recipient for subjects located in `country` (one per country: the NCB or national agency).
    country_default = models.BooleanField(default=False)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class PostcodeForceArea(models.Model):
    """One full postcode -> police force area row, loaded from an ONS-style lookup (NSPL/ONSPD `pfa`)."""

    postcode = models.CharField(max_length=8, unique=True)  # normalised: upper case, one space before the inward part
    pfa_code = models.CharField(max_length=12, blank=True)
    pfa_name = models.CharField(max_length=200, blank=True)
    recipient = models.ForeignKey(Recipient, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.postcode} -> {self.pfa_name or self.pfa_code}"


class PostcodeImport(models.Model):
    """One run of `import_postcode_lookup`: what was loaded and which lines were refused."""

    file_name = models.CharField(max_length=300)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_loaded = models.PositiveIntegerField(default=0)
    rows_refused = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # the first errors, "line N: why"

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.file_name}: {self.rows_loaded} loaded, {self.rows_refused} refused"


class RoutingDecision(models.Model):
    """The analyst's choice of recipient for something (a package, a referral line), with the suggestion it
    confirmed or overrode and the reason: kept so a later reader sees why it went where it went."""

    subject_type = models.CharField(max_length=60)  # "app_label.model" of what was routed
    subject_id = models.CharField(max_length=40)
    suggested = models.ForeignKey(Recipient, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    basis = models.CharField(max_length=100, blank=True)
    approximate = models.BooleanField(default=False)
    chosen = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="routing_decisions")
    overridden = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="routing_decision_subject")]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} -> {self.chosen.code}"
