"""Writes for evidence: ingest a file, verify the store, rotate keys, record staff access.

`ingest` never raises for bad input: a file that cannot be processed safely is stored sealed and
quarantined with a plain reason, and the report it belongs to carries on regardless.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from safeguard.audit.services import Action, Actor, record
from safeguard.core.vault import crypto
from safeguard.core.vault.storage import SealedFile, Vault
from safeguard.core.vault.streams import HEAD_BYTES, HashingReader, MultiHasher
from safeguard.reporting.models import Attachment, Priority, Report

from . import hidden_content, inspection, self_reported, video, welfare
from .hashing import IMAGE_TYPES, RejectedFile, analyse_image, detect_type
from .matching import Match, exact_matches, known_hashes_for, pdq_matches, pdq_min_quality
from .models import SELF_REPORTED_LIST_NAME, EvidenceFile, EvidenceMatch, FileStatus, HashType, SharedHash
from .selectors import can_download_original, can_view_evidence
from .video_matching import known_video_matches, self_reported_video_matches

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
DEFAULT_MAX_INSPECT_BYTES = 50 * 1024 * 1024
MATCH_PRIORITY = Priority.P2


def max_bytes() -> int:
    return int(getattr(settings, "SAFEGUARD_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_inspect_bytes() -> int:
    return int(getattr(settings, "SAFEGUARD_EVIDENCE_MAX_INSPECT_BYTES", DEFAULT_MAX_INSPECT_BYTES))


@dataclass
class _Findings:
    reason: str = ""
    width: int | None = None
    height: int | None = None
    pdq: str = ""
    pdq_quality: int | None = None
    exif: dict | None = None
    details: dict | None = None
    rendition: bytes = b""
    vpdq: list[dict] | None = None


# A video the decoder cannot read is quarantined, as a damaged image is; one that is merely too long or big
# to hash here (or with no picture) is kept as usual and matched on its exact hashes only, with a note why.
_VIDEO_QUARANTINE_CODES = {"unreadable"}


def _inspect_video(vault: Vault, sealed: SealedFile) -> _Findings:
    """vPDQ frames of a video (video.py), streamed from the vault into a memory file: never a disk file."""
    if sealed.size > video.max_bytes():
        message = f"The video is larger than the {video.max_bytes():,} byte limit for hashing; not hashed."
        return _Findings(details={"vpdq_not_computed": message, "vpdq_error": "too_large"})
    try:
        frames = video.hash_video_chunks(vault.open_plaintext(sealed.stored_name))
    except video.VideoHashError as error:
        if error.code in _VIDEO_QUARANTINE_CODES:
            return _Findings(error.message)
        return _Findings(details={"vpdq_not_computed": error.message, "vpdq_error": error.code})
    limits = video.thresholds()
    details: dict = {"video": {"frames": len(frames), "seconds": frames[-1].timestamp}}
    if max(f.quality for f in frames) < limits.min_quality:
        details["vpdq_not_matched"] = "quality below threshold"
    return _Findings(details=details, vpdq=video.frames_to_dicts(frames))


def _inspect(vault: Vault, sealed: SealedFile, mime: str) -> _Findings:
    if reason := inspection.check_empty(sealed.size) or inspection.check_executable(mime):
        return _Findings(reason)
    if mime.startswith("video/"):
        return _inspect_video(vault, sealed)
    needs_content = mime in IMAGE_TYPES or mime in inspection.ARCHIVE_TYPES or mime in {"text/plain", "application/pdf"}
    needs_content = needs_content or b"%PDF-" in sealed.head[:1024]  # a PDF behind other bytes (ADR 0101)
    if not needs_content:
        return _Findings()
    if sealed.size > max_inspect_bytes():
        return _Findings(
            f"The file is too large to check automatically ({sealed.size:,} bytes); kept for manual handling."
        )
    # Read back from the vault, not the caller's stream: what is checked is exactly what was stored.
    data = vault.read_plaintext(sealed.stored_name, max_bytes=max_inspect_bytes())
    # Data after an image's end, a PDF that acts when opened (ADR 0101): quarantined, the picture part matched.
    hidden = hidden_content.find_hidden_content(data, mime)
    if hidden.reason:
        details = hidden.details
        if "trailing_data" in details:
            details["trailing_data"].update(hidden_content.picture_hashes(hidden))
        return _Findings(hidden.reason, details=details)
    if reason := inspection.check_polyglot(data, mime):
        return _Findings(reason)
    if mime in inspection.ARCHIVE_TYPES:
        reason, details = inspection.inspect_archive(data, mime)
        return _Findings(reason or "", details=details)
    if mime in IMAGE_TYPES:
        try:
            image = analyse_image(data)
        except RejectedFile as rejected:
            return _Findings(rejected.reason)
        if hidden.deferred:  # it decodes, yet its end marker cannot be found: hidden data not ruled out
            return _Findings(hidden.deferred)
        details = {} if image.pdq_quality >= pdq_min_quality() else {"pdq_not_matched": "quality below threshold"}
        return _Findings(
            width=image.width,
            height=image.height,
            pdq=image.pdq,
            pdq_quality=image.pdq_quality,
            exif=image.exif,
            details=details,
            rendition=image.rendition_png,
        )
    return _Findings()


def ingest(
    *,
    stream: BinaryIO,
    actor: Actor,
    original_name: str = "",
    claimed_type: str = "",
    report: Report | None = None,
    attachment: Attachment | None = None,
) -> EvidenceFile:
    """Store a file sealed, describe it, match it against the active hash lists and log its collection.

    A match raises the linked report to P2 (if lower) with a plain reason. Bad input is quarantined, not
    raised. Storage failures (the store itself unreachable) do raise: nothing could be kept.
    """
    vault = Vault()
    report = report or (attachment.report if attachment else None)
    try:
        sealed = vault.put(stream, max_bytes=max_bytes())
    except HashingReader.TooLarge:
        return _record_unstorable(
            actor=actor,
            report=report,
            attachment=attachment,
            original_name=original_name,
            claimed_type=claimed_type,
            reason=f"The file is larger than the {max_bytes():,} byte limit and was not stored.",
        )
    return _ingest_sealed(
        vault=vault,
        sealed=sealed,
        actor=actor,
        original_name=original_name,
        claimed_type=claimed_type,
        report=report,
        attachment=attachment,
    )


def ingest_stored(
    *,
    stored_name: str,
    actor: Actor,
    original_name: str = "",
    claimed_type: str = "",
    report: Report | None = None,
    attachment: Attachment | None = None,
) -> EvidenceFile:
    """Ingest a file already sealed in the vault by `Vault.put` (e.g. a public upload kept while the
    reporter finishes the form). Its hashes are recomputed from the stored bytes, not taken on trust."""
    vault = Vault()
    hasher = MultiHasher()
    head = b""
    for part in vault.open_plaintext(stored_name):
        if len(head) < HEAD_BYTES:
            head += part[: HEAD_BYTES - len(head)]
        hasher.update(part)
    sealed = SealedFile(
        stored_name=stored_name,
        key_id=vault.key_id_of(stored_name),
        size=hasher.size,
        hashes=hasher.hexdigests(),
        head=head,
    )
    return _ingest_sealed(
        vault=vault,
        sealed=sealed,
        actor=actor,
        original_name=original_name,
        claimed_type=claimed_type,
        report=report or (attachment.report if attachment else None),
        attachment=attachment,
        caller_owns_stored_file=True,
    )


def ingest_attachments(
    *, attachments: Iterable[Attachment], actor: Actor, written: list[str] | None = None
) -> list[EvidenceFile]:
    """Ingest a report's attachments, already sealed in the vault (public form and partner API).

    Called inside the report's own transaction, so a report never exists without its evidence records.
    Bad files are quarantined, never raised; only a store that cannot be read makes this (and the
    report with it) fail. Names this call stores (renditions) are appended to `written` as they are
    made, so a caller whose transaction later rolls back can remove them.
    """
    done = []
    for attachment in attachments:
        evidence = ingest_stored(
            stored_name=attachment.stored_name,
            actor=actor,
            attachment=attachment,
            original_name=attachment.original_name,
            claimed_type=attachment.content_type,
        )
        if written is not None and evidence.rendition_name:
            written.append(evidence.rendition_name)
        done.append(evidence)
    return done


def ingest_for_intake(report, attachments: list[Attachment], actor: Actor, written: list[str]) -> None:
    """Evidence's part of accepting a report (reporting.intake): hash, type, PDQ and hash-list match each file,
    quarantining bad ones. A known-material match raises the report's priority; triage keeps that raise."""
    ingest_attachments(attachments=attachments, actor=actor, written=written)


