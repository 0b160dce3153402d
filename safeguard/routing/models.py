"""The directory of recipients the centre disseminates to: UK police forces and international partners."""

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

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name
