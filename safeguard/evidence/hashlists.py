"""Importing known-material hash lists: CSV and VICS-style JSON media lists, streamed.

Each import becomes a new version of a named list. By default a file with any bad row changes nothing
(a partial list silently replacing a full one would lose coverage); every bad row is reported with its
line (CSV) or item number (JSON). The new version replaces the active one in a single transaction, so
matching never sees a half-imported list.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import BinaryIO

import ijson
from django.db import transaction
from django.db.models import Max

from safeguard.audit.services import Action, Actor, record

from .models import HASH_LENGTHS, HashList, HashListVersion, HashType, KnownHash, VersionStatus
from .video import canonical_value, frames_to_dicts, parse_vpdq_value

BATCH_SIZE = 5000
MAX_PROBLEMS_REPORTED = 100
_HEX = frozenset("0123456789abcdef")
_TYPE_NAMES = {
    "md5": HashType.MD5,
    "sha1": HashType.SHA1,
    "sha-1": HashType.SHA1,
    "sha256": HashType.SHA256,
    "sha-256": HashType.SHA256,
    "pdq": HashType.PDQ,
}
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}
CSV_COLUMNS = ("hash_type", "value", "category", "source")


class HashListError(Exception):
    """The file as a whole cannot be imported (wrong format, unreadable)."""


@dataclass(frozen=True)
class RowProblem:
    where: str  # "line 7" or "item 3 (value[1].Media[0])"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class ImportResult:
    applied: bool
    version: HashListVersion | None
    imported: int
    problems: list[RowProblem] = field(default_factory=list)
    problem_count: int = 0


@dataclass(frozen=True)
class Entry:
    hash_type: str
    value: str
    category: str = ""
    series: str = ""
    source: str = ""
    victim_identified: bool | None = None
    offender_identified: bool | None = None
    is_distributed: bool | None = None
    tags: tuple = ()
    comments: str = ""
    vpdq: list | None = None  # a video's frames (hash_type vpdq; value is their SHA-256)


def normalise_hash(hash_type: str, value: str) -> tuple[str, str]:
    """(type, lower-case hex) or ValueError with a reason a person can act on."""
    kind = _TYPE_NAMES.get((hash_type or "").strip().lower())
    if kind is None:
        raise ValueError(f"unknown hash type {hash_type!r} (use md5, sha1, sha256, pdq or vpdq)")
    cleaned = (value or "").strip().lower()
    if not cleaned:
        raise ValueError("hash value is empty")
    if not set(cleaned) <= _HEX:
        raise ValueError(f"{kind.label} value is not hexadecimal")
    if len(cleaned) != HASH_LENGTHS[kind]:
        raise ValueError(f"{kind.label} value must be {HASH_LENGTHS[kind]} hex characters, not {len(cleaned)}")
    return str(kind), cleaned


def normalise_vpdq(value: str) -> tuple[str, list[dict]]:
    """(SHA-256 of the frames as the feed writes them, frames) for a vPDQ value in either text form
    (video.parse_vpdq_value: "pdq,quality,timestamp" lines, or python-threatexchange's JSON list)."""
    frames = parse_vpdq_value(value)
    return hashlib.sha256(canonical_value(frames).encode()).hexdigest(), frames_to_dicts(frames)


def _boolean(value, what: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{what} must be true or false, not {value!r}")


def _short(value, limit: int) -> str:
    return "" if value is None else str(value).strip()[:limit]


def read_csv(stream: BinaryIO) -> Iterator[tuple[str, Entry | ValueError]]:
    """CSV with a header row naming at least hash_type and value (category, source, series,
    victim_identified optional), in UTF-8. A vpdq row's value is the video's frames (normalise_vpdq), quoted."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.DictReader(text)
    try:
        header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    except UnicodeDecodeError:
        raise HashListError("The CSV file is not UTF-8 text.") from None
    if not {"hash_type", "value"} <= set(header):
        raise HashListError(f"The CSV header must include hash_type and value; it has {', '.join(header) or 'none'}.")
    reader.fieldnames = header
    try:
        for row in reader:
            where = f"line {reader.line_num}"
            if None in row:
                yield where, ValueError("more fields than the header names")
                continue
            try:
                frames = None
                if (row.get("hash_type") or "").strip().lower() == HashType.VPDQ:
                    hash_type, (value, frames) = HashType.VPDQ, normalise_vpdq(row.get("value") or "")
                else:
                    hash_type, value = normalise_hash(row.get("hash_type") or "", row.get("value") or "")
                yield (
                    where,
                    Entry(
                        hash_type=hash_type,
                        value=value,
                        category=_short(row.get("category"), 100),
                        series=_short(row.get("series"), 200),
                        source=_short(row.get("source"), 200),
                        victim_identified=_boolean(row.get("victim_identified"), "victim_identified"),
                        vpdq=frames,
                    ),
                )
            except ValueError as error:
                yield where, error
    except UnicodeDecodeError:
        raise HashListError(f"The CSV file is not UTF-8 text (after line {reader.line_num}).") from None
    except csv.Error as error:
        raise HashListError(f"The CSV file is malformed at line {reader.line_num}: {error}.") from None


_VICS_HASH_FIELDS = (("MD5", HashType.MD5), ("SHA1", HashType.SHA1), ("SHA256", HashType.SHA256), ("PDQ", HashType.PDQ))


def read_vics(stream: BinaryIO) -> Iterator[tuple[str, Entry | ValueError]]:
    """A VICS-style OData media list: {"value": [{"Media": [{"MD5": ..., "SHA1": ..., "Category": ...}]}]}.

    Each media item gives one entry per hash it carries (PhotoDNA is not usable here and is ignored).
    """
    item_number = 0
    try:
        for case_index, case in enumerate(ijson.items(stream, "value.item", use_float=True)):
            media = case.get("Media") if isinstance(case, dict) else None
            if not isinstance(media, list):
                item_number += 1
                yield f"item {item_number} (value[{case_index}])", ValueError("has no Media list")
                continue
            for media_index, item in enumerate(media):
                item_number += 1
                where = f"item {item_number} (value[{case_index}].Media[{media_index}])"
                if not isinstance(item, dict):
                    yield where, ValueError("is not an object")
                    continue
                yield from _vics_entries(where, item)
    except ijson.JSONError as error:
        raise HashListError(f"The JSON file is malformed after item {item_number}: {error}.") from None


def _vics_entries(where: str, item: dict) -> Iterator[tuple[str, Entry | ValueError]]:
    try:
        common = {
            "category": _short(item.get("Category"), 100),
            "series": _short(item.get("Series"), 200),
            "source": _short(item.get("Source"), 200),
            "victim_identified": _boolean(item.get("VictimIdentified"), "VictimIdentified"),
            "offender_identified": _boolean(item.get("OffenderIdentified"), "OffenderIdentified"),
            "is_distributed": _boolean(item.get("IsDistributed"), "IsDistributed"),
            "tags": tuple(str(t)[:100] for t in (item.get("Tags") or []) if t is not None)[:50],
            "comments": _short(item.get("Comments"), 1000),
        }
        found = [(name, kind) for name, kind in _VICS_HASH_FIELDS if item.get(name)]
        if not found:
            raise ValueError("has no MD5, SHA1, SHA256 or PDQ value")
        entries = [Entry(*normalise_hash(kind, str(item[name])), **common) for name, kind in found]
    except (ValueError, TypeError) as error:
        yield where, ValueError(str(error))
        return
    for entry in entries:
        yield where, entry


def detect_format(file_name: str, first_bytes: bytes) -> str:
    if file_name.lower().endswith(".json") or first_bytes.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        return "vics"
    return "csv"


class _DigestingReader(io.RawIOBase):
    """Reads through, computing the SHA-256 of the file as imported (recorded with the version)."""

    def __init__(self, src: BinaryIO) -> None:
        super().__init__()
        self._src = src
        self.sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._src.read(len(buffer))
        self.sha256.update(data)
        buffer[: len(data)] = data
        return len(data)


def import_hash_list(
    *,
    list_name: str,
    list_source: str,
    stream: BinaryIO,
    file_name: str,
    actor: Actor,
    file_format: str | None = None,
    issued_on: date | None = None,
    allow_bad_rows: bool = False,
) -> ImportResult:
    """Import a file as the new active version of a list (created if new). See the module docstring."""
    buffered = io.BufferedReader(_DigestingReader(stream), buffer_size=1024 * 1024)
    digester = buffered.raw
    file_format = file_format or detect_format(file_name, buffered.peek(64)[:64])
    if file_format not in {"csv", "vics"}:
        raise HashListError(f"Unknown hash list format {file_format!r} (use csv or vics).")
    rows = read_csv(buffered) if file_format == "csv" else read_vics(buffered)
    problems: list[RowProblem] = []
    problem_count = 0
    imported = 0
    with transaction.atomic():
        hash_list, _ = HashList.objects.get_or_create(name=list_name, defaults={"source": list_source})
        HashList.objects.select_for_update().filter(pk=hash_list.pk).first()  # one import per list at a time
        number = (hash_list.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = HashListVersion.objects.create(
            hash_list=hash_list,
            number=number,
            status=VersionStatus.ACTIVE,
            source_file_name=file_name[:255],
            source_file_sha256="",
            source_format=file_format,
            issued_on=issued_on,
            imported_by_label=actor.label,
        )
        batch: list[KnownHash] = []
        for where, entry in rows:
            if isinstance(entry, ValueError):
                problem_count += 1
                if len(problems) < MAX_PROBLEMS_REPORTED:
                    problems.append(RowProblem(where, str(entry)))
                continue
            batch.append(KnownHash(version=version, **{**entry.__dict__, "tags": list(entry.tags)}))
            if len(batch) >= BATCH_SIZE:
                KnownHash.objects.bulk_create(batch)
                imported += len(batch)
                batch = []
        if batch:
            KnownHash.objects.bulk_create(batch)
            imported += len(batch)
        if (problem_count and not allow_bad_rows) or imported == 0:
            transaction.set_rollback(True)
            if imported == 0 and not problem_count:
                problems.append(RowProblem("file", "no hashes found"))
                problem_count = 1
            return ImportResult(False, None, imported=0, problems=problems, problem_count=problem_count)
        version.entry_count = imported
        version.skipped_rows = problem_count
        version.source_file_sha256 = digester.sha256.hexdigest()
        version.save(update_fields=["entry_count", "skipped_rows", "source_file_sha256"])
        replaced = list(
            hash_list.versions.filter(status=VersionStatus.ACTIVE)
            .exclude(pk=version.pk)
            .values_list("number", flat=True)
        )
        hash_list.versions.filter(status=VersionStatus.ACTIVE).exclude(pk=version.pk).update(
            status=VersionStatus.SUPERSEDED
        )
        if not hash_list.active:
            hash_list.active = True
            hash_list.save(update_fields=["active"])
        record(
            action=Action.COLLECTION,
            actor=actor,
            obj=version,
            detail={
                "hash_list": hash_list.name,
                "version": number,
                "entries": imported,
                "skipped_rows": problem_count,
                "replaced_versions": replaced,
                "file_sha256": version.source_file_sha256,
            },
        )
    return ImportResult(True, version, imported=imported, problems=problems, problem_count=problem_count)


def remove_hash_list(*, hash_list: HashList, actor: Actor, reason: str) -> None:
    """Stop matching against a list. Its versions are kept (marked removed) so past matches stay explained."""
    with transaction.atomic():
        versions = list(hash_list.versions.filter(status=VersionStatus.ACTIVE).values_list("number", flat=True))
        hash_list.versions.filter(status=VersionStatus.ACTIVE).update(status=VersionStatus.REMOVED)
        hash_list.active = False
        hash_list.save(update_fields=["active"])
        record(
            action=Action.ALTERATION,
            actor=actor,
            obj=hash_list,
            detail={"hash_list": hash_list.name, "removed_versions": versions},
            justification=reason[:500],
        )


def active_hashes():
    """Every listed hash that matching uses now."""
    return KnownHash.objects.filter(version__status=VersionStatus.ACTIVE, version__hash_list__active=True)
