"""The self-reported hash list: hashes of a young person's own images and videos, shared with platforms.

Issue 22, ADR 0106. The young person's browser hashes the files (MD5 and PDQ for an image, MD5 and vPDQ
for a video); only the hashes reach us, under the reference of their removal request. They are shared
at once (as Take It Down does); a supervisor may hold one back (suspected misuse) and release it again;
the young person may withdraw the whole request. Partners fetch the list as a delta feed from a cursor
(python-threatexchange's fetch/checkpoint model) and report back where they found a hash and what they
did, which the young person sees as counts on their follow-up page.

The feed: every change partners must see (added, withdrawn, held, released) gives the row a new, higher
`sequence` from the single `SharedHashCounter` row, locked until the change commits. So sequences are
committed in order (a reader never sees a higher one before a lower one that will still appear), a
rolled-back change leaves at most a gap, and a fetch from cursor `v1.<n>` sees every row changed after n
once, in its latest state: "add" while active and shared, "remove" (a tombstone) otherwise.

Every write is audited; a fetch page is one disclosure entry naming the partner and the sequence range.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from safeguard.accounts.roles import Capability, check_capability
from safeguard.audit.services import Action, Actor, record

from .models import (
    REMOVAL_ACTIONS,
    PlatformAction,
    PlatformMatch,
    ReviewState,
    SharedHash,
    SharedHashCounter,
    SharedHashKind,
    SharedHashState,
)
from .pdq_index import DEFAULT_THRESHOLD, CachedPdqIndex, hex_to_codes

MAX_ITEMS_PER_CALL = 50
MIN_PDQ_QUALITY = 50
MAX_VPDQ_FRAMES = 3600
MAX_FEED_LIMIT = 10_000
DEFAULT_FEED_LIMIT = 1000
MAX_MATCH_REPORTS = 1000
LABELS = ("self-reported",)
CURSOR_VERSION = "v1"
SIGNAL_TYPES = ("md5", "pdq", "vpdq")
ACTIONS = tuple(str(a) for a in PlatformAction)

_HEX32 = re.compile(r"[0-9a-f]{32}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_CURSOR = re.compile(r"v1\.(0|[1-9][0-9]{0,18})")
_REQUEST_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
_AUDIT_TYPE = "evidence.selfreportedrequest"  # audit object for a whole request (its hashes listed in detail)


class SelfReportedHashError(Exception):
    """Input refused. `.code` says what kind of problem, `.index` which item (None: the call as a whole);
    `str()` is a plain sentence saying what is wrong and, where it helps, what to do."""

    def __init__(self, code: str, message: str, *, index: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.index = index

    def __str__(self) -> str:
        return self.message


def _actor_for(request_ref: str) -> Actor:
    return Actor(label=f"young person: removal request {request_ref}")


# --- validation ---------------------------------------------------------------------------------------


def _hex(value, pattern: re.Pattern) -> str | None:
    if not isinstance(value, str):
        return None
    lowered = value.lower()
    return lowered if pattern.fullmatch(lowered) else None


def _quality(value) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        return None
    return value


def _where(index: int | None) -> str:
    return "" if index is None else f" (item {index + 1})"


def _validate_frames(frames, index: int | None) -> list[dict]:
    where = _where(index)

    def bad(message: str) -> SelfReportedHashError:
        return SelfReportedHashError("bad_vpdq", f"The video's frame hashes{where} {message}", index=index)

    if not isinstance(frames, list) or not frames:
        raise bad("are missing: a video needs a list of at least one frame hash.")
    if len(frames) > MAX_VPDQ_FRAMES:
        raise bad(f"number {len(frames)}; at most {MAX_VPDQ_FRAMES} (one a second for an hour) are accepted.")
    cleaned, previous = [], -1.0
    for n, frame in enumerate(frames, start=1):
        if not isinstance(frame, dict):
            raise bad(f"are not all objects (frame {n}).")
        pdq = _hex(frame.get("pdq"), _HEX64)
        if pdq is None:
            raise bad(f"include one that is not a PDQ hash of 64 hexadecimal characters (frame {n}).")
        quality = _quality(frame.get("quality"))
        if quality is None:
            raise bad(f"include a quality that is not a whole number from 0 to 100 (frame {n}).")
        timestamp = frame.get("timestamp")
        if isinstance(timestamp, bool) or not isinstance(timestamp, int | float) or not math.isfinite(timestamp):
            raise bad(f"include a timestamp that is not a number of seconds (frame {n}).")
        if timestamp < 0 or timestamp < previous:
            raise bad(f"have timestamps that go backwards or below zero (frame {n}).")
        previous = float(timestamp)
        cleaned.append({"pdq": pdq, "quality": quality, "timestamp": round(float(timestamp), 3)})
    if max(f["quality"] for f in cleaned) < MIN_PDQ_QUALITY:
        raise SelfReportedHashError(
            "low_quality",
            f"Every frame of the video{where} is too plain to recognise reliably (PDQ quality below "
            f"{MIN_PDQ_QUALITY}), so platforms could not match it. Its MD5 alone is not shared either: "
            "try another copy of the video.",
            index=index,
        )
    return cleaned


def validate_item(item, *, index: int | None = None) -> dict:
    """One item as stored: {"kind", "md5", "pdq", "pdq_quality", "vpdq"} (hex lower-cased), or
    SelfReportedHashError. Other keys (width, height, duration from the browser) are ignored."""
    where = _where(index)
    if not isinstance(item, dict):
        raise SelfReportedHashError("bad_item", f"Each item must be an object of hashes{where}.", index=index)
    kind = item.get("kind")
    if kind not in SharedHashKind.values:
        raise SelfReportedHashError(
            "bad_kind", f'The item\'s kind{where} must be "image" or "video", not {kind!r}.', index=index
        )
    md5 = _hex(item.get("md5"), _HEX32)
    if md5 is None:
        raise SelfReportedHashError("bad_md5", f"The MD5 hash{where} must be 32 hexadecimal characters.", index=index)
    pdq, quality, vpdq = item.get("pdq"), item.get("pdq_quality"), item.get("vpdq")
    if kind == SharedHashKind.VIDEO:
        if pdq is not None or quality is not None:
            raise SelfReportedHashError(
                "bad_pdq", f"A video{where} has frame hashes (vpdq), not a single PDQ hash.", index=index
            )
        return {"kind": kind, "md5": md5, "pdq": "", "pdq_quality": None, "vpdq": _validate_frames(vpdq, index)}
    if vpdq is not None:
        raise SelfReportedHashError("bad_vpdq", f"Only a video has frame hashes (vpdq){where}.", index=index)
    if pdq is None:
        if quality is not None:
            raise SelfReportedHashError("bad_pdq", f"The image{where} has a PDQ quality but no PDQ hash.", index=index)
        return {"kind": kind, "md5": md5, "pdq": "", "pdq_quality": None, "vpdq": None}
    pdq = _hex(pdq, _HEX64)
    if pdq is None:
        raise SelfReportedHashError("bad_pdq", f"The PDQ hash{where} must be 64 hexadecimal characters.", index=index)
    quality = _quality(quality)
    if quality is None:
        raise SelfReportedHashError(
            "bad_quality", f"The PDQ quality{where} must be a whole number from 0 to 100.", index=index
        )
    if quality < MIN_PDQ_QUALITY:
        raise SelfReportedHashError(
            "low_quality",
            f"The image{where} is too plain to recognise reliably (PDQ quality {quality}, below "
            f"{MIN_PDQ_QUALITY}), so platforms could not match it. Try another copy of the picture.",
            index=index,
        )
    return {"kind": kind, "md5": md5, "pdq": pdq, "pdq_quality": quality, "vpdq": None}


def _check_request_ref(request_ref) -> str:
    if not isinstance(request_ref, str) or not _REQUEST_REF.fullmatch(request_ref):
        raise SelfReportedHashError(
            "bad_request_ref", "The request reference must be 1 to 40 letters, digits, '-' or '_'."
        )
    return request_ref


# --- feed sequences -----------------------------------------------------------------------------------


def _take_sequences(count: int) -> range:
    """The next `count` feed sequences. Locks the counter row until the caller's transaction ends, so
    changes commit in sequence order on PostgreSQL and SQLite alike."""
    SharedHashCounter.objects.get_or_create(pk=1)
    counter = SharedHashCounter.objects.select_for_update().get(pk=1)
    start = counter.last_sequence + 1
    if count:
        counter.last_sequence += count
        counter.save(update_fields=["last_sequence"])
    return range(start, start + count)


def latest_sequence() -> int:
    return SharedHashCounter.objects.filter(pk=1).values_list("last_sequence", flat=True).first() or 0


def vpdq_value(frames: list[dict]) -> str:
    """A video's vPDQ as one feed value: a frame per line, "pdq,quality,timestamp" (seconds, 3 places)."""
    return "\n".join(f"{f['pdq']},{f['quality']},{float(f['timestamp']):.3f}" for f in frames)