def discard_written(names: Iterable[str]) -> None:
    """Remove files an ingest stored for a transaction that then rolled back."""
    vault = Vault()
    for name in names:
        vault.delete_quietly(name)


def _ingest_sealed(
    *,
    vault: Vault,
    sealed: SealedFile,
    actor: Actor,
    original_name: str,
    claimed_type: str,
    report: Report | None,
    attachment: Attachment | None,
    caller_owns_stored_file: bool = False,
) -> EvidenceFile:
    # On failure remove only what this call wrote: a file stored before (a partner's upload, a pending
    # public upload) belongs to its caller, who may retry.
    written = [] if caller_owns_stored_file else [sealed.stored_name]
    try:
        mime = detect_type(sealed.head)
        try:
            findings = _inspect(vault, sealed, mime)
        except Exception:  # an unexpected failure in a decoder must not lose the report
            logger.exception("Evidence inspection failed for %s", sealed.stored_name)
            findings = _Findings("The file could not be checked automatically (unexpected error); kept for review.")
        rendition_name = ""
        if findings.rendition and not findings.reason:
            rendition_name = vault.put_bytes(findings.rendition, kind="renditions").stored_name
            written.append(rendition_name)
        with transaction.atomic():
            evidence = EvidenceFile.objects.create(
                report=report,
                attachment=attachment,
                original_name=original_name[:255],
                stored_name=sealed.stored_name,
                key_id=sealed.key_id,
                size=sealed.size,
                sha256=sealed.hashes["sha256"],
                sha1=sealed.hashes["sha1"],
                md5=sealed.hashes["md5"],
                detected_type=mime,
                claimed_type=claimed_type[:100],
                width=findings.width,
                height=findings.height,
                pdq=findings.pdq,
                pdq_quality=findings.pdq_quality,
                vpdq=findings.vpdq,
                exif=findings.exif or {},
                details=findings.details or {},
                rendition_name=rendition_name,
                status=FileStatus.QUARANTINED if findings.reason else FileStatus.OK,
                quarantine_reason=findings.reason[:500],
                uploaded_by=actor.user,
                uploaded_by_label=actor.label,
            )
            record(
                action=Action.COLLECTION,
                actor=actor,
                obj=evidence,
                detail={
                    "report": report.reference if report else None,
                    "size": sealed.size,
                    "sha256": sealed.hashes["sha256"],
                    "sha1": sealed.hashes["sha1"],
                    "md5": sealed.hashes["md5"],
                    "pdq": findings.pdq or None,
                    "vpdq_frames": len(findings.vpdq) if findings.vpdq else None,
                    "detected_type": mime,
                    "key_id": sealed.key_id,
                    "status": evidence.status,
                    "quarantine_reason": findings.reason or None,
                },
            )
            matches = match_evidence(evidence=evidence)
            if matches and report is not None:
                raise_priority_for_matches(report=report, evidence=evidence, matches=matches)
    except Exception:
        for name in written:
            vault.delete_quietly(name)
        raise
    return evidence


