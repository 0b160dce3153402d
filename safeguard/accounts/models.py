from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    """What a member of staff does at the centre; permissions follow from it (see roles.py)."""

    ANALYST = "analyst", "Analyst"
    INVESTIGATOR = "investigator", "Investigator"
    SUPERVISOR = "supervisor", "Supervisor"
    ADMINISTRATOR = "administrator", "Administrator"
    # An officer in a receiving police force: sees only what was disseminated to their own force.
    FORCE_OFFICER = "force_officer", "Police force officer"
    # Runs the prevention programme (schools sessions, courses, surveys): no report or case data at all.
    EDUCATION_OFFICER = "education_officer", "Education officer"


class User(AbstractUser):
    """A member of staff. Every account must enrol a TOTP device before reaching staff pages."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.ANALYST)
    # Set for force officers only: the force whose disseminations they may see (object-level scoping).
    force = models.ForeignKey(
        "routing.Recipient", null=True, blank=True, on_delete=models.PROTECT, related_name="officers"
    )

    class Meta:
        db_table = "accounts_user"

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