def _vpdq_digest(frames: list[dict] | None) -> str:
    return hashlib.sha256(vpdq_value(frames).encode()).hexdigest() if frames else ""


# --- the young person's request ---------------------------------------------------------------------


@transaction.atomic
def add_hashes(*, request_ref: str, items: list[dict]) -> list[SharedHash]:
    """Share these hashes under the request. All or nothing: the first bad item raises
    SelfReportedHashError (with its index) and nothing is stored."""
    request_ref = _check_request_ref(request_ref)
    if not isinstance(items, list) or not items:
        raise SelfReportedHashError("empty", "Choose at least one picture or video to share.")
    if len(items) > MAX_ITEMS_PER_CALL:
        raise SelfReportedHashError(
            "too_many",
            f"At most {MAX_ITEMS_PER_CALL} pictures or videos can be added at a time; this had {len(items)}. "
            "Add the rest afterwards.",
        )
    cleaned = [validate_item(item, index=i) for i, item in enumerate(items)]
    _take_sequences(0)  # lock first: the checks below then hold until this commits
    if SharedHash.objects.filter(request_ref=request_ref, state=SharedHashState.WITHDRAWN).exists():
        raise SelfReportedHashError(
            "withdrawn", "This request was withdrawn, so nothing more can be added to it. Start a new one."
        )
    existing = set(SharedHash.objects.filter(request_ref=request_ref).values_list("md5", flat=True))
    seen: set[str] = set()
    for i, item in enumerate(cleaned):
        if item["md5"] in existing or item["md5"] in seen:
            where = "shared under this request" if item["md5"] in existing else "in this list"
            raise SelfReportedHashError(
                "duplicate",
                f"Item {i + 1} is the same file as one already {where}, so it is not added twice.",
                index=i,
            )
        seen.add(item["md5"])
    sequences = _take_sequences(len(cleaned))
    now = timezone.now()
    rows = [
        SharedHash(
            request_ref=request_ref,
            kind=item["kind"],
            md5=item["md5"],
            pdq=item["pdq"],
            pdq_quality=item["pdq_quality"],
            vpdq=item["vpdq"],
            vpdq_digest=_vpdq_digest(item["vpdq"]),
            sequence=sequence,
            created_at=now,
        )
        for item, sequence in zip(cleaned, sequences, strict=True)
    ]
    created = SharedHash.objects.bulk_create(rows)  # pks set on SQLite and PostgreSQL (RETURNING)
    record(
        action=Action.COLLECTION,
        actor=_actor_for(request_ref),
        obj=(_AUDIT_TYPE, request_ref),
        detail={
            "self_reported_hashes": [
                {"id": row.pk, "kind": row.kind, "md5": row.md5, "sequence": row.sequence} for row in created
            ]
        },
    )
    _pdq_cache.clear()
    return created