def _record_unstorable(*, actor, report, attachment, original_name, claimed_type, reason) -> EvidenceFile:
    with transaction.atomic():
        evidence = EvidenceFile.objects.create(
            report=report,
            attachment=attachment,
            original_name=original_name[:255],
            size=0,
            sha256="",
            sha1="",
            md5="",
            detected_type="unknown",
            claimed_type=claimed_type[:100],
            status=FileStatus.QUARANTINED,
            quarantine_reason=reason,
            uploaded_by=actor.user,
            uploaded_by_label=actor.label,
        )
        record(action=Action.COLLECTION, actor=actor, obj=evidence, detail={"status": "not stored", "reason": reason})
    return evidence


def match_evidence(*, evidence: EvidenceFile) -> list[EvidenceMatch]:
    """Check one file against the active lists and keep any matches (quarantined files: hashes only)."""
    found: list[Match] = exact_matches({"md5": evidence.md5, "sha1": evidence.sha1, "sha256": evidence.sha256})
    if evidence.pdq and evidence.status == FileStatus.OK:
        found += pdq_matches(evidence.pdq, quality=evidence.pdq_quality or 0)
    # A picture with data appended (quarantined, ADR 0101) is matched on the picture part too.
    if picture := hidden_content.picture_part(evidence.details):
        found += exact_matches(picture)
        found += pdq_matches(picture["pdq"], quality=picture["pdq_quality"])
    own = _match_self_reported(evidence)
    frames = video.frames_from_dicts(evidence.vpdq) if evidence.vpdq and evidence.status == FileStatus.OK else []
    if frames:
        found += known_video_matches(frames)
    if not found and not own and not frames:
        return []
    known = known_hashes_for(found) if found else {}
    created: list[EvidenceMatch] = []
    seen: set = set()
    for match in sorted(found, key=lambda m: m.distance):
        listed = known.get(match.known_hash_id)
        if listed is None:
            continue
        key = (listed.version.hash_list_id, listed.hash_type, listed.value)
        if key in seen or EvidenceMatch.objects.filter(evidence=evidence, known_hash=listed).exists():
            continue
        seen.add(key)
        created.append(
            EvidenceMatch.objects.create(
                evidence=evidence,
                known_hash=listed,
                hash_list_name=listed.version.hash_list.name,
                list_version=listed.version.number,
                hash_type=listed.hash_type,
                matched_value=listed.value,
                distance=match.distance,
                query_match_percent=match.query_percent,
                compared_match_percent=match.compared_percent,
                category=listed.category,
                series=listed.series,
                victim_identified=listed.victim_identified,
            )
        )
    if frames:
        own += _self_reported_video_matches(evidence, frames)
    # Closest first; at the same distance known material before the self-reported list (match_reason).
    created = sorted(created + own, key=lambda m: (m.distance, m.shared_hash_id is not None))
    if created:
        record(
            action=Action.COMBINATION,
            actor=Actor.system("hash matching"),
            obj=evidence,
            detail={
                "matches": [
                    {"list": m.hash_list_name, "version": m.list_version, "type": m.hash_type, "distance": m.distance}
                    | ({"shared_hash": m.shared_hash_id} if m.shared_hash_id else {})
                    for m in created
                ]
            },
        )
    return created


