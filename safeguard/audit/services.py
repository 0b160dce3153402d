"""Writing to the DPA 2018 s.62 audit log. Every service that touches personal data calls `record`."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.db import models, transaction
from django.utils import timezone

from safeguard.core.bulk import insert_many

from .models import Action, AuditChainHead, AuditEntry

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who did something: a staff user, or a described outside party (reporter, partner, system)."""

    user: object | None = None
    label: str = ""

    @classmethod
    def of(cls, user) -> "Actor":
        if user is not None and getattr(user, "is_authenticated", False):
            return cls(user=user, label=f"staff:{user.username}")
        return cls(label="anonymous member of the public")

    @classmethod
    def system(cls, what: str) -> "Actor":
        return cls(label=f"system:{what}")


def _canonical(entry: AuditEntry) -> bytes:
    at = entry.at.astimezone(UTC).isoformat(timespec="microseconds")
    body = {
        "sequence": entry.sequence,
        "at": at,
        "action": entry.action,
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "recipient": entry.recipient,
        "justification": entry.justification,
        "detail": entry.detail,
        "previous_hash": entry.previous_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def _object_key(obj: models.Model | tuple[str, str]) -> tuple[str, str]:
    if isinstance(obj, tuple):
        return obj
    return f"{obj._meta.app_label}.{obj._meta.model_name}", str(obj.pk)


def record(
    *,
    action: Action | str,
    actor: Actor,
    obj: models.Model | tuple[str, str],
    detail: dict | None = None,
    recipient: str = "",
    justification: str = "",
) -> AuditEntry:
    """Append one entry to the audit chain, inside the caller's transaction.

    Called inside the same transaction as the change it records, so the change and its
    audit entry commit together or not at all.
    """
    if action == Action.DISCLOSURE and not recipient:
        raise ValueError("A disclosure must name its recipient (DPA 2018 s.62(3)).")
    object_type, object_id = _object_key(obj)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        entry = AuditEntry(
            sequence=head.sequence + 1,
            at=timezone.now(),
            action=str(action),
            actor=actor.user,
            actor_label=actor.label,
            object_type=object_type,
            object_id=object_id,
            recipient=recipient,
            justification=justification,
            detail=detail or {},
            previous_hash=head.last_hash,
        )
        entry.entry_hash = compute_hash(entry)
        entry.save()
        head.sequence = entry.sequence
        head.last_hash = entry.entry_hash
        head.save(update_fields=["sequence", "last_hash"])
    return entry


@dataclass(frozen=True)
class PendingEntry:
    """One entry for `record_many`: the same arguments `record` takes."""

    action: Action | str
    actor: Actor
    obj: models.Model | tuple[str, str]
    detail: dict | None = None
    recipient: str = ""
    justification: str = ""


def record_many(entries: list[PendingEntry]) -> list[AuditEntry]:
    """Append many entries in one go: the chain head is locked once and the rows inserted together.

    The chain is exactly what calling `record` for each in turn would give (consecutive sequence
    numbers, each hashing the one before); it only saves the per-entry lock, read and update.
    """
    for pending in entries:
        if pending.action == Action.DISCLOSURE and not pending.recipient:
            raise ValueError("A disclosure must name its recipient (DPA 2018 s.62(3)).")
    if not entries:
        return []
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        at = timezone.now()
        sequence, previous_hash = head.sequence, head.last_hash
        rows = []
        for pending in entries:
            object_type, object_id = _object_key(pending.obj)
            sequence += 1
            entry = AuditEntry(
                sequence=sequence,
                at=at,
                action=str(pending.action),
                actor=pending.actor.user,
                actor_label=pending.actor.label,
                object_type=object_type,
                object_id=object_id,
                recipient=pending.recipient,
                justification=pending.justification,
                detail=pending.detail or {},
                previous_hash=previous_hash,
            )
            entry.entry_hash = previous_hash = compute_hash(entry)
            rows.append(entry)
        insert_many(AuditEntry, rows)
        head.sequence = sequence
        head.last_hash = previous_hash
        head.save(update_fields=["sequence", "last_hash"])
    return rows


@dataclass(frozen=True)
class ChainVerdict:
    ok: bool
    checked: int
    first_broken_sequence: int | None = None
    reason: str = ""


def verify_chain(*, batch_size: int = 2000) -> ChainVerdict:
    """Re-hash the whole chain in order and report the first entry that does not fit."""
    previous_hash = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("sequence").iterator(chunk_size=batch_size):
        if entry.sequence != expected_sequence:
            return ChainVerdict(False, checked, expected_sequence, "entry missing (sequence gap)")
        if entry.previous_hash != previous_hash:
            return ChainVerdict(False, checked, entry.sequence, "does not follow the previous entry")
        if compute_hash(entry) != entry.entry_hash:
            return ChainVerdict(False, checked, entry.sequence, "contents changed after writing")
        previous_hash = entry.entry_hash
        expected_sequence += 1
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head and head.sequence != checked:
        return ChainVerdict(False, checked, checked + 1, "entries removed from the end of the chain")
    return ChainVerdict(True, checked)


__all__ = ["Action", "Actor", "ChainVerdict", "PendingEntry", "record", "record_many", "verify_chain"]
