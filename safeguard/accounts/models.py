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
    # A password an administrator (or an approver) was shown: good for ONE sign-in before it expires, after
    # which the person must choose their own (accounts/passwords.py, ADR 0102).
    password_is_one_time = models.BooleanField(default=False)
    one_time_password_expires_at = models.DateTimeField(null=True, blank=True)
    one_time_password_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_user"

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class AccountRequest(models.Model):
    """The two-person rule (ADR 0102): an administrator asks, a second person who reads reports decides.

    Creating an account with, raising an account to, or resetting an account of a role that reads reports
    happens only when someone else approves, and the new one-time password is shown to that approver.
    """

    class Kind(models.TextChoices):
        CREATE = "create", "New account"
        RAISE = "raise", "Role change"
        RESET = "reset", "Sign-in reset"

    class Outcome(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The account a raise or reset is for; for a new account, the account made on approval.
    target = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="account_requests_about"
    )
    role = models.CharField(max_length=20, choices=Role.choices)  # the role asked for (the current one for a reset)
    # What a new account is to be called (kept after approval, for the record).
    username = models.CharField(max_length=150, blank=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="account_requests_made")
    requested_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="account_requests_decided"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_account_request"
        ordering = ["requested_at", "pk"]
        indexes = [models.Index(fields=["outcome", "requested_at"], name="account_request_outcome")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.account_name} as {self.get_role_display()}"

    @property
    def account_name(self) -> str:
        return self.target.username if self.target_id else self.username

    def authorises(self, *, user, kinds: tuple[str, ...], target=None) -> bool:
        """True if this request is approved, by `user`, for one of these kinds of change (to `target` if given)."""
        return (
            self.pk is not None
            and self.outcome == self.Outcome.APPROVED
            and self.kind in kinds
            and user is not None
            and self.decided_by_id == user.pk
            and self.requested_by_id != user.pk
            and (target is None or self.target_id == target.pk)
        )
