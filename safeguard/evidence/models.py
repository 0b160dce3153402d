"""Evidence files (stored encrypted), the known-material hash lists they are checked against, and matches."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class FileStatus(models.TextChoices):
    OK = "ok", "Stored and checked"
    QUARANTINED = "quarantined", "Quarantined"


class EvidenceFile(models.Model):
    """One file as received, with what was known about it at ingest (its chain-of-custody record).

    The bytes live only in the "evidence" storage, sealed (crypto.py); `stored_name` is a random name that
    says nothing about the content. Quarantined files are kept sealed but never decoded or shown.
    """

    report = models.ForeignKey(
        "reporting.Report", null=True, blank=True, on_delete=models.PROTECT, related_name="evidence_files"
    )
    # Reporting's own record of the upload, when the file came through a report form or partner upload.
    attachment = models.OneToOneField(
        "reporting.Attachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence"
    )
    original_name = models.CharField(max_length=255, blank=True)
    stored_name = models.CharField(max_length=300, blank=True)  # empty only if nothing could be stored
    key_id = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    sha1 = models.CharField(max_length=40, db_index=True)
    md5 = models.CharField(max_length=32, db_index=True)
    detected_type = models.CharField(max_length=100)  # MIME type from the content, never the name
    claimed_type = models.CharField(max_length=100, blank=True)  # what the sender said, for comparison
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    pdq = models.CharField(max_length=64, blank=True)
    pdq_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    # A video's vPDQ frames, one a second: [{"pdq", "quality", "timestamp"}] (video.py, ADR 0108).
    vpdq = models.JSONField(null=True, blank=True)
    exif = models.JSONField(default=dict, blank=True)
    details = models.JSONField(default=dict, blank=True)  # e.g. what an archive holds
    rendition_name = models.CharField(max_length=300, blank=True)  # blurred greyscale thumbnail, sealed too

    status = models.CharField(max_length=20, choices=FileStatus.choices, default=FileStatus.OK)
    quarantine_reason = models.CharField(max_length=500, blank=True)

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by_label = models.CharField(max_length=200)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"evidence #{self.pk} {self.detected_type} {self.sha256[:12]}"

    @property
    def is_quarantined(self) -> bool:
        return self.status == FileStatus.QUARANTINED


class HashType(models.TextChoices):
    MD5 = "md5", "MD5"
    SHA1 = "sha1", "SHA-1"
    SHA256 = "sha256", "SHA-256"
    PDQ = "pdq", "PDQ"
    VPDQ = "vpdq", "vPDQ"  # a video: value is the SHA-256 of its frames as text, the frames in `vpdq` (ADR 0108)


HASH_LENGTHS = {HashType.MD5: 32, HashType.SHA1: 40, HashType.SHA256: 64, HashType.PDQ: 64, HashType.VPDQ: 64}


class HashList(models.Model):
    """A known-material list from one source (e.g. a national hash set); its contents come in versions."""

    name = models.CharField(max_length=200, unique=True)
    source = models.CharField(max_length=200)
    description = models.CharField(max_length=1000, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class VersionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUPERSEDED = "superseded", "Replaced by a later version"
    REMOVED = "removed", "Removed"


class HashListVersion(models.Model):
    hash_list = models.ForeignKey(HashList, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=VersionStatus.choices, default=VersionStatus.ACTIVE)
    source_file_name = models.CharField(max_length=255)
    source_file_sha256 = models.CharField(max_length=64)
    source_format = models.CharField(max_length=20)  # csv or vics
    issued_on = models.DateField(null=True, blank=True)  # the date the source gave the list
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by_label = models.CharField(max_length=200)
    entry_count = models.PositiveIntegerField(default=0)
    skipped_rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["hash_list", "-number"]
        constraints = [models.UniqueConstraint(fields=["hash_list", "number"], name="hash_list_version_number")]

    def __str__(self) -> str:
        return f"{self.hash_list.name} v{self.number}"


class KnownHash(models.Model):
    version = models.ForeignKey(HashListVersion, on_delete=models.CASCADE, related_name="hashes")
    hash_type = models.CharField(max_length=10, choices=HashType.choices)
    value = models.CharField(max_length=64)  # lower-case hex
    # vPDQ only: the video's frames [{"pdq", "quality", "timestamp"}], matched in memory (video_matching.py).
    vpdq = models.JSONField(null=True, blank=True)
    category = models.CharField(max_length=100, blank=True)
    series = models.CharField(max_length=200, blank=True)
    victim_identified = models.BooleanField(null=True, blank=True)
    offender_identified = models.BooleanField(null=True, blank=True)
    is_distributed = models.BooleanField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)
    comments = models.CharField(max_length=1000, blank=True)
    source = models.CharField(max_length=200, blank=True)  # who first listed it, when the row says

    class Meta:
        indexes = [models.Index(fields=["hash_type", "value"], name="known_hash_lookup")]
        verbose_name_plural = "known hashes"

    def __str__(self) -> str:
        return f"{self.hash_type}:{self.value[:16]}"


class EvidenceMatch(models.Model):
    """An evidence file matched a listed hash. List details are copied so the record outlives the list.

    A match against a young person's self-reported hash (`shared_hash`, issue 22) has no `known_hash`;
    its `hash_list_name` is SELF_REPORTED_LIST_NAME.
    """

    evidence = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="matches")
    known_hash = models.ForeignKey(KnownHash, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    shared_hash = models.ForeignKey(
        "SharedHash", null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence_matches"
    )
    hash_list_name = models.CharField(max_length=200)
    list_version = models.PositiveIntegerField()
    hash_type = models.CharField(max_length=10, choices=HashType.choices)
    matched_value = models.CharField(max_length=64)
    distance = models.PositiveSmallIntegerField(default=0)  # Hamming distance; 0 for exact hashes
    # vPDQ only: the share of the evidence video's frames found in the listed one, and the other way round.
    query_match_percent = models.FloatField(null=True, blank=True)
    compared_match_percent = models.FloatField(null=True, blank=True)
    category = models.CharField(max_length=100, blank=True)
    series = models.CharField(max_length=200, blank=True)
    victim_identified = models.BooleanField(null=True, blank=True)
    matched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["distance", "matched_at"]
        verbose_name_plural = "evidence matches"

    def __str__(self) -> str:
        return f"{self.evidence_id} ~ {self.hash_list_name} {self.hash_type} d={self.distance}"

    @property
    def is_exact(self) -> bool:
        if self.hash_type == HashType.VPDQ:
            return self.distance == 0 and self.query_match_percent == 100 and self.compared_match_percent == 100
        return self.hash_type != HashType.PDQ or self.distance == 0


# --- the self-reported hash list (issue 22, ADR 0106) ---------------------------------------------------

SELF_REPORTED_LIST_NAME = "self-reported"


class SharedHashKind(models.TextChoices):
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"


class SharedHashState(models.TextChoices):
    ACTIVE = "active", "Shared"
    WITHDRAWN = "withdrawn", "Withdrawn by the young person"


class ReviewState(models.TextChoices):
    SHARED = "shared", "Shared with platforms"
    HELD = "held", "Held back by a supervisor"


class SharedHash(models.Model):
    """The hashes of one image or video a young person chose on their own device (the file never left it).

    `sequence` is the feed position: every change partners must see (added, withdrawn, held, released)
    gives the row a new, higher sequence, so a fetch from a cursor sees each hash once, in its latest
    state. A hash is in the feed ("add") while it is active and shared; otherwise it is a tombstone
    ("remove"). Rows are never deleted while partners may hold them.
    """

    request_ref = models.CharField(max_length=40)  # the young person's removal request (the unique's index)
    kind = models.CharField(max_length=10, choices=SharedHashKind.choices)
    md5 = models.CharField(max_length=32)
    pdq = models.CharField(max_length=64, blank=True)
    pdq_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    vpdq = models.JSONField(null=True, blank=True)  # [{"pdq", "quality", "timestamp"}] for a video
    # SHA-256 of the video's vPDQ as the feed writes it (self_reported.vpdq_value): finds it when a partner
    # reports a vPDQ match by value.
    vpdq_digest = models.CharField(max_length=64, blank=True)
    sequence = models.PositiveBigIntegerField(unique=True)
    state = models.CharField(max_length=20, choices=SharedHashState.choices, default=SharedHashState.ACTIVE)
    review_state = models.CharField(max_length=20, choices=ReviewState.choices, default=ReviewState.SHARED)
    review_reason = models.CharField(max_length=500, blank=True)
    reviewed_by_label = models.CharField(max_length=200, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sequence"]
        constraints = [models.UniqueConstraint(fields=["request_ref", "md5"], name="shared_hash_once_per_request")]
        # Plain indexes (not db_index): no PostgreSQL pattern index beside each, nothing searches by prefix.
        indexes = [
            models.Index(fields=["md5"], name="shared_hash_md5"),
            models.Index(fields=["pdq"], name="shared_hash_pdq"),
            models.Index(fields=["vpdq_digest"], name="shared_hash_vpdq"),
        ]

    def __str__(self) -> str:
        return f"self-reported {self.kind} #{self.sequence} ({self.request_ref})"

    @property
    def in_feed(self) -> bool:
        return self.state == SharedHashState.ACTIVE and self.review_state == ReviewState.SHARED


class SharedHashCounter(models.Model):
    """A single row, locked (select_for_update) while a change takes the next feed sequence."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"self-reported feed at {self.last_sequence}"