def _match_self_reported(evidence: EvidenceFile) -> list[EvidenceMatch]:
    """The file against the self-reported list (issue 22): a young person's own image found in an upload
    (a partner's or the public's). Only hashes in the feed match (never held or withdrawn ones); the match
    keeps the hash (`shared_hash`) and its feed sequence as the list version."""
    queries = [(evidence.md5, evidence.pdq if evidence.status == FileStatus.OK else "", evidence.pdq_quality)]
    if picture := hidden_content.picture_part(evidence.details):
        queries.append((picture.get("md5", ""), picture["pdq"], picture["pdq_quality"]))
    found = [m for md5, pdq, quality in queries if md5 for m in self_reported.matches_for_file(
        md5=md5, pdq=pdq or "", pdq_quality=quality)]  # fmt: skip
    if not found:
        return []
    sequences = dict(SharedHash.objects.filter(pk__in={m.shared_hash_id for m in found}).values_list("pk", "sequence"))
    already = set(
        EvidenceMatch.objects.filter(evidence=evidence, shared_hash__isnull=False).values_list(
            "shared_hash_id", "hash_type"
        )
    )
    created = []
    for match in sorted(found, key=lambda m: m.distance):
        key = (match.shared_hash_id, match.hash_type)
        if key in already or match.shared_hash_id not in sequences:
            continue
        already.add(key)
        created.append(
            EvidenceMatch.objects.create(
                evidence=evidence,
                shared_hash_id=match.shared_hash_id,
                hash_list_name=SELF_REPORTED_LIST_NAME,
                list_version=sequences[match.shared_hash_id],
                hash_type=match.hash_type,
                matched_value=match.matched_value,
                distance=match.distance,
                category=SELF_REPORTED_LIST_NAME,
            )
        )
    return created


