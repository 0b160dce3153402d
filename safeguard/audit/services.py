"""Writing to the DPA 2018 s.62 audit log. Every service that touches personal data calls `record`."""

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING

from django.db import connection, models, transaction
from django.utils import timezone

from safeguard.core.bulk import insert_many, insert_sql
from safeguard.core.prepared import fetch_all
from safeguard.core.rows import cache_related, mark_saved, new_rows

from .models import Action, AuditChainHead, AuditEntry

if TYPE_CHECKING:
    from safeguard.accounts.models import User

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who did something: a staff user, or a described outside party (reporter, partner, system)."""

    user: "User | None" = None
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
    audit entry commit together or not at all. Inside `appended_at_end()` the entry is queued
    and appended (sequence and hashes filled in on this same object) when that block ends.
    """
    return record_many([PendingEntry(action, actor, obj, detail, recipient, justification)])[0]


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
    # Instances without Model.__init__ (core/rows.py): for a partner batch, one entry per report
    # made that way costs a tenth of the constructor (ADR 0018, round 4).
    rows = new_rows(AuditEntry, [_entry_values(pending) for pending in entries])
    for pending, row in zip(entries, rows, strict=True):
        if pending.actor.user is not None:
            cache_related(row, "actor", pending.actor.user)  # as AuditEntry(actor=user) would
    tail = _queue.get()
    if tail is not None:
        tail.entries.extend(rows)
    else:
        _append(rows)
    return rows


def _entry_values(pending: PendingEntry) -> dict:
    """An entry's field values by attname, for `new_rows`, after the checks every entry must pass."""
    if pending.action == Action.DISCLOSURE and not pending.recipient:
        raise ValueError("A disclosure must name its recipient (DPA 2018 s.62(3)).")
    object_type, object_id = _object_key(pending.obj)
    user = pending.actor.user
    return {
        "action": str(pending.action),
        "actor_id": None if user is None else user.pk,
        "actor_label": pending.actor.label,
        "object_type": object_type,
        "object_id": object_id,
        "recipient": pending.recipient,
        "justification": pending.justification,
        "detail": pending.detail or {},
    }


# --- appending to the chain -------------------------------------------------------------------------
#
# Every writer serialises on the single chain-head row, so how long that row stays locked bounds
# the whole service's write rate. The head is locked and advanced by one UPDATE .. RETURNING (not
# get_or_create + SELECT FOR UPDATE + save), the entries and the new head hash go in one more
# statement on PostgreSQL, and no savepoints are taken (ADR 0014).


@dataclass
class _Tail:
    """What an `appended_at_end()` block sends last: its audit entries, and rows riding along."""

    entries: list[AuditEntry]
    rows: list[models.Model]


_queue: ContextVar[_Tail | None] = ContextVar("audit_queue", default=None)

# Small appends go in one INSERT .. RETURNING; bigger ones by COPY (core/bulk.py).
_COPY_FROM = 200


@contextmanager
def appended_at_end() -> Iterator[None]:
    """Queue the entries recorded in this block and append them to the chain as it ends.

    For a request whose transaction does more after its first `record` (more inserts, an
    idempotency record): the chain head is then locked only from the end of the work to the
    commit, rather than through the work. Must run inside a transaction, so that the entries
    still commit with the change they record. Nested use joins the outer block.
    """
    if _queue.get() is not None:
        yield
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("appended_at_end() must run inside a transaction (transaction.atomic()).")
    tail = _Tail(entries=[], rows=[])
    token = _queue.set(tail)
    try:
        yield
    finally:
        _queue.reset(token)
    # Not reached if the block raised: its work is being rolled back anyway.
    _append(tail.entries, rows=tail.rows)


def insert_at_end(obj: models.Model) -> None:
    """Insert this new row with the audit entries of the enclosing `appended_at_end()` block.

    For rows nothing else in the transaction reads back (a partner's working copy, an idempotency
    record): on PostgreSQL they go in the same statement as the chain append, one round trip for
    all. The primary key is set once that has run. Outside such a block the row is saved at once.
    """
    tail = _queue.get()
    if tail is None:
        obj.save(force_insert=True)
    else:
        tail.rows.append(obj)


def _append(entries: list[AuditEntry], *, rows: Sequence[models.Model] = ()) -> None:
    """Number, chain and insert these entries, in the caller's transaction (or a new one)."""
    if not entries:
        for obj in rows:
            obj.save(force_insert=True)
        return
    with transaction.atomic(savepoint=False):
        last_sequence, previous_hash = _advance_head(len(entries))
        at = timezone.now()  # taken under the lock, so times never go backwards along the chain
        sequence = last_sequence - len(entries)
        for entry in entries:
            sequence += 1
            entry.sequence = sequence
            entry.at = at
            entry.previous_hash = previous_hash
            entry.entry_hash = previous_hash = compute_hash(entry)
        _insert(entries, head_hash=previous_hash, rows=list(rows))


def _advance_head(count: int) -> tuple[int, str]:
    """Lock the chain head and move it on by `count`; return (its new sequence, the hash before)."""
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    sql = f"UPDATE {table} SET sequence = sequence + %s WHERE id = 1 RETURNING sequence, last_hash"  # noqa: S608
    # Prepared on PostgreSQL (core/prepared.py): the same text on every append (ADR 0018, round 4).
    rows = fetch_all(sql, [count])
    if not rows:  # the very first entry: create the head, then take it like everyone else
        AuditChainHead.objects.get_or_create(id=1)
        rows = fetch_all(sql, [count])
    return rows[0][0], rows[0][1]


def _insert(entries: list[AuditEntry], *, head_hash: str, rows: Sequence[models.Model]) -> None:
    head_table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    set_head = f"UPDATE {head_table} SET last_hash = %s WHERE id = 1"  # noqa: S608
    if connection.vendor != "postgresql" or len(entries) >= _COPY_FROM:
        for obj in rows:
            obj.save(force_insert=True)
        insert_many(AuditEntry, entries)
        with connection.cursor() as cursor:
            cursor.execute(set_head, [head_hash])
        return
    # One statement: the riding rows, the entries (ids back for all) and the head's new hash.
    groups = [[obj] for obj in rows] + [entries]
    parts, params, selects = [], [], []
    for number, objs in enumerate(groups):
        sql, group_params = insert_sql(objs)
        parts.append(f"i{number} AS ({sql})")
        params.extend(group_params)
        selects.append(f"SELECT {number}, id FROM i{number}")  # noqa: S608 - numbers only
    params.append(head_hash)
    sql = f"WITH {', '.join(parts)}, head AS ({set_head}) {' UNION ALL '.join(selects)}"
    returned = fetch_all(sql, params)  # prepared: one text per shape of append, e.g. every submission's
    ids: dict[int, list[int]] = {}
    for number, new_id in returned:
        ids.setdefault(number, []).append(new_id)
    for number, objs in enumerate(groups):
        # One INSERT takes its ids from the sequence in VALUES order, so sorted ids match the rows.
        for obj, new_id in zip(objs, sorted(ids[number]), strict=True):
            obj.pk = new_id
        mark_saved(objs, connection.alias)


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


__all__ = [
    "Action",
    "Actor",
    "ChainVerdict",
    "PendingEntry",
    "appended_at_end",
    "insert_at_end",
    "record",
    "record_many",
    "verify_chain",
]
