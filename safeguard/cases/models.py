"""Case work: a case groups reports and subjects under an owner (extended by the cases app's own work)."""

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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"
