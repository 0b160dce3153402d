"""A young person's "Remove it" request: the reference and secret they come back with, nothing about them.

The codes made from their pictures (hashes) live in evidence's self-reported hash list (`evidence.self_reported`),
filed under this request's reference. This row holds only what the journey needs: no name, no contact, no picture.
"""

from django.db import models


class RemovalRequest(models.Model):
    reference = models.CharField(max_length=14)  # RI-XXXX-XXXX (references.py)
    # Keyed hash of the secret code, as a report's follow-up secret is kept (services.hash_secret).
    secret_hash = models.CharField(max_length=200)
    # SHA-256 of the choose page's one-time form token: the same form posted twice finds this row, never a second.
    submission_token_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001 (NULL: no token, never unique-clashing)
    item_count = models.PositiveIntegerField(default=0)  # codes accepted into the list, all calls together
    # They said someone is threatening to share the pictures: the pages point them to the threat help first.
    threatened = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="removal_reference_unique"),
            models.UniqueConstraint(fields=["submission_token_hash"], name="removal_submission_token_unique"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None