def existing_md5s(*, request_ref: str) -> set[str]:
    """The MD5s already shared under the request (so a page can say which chosen files are already in)."""
    return set(SharedHash.objects.filter(request_ref=request_ref).values_list("md5", flat=True))


@transaction.atomic
def withdraw(*, request_ref: str) -> int:
    """Withdraw every hash of the request: each becomes a tombstone in the feed (partners delete it) and
    is no longer matched. Returns how many were withdrawn (0 if none were active)."""
    request_ref = _check_request_ref(request_ref)
    _take_sequences(0)
    ids = list(
        SharedHash.objects.filter(request_ref=request_ref, state=SharedHashState.ACTIVE)
        .order_by("sequence")
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    now = timezone.now()
    for pk, sequence in zip(ids, _take_sequences(len(ids)), strict=True):
        SharedHash.objects.filter(pk=pk).update(state=SharedHashState.WITHDRAWN, withdrawn_at=now, sequence=sequence)
    record(
        action=Action.ERASURE,
        actor=_actor_for(request_ref),
        obj=(_AUDIT_TYPE, request_ref),
        detail={"withdrawn_self_reported_hashes": ids, "feed": "sent to partners as removals"},
        justification="Withdrawn by the young person.",
    )
    _pdq_cache.clear()
    return len(ids)


def status_for(*, request_ref: str) -> dict:
    """Counts for the young person's follow-up page (no hashes, no partner names)."""
    rows = SharedHash.objects.filter(request_ref=request_ref)
    counts = rows.aggregate(
        shared=Count("pk", filter=Q(state=SharedHashState.ACTIVE)),
        withdrawn=Count("pk", filter=Q(state=SharedHashState.WITHDRAWN)),
    )
    matches = PlatformMatch.objects.filter(shared_hash__request_ref=request_ref)
    removed = matches.filter(action=PlatformAction.REMOVED)
    return {
        "shared": counts["shared"],
        "withdrawn": counts["withdrawn"],
        "platforms_matched": matches.values("partner_label").distinct().count(),
        "removed_by_platforms": removed.values("shared_hash").distinct().count(),
        "blocked_by_platforms": matches.filter(action=PlatformAction.BLOCKED_UPLOAD)
        .values("shared_hash")
        .distinct()
        .count(),
        "last_removed_at": removed.aggregate(at=Max("reported_at"))["at"],
    }


# --- supervisors --------------------------------------------------------------------------------------


@transaction.atomic
def review(*, shared_hash_id: int, state: str, by, reason: str) -> SharedHash:
    """Hold a hash out of the feed (partners get a removal) or release it back (partners get it again).
    `by` is the supervisor (a User, with Capability.REVIEW_SELF_REPORTED); the reason is required and kept
    with the audit entry."""
    check_capability(by, Capability.REVIEW_SELF_REPORTED)
    if state not in ReviewState.values:
        raise SelfReportedHashError("bad_state", f"The review decision must be shared or held, not {state!r}.")
    reason = (reason or "").strip()
    if not reason:
        raise SelfReportedHashError("reason_required", "Give a reason for the decision.")
    _take_sequences(0)
    shared = SharedHash.objects.select_for_update().filter(pk=shared_hash_id).first()
    if shared is None:
        raise SelfReportedHashError("not_found", "There is no self-reported hash with this id.")
    if shared.state == SharedHashState.WITHDRAWN:
        raise SelfReportedHashError("withdrawn", "This hash was withdrawn by the young person; it is not shared.")
    if shared.review_state == state:
        raise SelfReportedHashError(
            "no_change", f"This hash is already {ReviewState(state).label.lower()}; nothing was changed."
        )
    actor = Actor.of(by)
    previous = shared.review_state
    (shared.sequence,) = _take_sequences(1)
    shared.review_state = state
    shared.review_reason = reason[:500]
    shared.reviewed_by_label = actor.label
    shared.reviewed_at = timezone.now()
    shared.save(update_fields=["sequence", "review_state", "review_reason", "reviewed_by_label", "reviewed_at"])
    record(
        action=Action.ALTERATION,
        actor=actor,
        obj=shared,
        detail={
            "fields": ["review_state"],
            "review_state": state,
            "previous_review_state": previous,
            "request": shared.request_ref,
            "sequence": shared.sequence,
        },
        justification=reason[:500],
    )
    _pdq_cache.clear()
    return shared


def matches_for(*, shared_hash_ids: Iterable[int] | None = None, request_ref: str | None = None) -> dict[int, dict]:
    """Per hash: {"matches": n, "platforms": distinct partners, "removed": n, "last_reported_at": datetime}."""
    query = PlatformMatch.objects.all()
    if shared_hash_ids is not None:
        query = query.filter(shared_hash_id__in=list(shared_hash_ids))
    if request_ref is not None:
        query = query.filter(shared_hash__request_ref=request_ref)
    rows = query.values("shared_hash_id").annotate(
        matches=Count("pk"),
        platforms=Count("partner_label", distinct=True),
        removed=Count("pk", filter=Q(action__in=REMOVAL_ACTIONS)),
        last_reported_at=Max("reported_at"),
    )
    return {row.pop("shared_hash_id"): row for row in rows}


# --- the partner feed -----------------------------------------------------------------------------


def parse_cursor(cursor: str | None) -> int:
    """The sequence a cursor stands for (None or "" = the start), or SelfReportedHashError("bad_cursor")."""
    if cursor is None or cursor == "":
        return 0
    match = _CURSOR.fullmatch(cursor) if isinstance(cursor, str) else None
    if match is None:
        raise SelfReportedHashError(
            "bad_cursor",
            "This cursor was not given out by this feed (it should look like v1.1234). Use next_cursor "
            "from the last page, or leave it out to fetch from the start.",
        )
    after = int(match.group(1))
    latest = latest_sequence()
    if after > latest:
        raise SelfReportedHashError(
            "bad_cursor",
            f"This cursor is ahead of the feed, which is at v1.{latest}: it did not come from this feed. "
            "Fetch from the start (no cursor) to rebuild your copy.",
        )
    return after


def make_cursor(sequence: int) -> str:
    return f"{CURSOR_VERSION}.{sequence}"


_ROW_FIELDS = ("sequence", "kind", "md5", "pdq", "pdq_quality", "vpdq", "state", "review_state")


def _page_rows(after: int, limit: int) -> tuple[list[tuple], bool]:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_FEED_LIMIT:
        raise SelfReportedHashError("bad_limit", f"limit must be a whole number from 1 to {MAX_FEED_LIMIT}.")
    rows = list(
        SharedHash.objects.filter(sequence__gt=after).order_by("sequence").values_list(*_ROW_FIELDS)[: limit + 1]
    )
    has_more = len(rows) > limit
    return rows[:limit], has_more


def _items(rows: list[tuple]) -> list[dict]:
    items = []
    labels = list(LABELS)
    for sequence, kind, md5, pdq, pdq_quality, vpdq, state, review_state in rows:
        add = state == SharedHashState.ACTIVE and review_state == ReviewState.SHARED
        op = "add" if add else "remove"
        items.append(
            {"sequence": sequence, "op": op, "signal_type": "md5", "value": md5, "quality": None,
             "labels": labels if add else []}
        )  # fmt: skip
        if kind == SharedHashKind.VIDEO and vpdq:
            items.append(
                {"sequence": sequence, "op": op, "signal_type": "vpdq", "value": vpdq_value(vpdq), "quality": None,
                 "labels": labels if add else []}
            )  # fmt: skip
        elif pdq:
            items.append(
                {"sequence": sequence, "op": op, "signal_type": "pdq", "value": pdq,
                 "quality": pdq_quality if add else None, "labels": labels if add else []}
            )  # fmt: skip
    return items


# The feed's JSON written directly: hex values and integers need no escaping, and a video's vPDQ value
# only "\n" (json.dumps does it). A page of 10,000 hashes is several times faster than json.dumps of dicts.
_ADD_LABELS = json.dumps(list(LABELS))


def _items_json(rows: list[tuple]) -> str:
    parts = []
    append = parts.append
    for sequence, _kind, md5, pdq, pdq_quality, vpdq, state, review_state in rows:
        if state == "active" and review_state == "shared":
            append(
                f'{{"sequence":{sequence},"op":"add","signal_type":"md5","value":"{md5}",'
                f'"quality":null,"labels":{_ADD_LABELS}}}'
            )
            if vpdq:
                append(
                    f'{{"sequence":{sequence},"op":"add","signal_type":"vpdq","value":{json.dumps(vpdq_value(vpdq))},'
                    f'"quality":null,"labels":{_ADD_LABELS}}}'
                )
            elif pdq:
                append(
                    f'{{"sequence":{sequence},"op":"add","signal_type":"pdq","value":"{pdq}",'
                    f'"quality":{pdq_quality},"labels":{_ADD_LABELS}}}'
                )
        else:
            append(
                f'{{"sequence":{sequence},"op":"remove","signal_type":"md5","value":"{md5}","quality":null,"labels":[]}}'
            )
            if vpdq:
                append(
                    f'{{"sequence":{sequence},"op":"remove","signal_type":"vpdq","value":{json.dumps(vpdq_value(vpdq))},'
                    '"quality":null,"labels":[]}'
                )
            elif pdq:
                append(
                    f'{{"sequence":{sequence},"op":"remove","signal_type":"pdq","value":"{pdq}","quality":null,"labels":[]}}'
                )
    return "[" + ",".join(parts) + "]"


def _disclose(rows: list[tuple], recipient: str | None, item_count: int, *, hashes: int | None = None) -> None:
    """One disclosure entry for a page: `rows` from first to last (only their sequences are read)."""
    if recipient is None or not rows:
        return
    with transaction.atomic():
        record(
            action=Action.DISCLOSURE,
            actor=Actor.system("self-reported hash feed"),
            obj=("evidence.sharedhashfeed", "self-reported"),
            recipient=recipient,
            detail={
                "from_sequence": rows[0][0],
                "to_sequence": rows[-1][0],
                "hashes": len(rows) if hashes is None else hashes,
                "items": item_count,
            },
        )


def feed_page(*, cursor: str | None, limit: int = DEFAULT_FEED_LIMIT, recipient: str | None = None):
    """(items, next_cursor, has_more): the hashes changed after the cursor, oldest change first, at most
    `limit` hashes (each gives one item per signal: md5, and pdq or vpdq), all of a hash's items together.
    With a recipient (the partner), the page is logged as one disclosure to it."""
    after = parse_cursor(cursor)
    rows, has_more = _page_rows(after, limit)
    items = _items(rows)
    _disclose(rows, recipient, len(items))
    return items, make_cursor(rows[-1][0] if rows else after), has_more


@dataclass(frozen=True)
class FeedPageJson:
    items_json: str  # a JSON array of the items, as feed_page gives them
    next_cursor: str
    has_more: bool
    hashes: int


def _sql_item(op: str, signal_type: str, value: str, quality: str, labels: str) -> str:
    """SQL for one item's JSON text; `value` and `quality` are column names or SQL literals."""
    return (
        """'{"sequence":' || sequence || '"""
        f""","op":"{op}","signal_type":"{signal_type}","value":"' || {value} || '","quality":' || {quality} """
        f"""|| ',"labels":{labels}}}'"""
    )


def _page_sql() -> str:
    """One row per hash: (sequence, its items as JSON text, written by the database, or NULL for a video or
    anything unusual, which Python writes from the full row, and the number of items). Plain SQL that
    SQLite and PostgreSQL both run (`||` and CASE); hex and integers need no escaping."""
    assert "'" not in _ADD_LABELS  # a constant, embedded in the SQL
    add = f"state = '{SharedHashState.ACTIVE}' AND review_state = '{ReviewState.SHARED}'"
    md5_add = _sql_item("add", "md5", "md5", "'null'", _ADD_LABELS)
    pdq_add = _sql_item("add", "pdq", "pdq", "pdq_quality", _ADD_LABELS)
    md5_remove = _sql_item("remove", "md5", "md5", "'null'", "[]")
    pdq_remove = _sql_item("remove", "pdq", "pdq", "'null'", "[]")
    table = SharedHash._meta.db_table
    return (
        f"SELECT sequence, CASE WHEN vpdq IS NOT NULL THEN NULL "  # noqa: S608 - no input in the text
        f"WHEN {add} THEN {md5_add} || CASE WHEN pdq <> '' THEN ',' || {pdq_add} ELSE '' END "
        f"ELSE {md5_remove} || CASE WHEN pdq <> '' THEN ',' || {pdq_remove} ELSE '' END END, "
        f"CASE WHEN pdq <> '' OR vpdq IS NOT NULL THEN 2 ELSE 1 END "
        f"FROM {table} WHERE sequence > %s ORDER BY sequence LIMIT %s"
    )


_PAGE_SQL: str | None = None


def _page_json(after: int, limit: int) -> tuple[str, int, int, int, bool, int]:
    """(items JSON, hashes, first and last sequence, has_more, items) of the page after `after`.

    The database writes each hash's items (a page of 10,000 costs a third of fetching the columns and
    writing them in Python); a video's, and any row it gives NULL for, are written by _items_json."""
    global _PAGE_SQL
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_FEED_LIMIT:
        raise SelfReportedHashError("bad_limit", f"limit must be a whole number from 1 to {MAX_FEED_LIMIT}.")
    if _PAGE_SQL is None:
        _PAGE_SQL = _page_sql()
    with connection.cursor() as cursor:
        cursor.execute(_PAGE_SQL, [after, limit + 1])
        rows = cursor.fetchall()
    has_more = len(rows) > limit
    rows = rows[:limit]
    if not rows:
        return "[]", 0, 0, 0, has_more, 0
    parts = [row[1] for row in rows]
    missing = [n for n, part in enumerate(parts) if part is None]
    if missing:
        sequences = [rows[n][0] for n in missing]
        found = SharedHash.objects.filter(sequence__in=sequences).values_list(*_ROW_FIELDS)
        full = {row[0]: row for row in found}
        for n, sequence in zip(missing, sequences, strict=True):
            parts[n] = _items_json([full[sequence]])[1:-1]
    items = sum(row[2] for row in rows)
    return "[" + ",".join(parts) + "]", len(rows), rows[0][0], rows[-1][0], has_more, items


def feed_page_json(
    *, cursor: str | None, limit: int = DEFAULT_FEED_LIMIT, recipient: str | None = None
) -> FeedPageJson:
    """feed_page, with the items already written as JSON (the API's fast path; same content)."""
    after = parse_cursor(cursor)
    items_json, hashes, first, last, has_more, items = _page_json(after, limit)
    if recipient is not None and hashes:
        _disclose([(first,), (last,)], recipient, items, hashes=hashes)
    return FeedPageJson(items_json, make_cursor(last if hashes else after), has_more, hashes)


# --- partners reporting matches ---------------------------------------------------------------------


@dataclass(frozen=True)
class MatchResult:
    index: int
    result: str  # ok, unknown_hash, replay, invalid
    message: str = ""
    field: str = ""  # for invalid: the field at fault


def _clean_match(item) -> tuple[dict | None, str, str]:
    """(cleaned item, field, message): cleaned None when the item is invalid."""
    if not isinstance(item, dict):
        return None, "", "Each match must be an object."
    signal_type = item.get("signal_type")
    if signal_type not in SIGNAL_TYPES:
        return None, "signal_type", f"signal_type must be one of {', '.join(SIGNAL_TYPES)}."
    value = item.get("value")
    if not isinstance(value, str) or not value:
        return None, "value", "value must be the hash as the feed gave it."
    if signal_type == "md5":
        value = _hex(value, _HEX32)
    elif signal_type == "pdq":
        value = _hex(value, _HEX64)
    if value is None:
        length = 32 if signal_type == "md5" else 64
        return None, "value", f"A {signal_type} value must be {length} hexadecimal characters."
    action = item.get("action")
    if action not in ACTIONS:
        return None, "action", f"action must be one of {', '.join(ACTIONS)}."
    client_ref = item.get("client_ref")
    if not isinstance(client_ref, str) or not 1 <= len(client_ref) <= 200:
        return None, "client_ref", "client_ref must be your own reference for this match, 1 to 200 characters."
    where_seen = item.get("where_seen") or ""
    if not isinstance(where_seen, str) or len(where_seen) > 500:
        return None, "where_seen", "where_seen must be text of at most 500 characters."
    seen_at = item.get("seen_at")
    if seen_at is not None and not isinstance(seen_at, datetime):
        return None, "seen_at", "seen_at must be a date and time."
    if seen_at is not None and timezone.is_naive(seen_at):
        return None, "seen_at", "seen_at must include a time zone (e.g. 2026-12-07T18:00:00Z)."
    cleaned = {
        "signal_type": signal_type,
        "value": value,
        "action": action,
        "client_ref": client_ref,
        "where_seen": where_seen,
        "seen_at": seen_at,
    }
    return cleaned, "", ""


def _hash_ids_for(signal_type: str, value: str) -> list[int]:
    """Rows a partner's signal names: not withdrawn (a withdrawn hash is no longer on the list)."""
    active = SharedHash.objects.filter(state=SharedHashState.ACTIVE)
    if signal_type == "md5":
        active = active.filter(md5=value)
    elif signal_type == "pdq":
        active = active.filter(pdq=value)
    else:
        active = active.filter(vpdq_digest=hashlib.sha256(value.encode()).hexdigest())
    return list(active.order_by("pk").values_list("pk", flat=True))


def record_platform_matches(*, partner_label: str, items: list) -> list[MatchResult]:
    """Record what a partner found, item by item: ok (recorded), unknown_hash (not on the list, or
    withdrawn), replay (this partner sent this client_ref before: not counted again) or invalid (with
    the field and why). Good items are kept whatever happens to the others."""
    results: list[MatchResult] = []
    recorded: list[dict] = []
    with transaction.atomic():
        for index, item in enumerate(items):
            cleaned, field, message = _clean_match(item)
            if cleaned is None:
                results.append(MatchResult(index, "invalid", message, field))
                continue
            if PlatformMatch.objects.filter(partner_label=partner_label, client_ref=cleaned["client_ref"]).exists():
                results.append(
                    MatchResult(index, "replay", "Already recorded under this client_ref; not counted again.")
                )
                continue
            ids = _hash_ids_for(cleaned["signal_type"], cleaned["value"])
            if not ids:
                results.append(MatchResult(index, "unknown_hash", "No hash on the self-reported list has this value."))
                continue
            try:
                with transaction.atomic():  # a race with a concurrent replay loses only this item
                    PlatformMatch.objects.bulk_create(
                        [
                            PlatformMatch(
                                shared_hash_id=pk,
                                partner_label=partner_label,
                                signal_type=cleaned["signal_type"],
                                where_seen=cleaned["where_seen"],
                                action=cleaned["action"],
                                seen_at=cleaned["seen_at"],
                                client_ref=cleaned["client_ref"],
                            )
                            for pk in ids
                        ]
                    )
            except IntegrityError:
                results.append(
                    MatchResult(index, "replay", "Already recorded under this client_ref; not counted again.")
                )
                continue
            results.append(MatchResult(index, "ok"))
            recorded.append({"shared_hashes": ids, "action": cleaned["action"], "client_ref": cleaned["client_ref"]})
        if recorded:
            record(
                action=Action.COLLECTION,
                actor=Actor(label=f"partner:{partner_label}"),
                obj=("evidence.platformmatch", partner_label),
                detail={"platform_matches": recorded},
            )
    return results


# --- matching evidence against the list -------------------------------------------------------------


# A PDQ index of the hashes in the feed now, rebuilt when the feed moves (its latest sequence).
_pdq_cache = CachedPdqIndex(
    key=latest_sequence,
    rows=lambda: (
        _in_feed().filter(pdq_quality__gte=MIN_PDQ_QUALITY).exclude(pdq="").values_list("pk", "pdq").iterator()
    ),
)


def _in_feed():
    return SharedHash.objects.filter(state=SharedHashState.ACTIVE, review_state=ReviewState.SHARED)


@dataclass(frozen=True)
class SelfReportedMatch:
    shared_hash_id: int
    hash_type: str  # md5 or pdq
    matched_value: str
    distance: int


def matches_for_file(
    *, md5: str, pdq: str = "", pdq_quality: int | None = None, threshold: int = DEFAULT_THRESHOLD
) -> list[SelfReportedMatch]:
    """Self-reported hashes in the feed that a file matches: MD5 exactly, PDQ within the threshold
    (the query's quality at least MIN_PDQ_QUALITY). Held and withdrawn hashes never match."""
    found = [SelfReportedMatch(pk, "md5", md5, 0) for pk in _in_feed().filter(md5=md5).values_list("pk", flat=True)]
    if pdq and (pdq_quality or 0) >= MIN_PDQ_QUALITY:
        index, ids = _pdq_cache.get(threshold)
        if index is not None and ids is not None:
            (hits,) = index.search(hex_to_codes([pdq.lower()]))
            values = dict(SharedHash.objects.filter(pk__in=[int(ids[r]) for r, _ in hits]).values_list("pk", "pdq"))
            found += [
                SelfReportedMatch(int(ids[row]), "pdq", values.get(int(ids[row]), ""), distance)
                for row, distance in hits
                if int(ids[row]) in values
            ]
    return found