def _self_reported_video_matches(evidence: EvidenceFile, frames: list[video.Frame]) -> list[EvidenceMatch]:
    """EvidenceMatch rows for self-reported videos (a young person's own, issue 22) this video matches."""
    found = self_reported_video_matches(frames)
    already = set(
        EvidenceMatch.objects.filter(evidence=evidence, hash_type=HashType.VPDQ, shared_hash__isnull=False).values_list(
            "shared_hash_id", flat=True
        )
    )
    shared = SharedHash.objects.in_bulk([m.shared_hash_id for m in found if m.shared_hash_id not in already])
    created = []
    for match in sorted(found, key=lambda m: (m.distance, -m.query_percent)):
        row = shared.get(match.shared_hash_id)
        if row is None:
            continue
        created.append(
            EvidenceMatch.objects.create(
                evidence=evidence,
                shared_hash=row,
                hash_list_name=SELF_REPORTED_LIST_NAME,
                list_version=row.sequence,  # the feed position it was matched at
                hash_type=HashType.VPDQ,
                matched_value=row.vpdq_digest,
                distance=match.distance,
                query_match_percent=match.query_percent,
                compared_match_percent=match.compared_percent,
                category=SELF_REPORTED_LIST_NAME,
            )
        )
    return created


def match_reason(matches: list[EvidenceMatch]) -> str:
    best = matches[0]
    if best.hash_type == HashType.VPDQ and not best.is_exact:
        how = f"closely (vPDQ: {best.query_match_percent or 0:.0f}% of the video's frames)"
    else:
        how = "exactly" if best.is_exact else f"closely (PDQ distance {best.distance})"
    if best.shared_hash_id:
        what = "a video" if best.hash_type == HashType.VPDQ else "an image"
        return (
            f"An attached file matches {how} {what} a young person asked to have removed (the self-reported hash list)."
        )
    category = f", category {best.category}" if best.category else ""
    return f"An attached file matches known material {how} on hash list {best.hash_list_name}{category}."


def raise_priority_for_matches(*, report: Report, evidence: EvidenceFile, matches: list[EvidenceMatch]) -> None:
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        reason = match_reason(matches)
        old = locked.priority
        locked.priority = min(locked.priority, MATCH_PRIORITY)
        reasons = list(locked.priority_reasons or [])
        if reason not in reasons:
            reasons.append(reason)
        if locked.priority == old and reasons == locked.priority_reasons:
            return
        locked.priority_reasons = reasons
        locked.save(update_fields=["priority", "priority_reasons", "updated_at"])
        record(
            action=Action.ALTERATION,
            actor=Actor.system("hash matching"),
            obj=locked,
            detail={
                "fields": ["priority", "priority_reasons"],
                "priority": int(locked.priority),
                "previous_priority": int(old),
                "evidence_file": evidence.pk,
            },
        )
    report.priority, report.priority_reasons = locked.priority, locked.priority_reasons


def open_for_staff(*, evidence: EvidenceFile, user, purpose: str, rendition: bool = False) -> Iterator[bytes]:
    """The decrypted bytes for a member of staff, with the access logged first (chain of custody)."""
    name = evidence.rendition_name if rendition else evidence.stored_name
    if not name:
        raise ValueError("nothing is stored for this evidence file")
    record(
        action=Action.CONSULTATION,
        actor=Actor.of(user),
        obj=evidence,
        detail={"what": "rendition" if rendition else "original", "purpose": purpose[:200]},
    )
    return Vault().open_plaintext(name)


class NotViewable(Exception):
    """This file is never rendered for staff (quarantined, not an image, or nothing stored)."""


def _check_viewable(evidence: EvidenceFile, user) -> None:

    if not can_view_evidence(user):
        raise PermissionDenied("Your role does not allow viewing evidence.")
    if evidence.is_quarantined or not evidence.stored_name or not evidence.width:
        raise NotViewable(evidence.quarantine_reason or "This file is not an image that can be shown.")