class PlatformAction(models.TextChoices):
    SEEN = "seen", "Seen"
    REMOVED = "removed", "Removed"
    BLOCKED_UPLOAD = "blocked_upload", "Upload blocked"
    NO_ACTION = "no_action", "No action taken"


REMOVAL_ACTIONS = (PlatformAction.REMOVED, PlatformAction.BLOCKED_UPLOAD)


class PlatformMatch(models.Model):
    """A partner platform told us it found a self-reported hash (and what it did).

    Evidence sits below partners, so the partner is named (`partner_label`, its slug), not linked.
    `client_ref` is the partner's own reference for its report: the same (partner, client_ref) again is a
    replay and is not counted twice. One report can match several rows (two requests with the same image).
    """

    shared_hash = models.ForeignKey(SharedHash, on_delete=models.CASCADE, related_name="platform_matches")
    partner_label = models.CharField(max_length=100)  # look-ups use the unique constraint's index
    signal_type = models.CharField(max_length=10)  # md5, pdq or vpdq: the signal the partner matched
    where_seen = models.CharField(max_length=500, blank=True)  # a URL, app or service name
    action = models.CharField(max_length=20, choices=PlatformAction.choices)
    seen_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(default=timezone.now)
    client_ref = models.CharField(max_length=200)

    class Meta:
        ordering = ["reported_at", "pk"]
        verbose_name_plural = "platform matches"
        constraints = [
            models.UniqueConstraint(
                fields=["partner_label", "client_ref", "shared_hash"], name="platform_match_once_per_client_ref"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_label} {self.action} #{self.shared_hash_id}"
