from django.conf import settings
from django.db import models


class Action(models.TextChoices):
    """The kinds of processing that DPA 2018 s.62 requires to be logged."""

    COLLECTION = "collection", "Collection"
    ALTERATION = "alteration", "Alteration"
    CONSULTATION = "consultation", "Consultation"
    DISCLOSURE = "disclosure", "Disclosure"
    COMBINATION = "combination", "Combination"
    ERASURE = "erasure", "Erasure"


class AuditEntry(models.Model):
    """One logged act of processing personal data. Append-only and hash-chained.

    `entry_hash` covers this entry's fields and the previous entry's hash, so changing or
    deleting any entry breaks every hash after it (see services.verify_chain).
    """

    sequence = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    action = models.CharField(max_length=20, choices=Action.choices)
    # No index of its own: the (actor, at) index below starts with it and serves the FK's look-ups.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Who, in words, for acts with no staff account (a member of the public, a partner, the system).
    actor_label = models.CharField(max_length=200)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=100)
    # For disclosures: who received the data.
    recipient = models.CharField(max_length=200, blank=True)
    justification = models.CharField(max_length=500, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    # Not indexed: nothing looks an entry up by its hash (verify_chain walks by sequence and recomputes), and
    # `sequence` is already unique. The unique index (and PostgreSQL's pattern index beside it) cost every
    # write in the service two random B-tree inserts (ADR 0095).
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["actor", "at"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type}:{self.object_id} by {self.actor_label}"


class AuditChainHead(models.Model):
    """A single row locked while appending, so entries get gap-free sequence numbers in order."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit chain head at #{self.sequence}"