def image_for_staff(*, evidence: EvidenceFile, user, reveal_step: int) -> bytes:
    """The PNG a member of staff sees at their reveal step, with the viewing logged (consultation).

    Step 0 is the sealed rendition made at ingest; later steps are rendered in memory from the original.
    """

    _check_viewable(evidence, user)
    reveal = welfare.step(reveal_step)
    if reveal.number == 0 and evidence.rendition_name:
        return b"".join(open_for_staff(evidence=evidence, user=user, purpose="view image", rendition=True))
    record(
        action=Action.CONSULTATION,
        actor=Actor.of(user),
        obj=evidence,
        detail={"what": "image", "step": reveal.number, "shown_as": reveal.label},
    )
    original = Vault().read_plaintext(evidence.stored_name, max_bytes=max_inspect_bytes())
    return welfare.render_step(original, reveal)


def reveal_image(*, evidence: EvidenceFile, user, to_step: int) -> int:
    """Move one member of staff's view of an image to a step (forward one at a time, or back to 0); logged."""

    _check_viewable(evidence, user)
    reveal = welfare.step(to_step)
    record(
        action=Action.CONSULTATION,
        actor=Actor.of(user),
        obj=evidence,
        detail={"what": "reveal" if reveal.number else "hide", "step": reveal.number, "shown_as": reveal.label},
    )
    return reveal.number


def download_original(*, evidence: EvidenceFile, user) -> Iterator[bytes]:
    """The original bytes for a role allowed to download them; the disclosure to staff is logged first."""

    if not can_download_original(user):
        raise PermissionDenied("Your role does not allow downloading original files.")
    if not evidence.stored_name:
        raise NotViewable("Nothing was stored for this file.")
    return open_for_staff(evidence=evidence, user=user, purpose="download original")


@dataclass(frozen=True)
class VerificationProblem:
    evidence_id: int
    stored_name: str
    problem: str


def verify_store(*, actor: Actor | None = None) -> tuple[int, list[VerificationProblem]]:
    """Decrypt and re-hash every stored file; (files checked, problems). The run itself is audited."""
    vault = Vault()
    checked, problems = 0, []
    for evidence in EvidenceFile.objects.exclude(stored_name="").order_by("pk").iterator():
        checked += 1
        problem = _verify_one(vault, evidence)
        if problem:
            problems.append(VerificationProblem(evidence.pk, evidence.stored_name, problem))
    record(
        action=Action.CONSULTATION,
        actor=actor or Actor.system("verify_evidence"),
        obj=("evidence.store", "all"),
        detail={"checked": checked, "problems": [{"evidence": p.evidence_id, "problem": p.problem} for p in problems]},
    )
    return checked, problems


def _verify_one(vault: Vault, evidence: EvidenceFile) -> str:
    hasher = MultiHasher()
    try:
        for part in vault.open_plaintext(evidence.stored_name):
            hasher.update(part)
        if evidence.rendition_name:
            for _part in vault.open_plaintext(evidence.rendition_name):
                pass
    except FileNotFoundError:
        return "stored file is missing"
    except crypto.EvidenceCryptoError as error:
        return f"cannot be decrypted: {error}"
    except OSError as error:
        return f"cannot be read: {error}"
    digests = hasher.hexdigests()
    differing = [k for k in ("sha256", "sha1", "md5") if digests[k] != getattr(evidence, k)]
    if hasher.size != evidence.size:
        differing.append("size")
    return f"does not match what was recorded at ingest ({', '.join(differing)})" if differing else ""


def rewrap_store(*, actor: Actor) -> int:
    """Re-wrap every file not under the current master key (key rotation). Content is never re-encrypted."""
    vault = Vault()
    current = vault.keyring.current_id
    done = 0
    for evidence in EvidenceFile.objects.exclude(stored_name="").exclude(key_id=current).iterator():
        old_names = [evidence.stored_name] + ([evidence.rendition_name] if evidence.rendition_name else [])
        new_name, kid = vault.rewrap(evidence.stored_name)
        new_rendition = vault.rewrap(evidence.rendition_name)[0] if evidence.rendition_name else ""
        with transaction.atomic():
            evidence.stored_name, evidence.key_id, evidence.rendition_name = new_name, kid, new_rendition
            evidence.save(update_fields=["stored_name", "key_id", "rendition_name"])
            record(
                action=Action.ALTERATION,
                actor=actor,
                obj=evidence,
                detail={"fields": ["key_id"], "key_id": kid, "content_reencrypted": False},
            )
        for name in old_names:
            vault.delete_quietly(name)
        done += 1
    return done
