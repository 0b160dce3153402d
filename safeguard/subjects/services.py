"""Linking reports to subjects, merging subjects and undoing merges. Each write is audited."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from safeguard.accounts.roles import Capability, check_capability
from safeguard.audit.services import Action, Actor, PendingEntry, record, record_many
from safeguard.reporting.models import Report

from . import extraction
from .models import ReportIdentifier, ReportSubject, Subject, SubjectMerge


@dataclass
class LinkResult:
    subject: Subject | None
    created_subject: bool = False
    merged: list[SubjectMerge] = field(default_factory=list)
    # Subjects the report newly joins or touches: their other open reports may need rescoring.
    other_report_ids: list[int] = field(default_factory=list)


_IDENTIFIER_COLUMNS = (
    "report_id", "role", "kind", "platform", "raw", "value", "key",
    "valid", "problem", "strong", "mergeable", "observed_at", "detail",
)  # fmt: skip


def _tables() -> tuple[str, str]:
    return ReportIdentifier._meta.db_table, ReportSubject._meta.db_table


def store_identifiers(report: Report) -> list[extraction.Found]:
    """Replace the report's identifiers with a fresh extraction (idempotent: same report, same rows).

    Plain SQL (one DELETE, one executemany INSERT): this is the hot path of every accepted report.
    """
    found = extraction.from_report(report)
    identifiers, _ = _tables()
    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        (
            report.pk,
            item.role,
            str(item.kind),
            item.platform,
            item.raw,
            item.value,
            item.key,
            item.valid,
            item.problem,
            item.strong,
            item.mergeable,
            adapt(item.observed_at),
            item.detail,
        )
        for item in found
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {identifiers} WHERE report_id = %s", [report.pk])  # noqa: S608
        if rows:
            placeholders = ", ".join(["%s"] * len(_IDENTIFIER_COLUMNS))
            cursor.executemany(
                f"INSERT INTO {identifiers} ({', '.join(_IDENTIFIER_COLUMNS)}) VALUES ({placeholders})",  # noqa: S608
                rows,
            )
    return found


def subjects_for_keys(keys: list[str], *, exclude_report_id: int | None = None) -> list[int]:
    """Subjects holding any of these strong identifier keys: one index probe per key, whatever the table size."""
    if not keys:
        return []
    identifiers, links = _tables()
    sql = (
        f"SELECT DISTINCT l.subject_id FROM {identifiers} i JOIN {links} l ON l.report_id = i.report_id "  # noqa: S608
        f"WHERE i.key IN ({', '.join(['%s'] * len(keys))}) AND i.mergeable = %s AND i.report_id <> %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*keys, True, exclude_report_id or 0])
        return sorted(row[0] for row in cursor.fetchall())


def _current_subject_id(report_id: int) -> int | None:
    _, links = _tables()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT subject_id FROM {links} WHERE report_id = %s", [report_id])  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else None


def link_report(report: Report, *, audit_entries: list[PendingEntry] | None = None) -> LinkResult:
    """Extract identifiers, attach the report to its subject, merge subjects it proves are one.

    Safe to run again on the same report: the identifiers are re-extracted and the same subject kept.
    Reports with no usable identifier about the person get no subject (nothing to link on).
    The combination entry for the audit log is written at once, or, when the caller passes
    `audit_entries`, appended there for the caller to write with its own entries in one chain append
    (the triage task does: one lock of the audit chain per report instead of two).
    """
    # No savepoint: nothing here catches a failure to carry on, so a nested call needs none (two round trips
    # per report in the triage worker); called alone it is still one transaction.
    with transaction.atomic(savepoint=False):
        found = store_identifiers(report)
        subject_items = [i for i in found if i.role == extraction.Role.SUBJECT and i.key]
        if not subject_items:
            return LinkResult(subject=None)
        strong_keys = sorted({i.key for i in subject_items if i.mergeable})
        current = _current_subject_id(report.pk)
        candidates = set(subjects_for_keys(strong_keys, exclude_report_id=report.pk))
        if current is not None:
            candidates.add(current)
        created = not candidates
        subject = Subject.objects.create() if created else Subject(pk=min(candidates))
        _, links = _tables()
        if current is None:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {links} (report_id, subject_id, linked_at) VALUES (%s, %s, %s)",  # noqa: S608
                    [report.pk, subject.pk, connection.ops.adapt_datetimefield_value(timezone.now())],
                )
            entry = PendingEntry(
                action=Action.COMBINATION,
                actor=Actor.system("triage linking"),
                obj=report,
                detail={"subject": subject.pk, "new_subject": created},
            )
            if audit_entries is None:
                record_many([entry])
            else:
                audit_entries.append(entry)
        elif current != subject.pk:
            ReportSubject.objects.filter(report=report).update(subject=subject)
        merges = [
            merge_subjects(
                survivor=subject,
                absorbed=Subject.objects.get(pk=other),
                reason=f"Shares a strong identifier with report {report.reference}",
                actor=Actor.system("triage linking"),
            )
            for other in sorted(candidates - {subject.pk})
        ]
        others = []
        if not created:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT report_id FROM {links} WHERE subject_id = %s AND report_id <> %s",  # noqa: S608
                    [subject.pk, report.pk],
                )
                others = [row[0] for row in cursor.fetchall()]
    return LinkResult(subject=subject, created_subject=created, merged=merges, other_report_ids=others)


def merge_subjects(*, survivor: Subject, absorbed: Subject, reason: str, actor: Actor, user=None) -> SubjectMerge:
    """Move every report of `absorbed` to `survivor`. Recorded as a combination; reversible by a supervisor."""
    if survivor.pk == absorbed.pk:
        raise ValidationError("A subject cannot be merged into itself")
    with transaction.atomic():
        merges = _merge_into(
            {absorbed.pk: survivor.pk}, reason=reason, actor=actor, user=user, survivor_objs={survivor.pk: survivor}
        )
    merge = merges[0]
    merge.survivor, merge.absorbed = survivor, absorbed
    return merge


class Components:
    """Union-find over subject ids: groups that share a subject are one person."""

    def __init__(self):
        self.parent: dict[int, int] = {}

    def find(self, i: int) -> int:
        parent = self.parent.setdefault(i, i)
        while parent != i:
            grand = self.parent[parent]
            self.parent[i] = grand
            i, parent = parent, self.parent[grand]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The oldest (lowest) id survives, as in single-report linking.
            self.parent[max(ra, rb)] = min(ra, rb)


def merge_subject_groups(*, groups: Iterable[Iterable[int]], reason: str, actor: Actor) -> dict[int, int]:
    """Merge each group of subjects proven to be one person, all groups in a few statements.

    Groups sharing a subject are one person (a subject named in two groups is merged once, into the
    survivor of both), and the lowest id of each joined group survives. Every absorbed subject gets its own
    reversible SubjectMerge and combination audit entry, as `merge_subjects` gives, but the links of all
    of them are re-pointed by one statement and the audit entries appended in one go: the bulk referral
    import merges hundreds of subjects per chunk (docs/adr/0074).

    Returns {subject id: its survivor} for every id named (survivors map to themselves).
    """
    components = Components()
    for group in groups:
        ids = list(group)
        for other in ids[1:]:
            components.union(ids[0], other)
        if ids:
            components.find(ids[0])
    survivor_of = {i: components.find(i) for i in components.parent}
    absorbed = {i: root for i, root in survivor_of.items() if i != root}
    if absorbed:
        with transaction.atomic():
            _merge_into(absorbed, reason=reason, actor=actor)
    return survivor_of


def _set_by_key(table: str, column: str, key: str, values: dict[int, int], *, moved: str = "") -> list[tuple]:
    """`column = values[key]` for every row whose `key` is in `values`: one statement (per 400 keys on SQLite).

    With `moved`, returns (row's `moved` column, its old key) for every row changed.
    """
    keys = sorted(values)
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            returning = f" RETURNING t.{moved}, m.old" if moved else ""
            cursor.execute(
                f"UPDATE {table} t SET {column} = m.new FROM unnest(%s::bigint[], %s::bigint[]) AS m(old, new) "  # noqa: S608
                f"WHERE t.{key} = m.old{returning}",
                [keys, [values[k] for k in keys]],
            )
            return cursor.fetchall() if moved else []
        for start in range(0, len(keys), 400):
            part = keys[start : start + 400]
            marks = ", ".join(["%s"] * len(part))
            if moved:
                # SQLite's RETURNING gives only new values: read the rows about to move first (same transaction).
                cursor.execute(f"SELECT {moved}, {key} FROM {table} WHERE {key} IN ({marks})", part)  # noqa: S608
                rows += cursor.fetchall()
            cursor.execute(
                f"UPDATE {table} SET {column} = CASE {key} {' '.join(['WHEN %s THEN %s'] * len(part))} END "  # noqa: S608
                f"WHERE {key} IN ({marks})",
                [*(v for k in part for v in (k, values[k])), *part],
            )
    return rows


def _merge_into(
    absorbed: dict[int, int], *, reason: str, actor: Actor, user=None, survivor_objs: dict | None = None
) -> list[SubjectMerge]:
    """Re-point every link of each absorbed subject to its survivor (one UPDATE), mark them merged (one UPDATE),
    store one SubjectMerge each (one INSERT) and their combination entries (one audit append)."""
    _, links = _tables()
    ids = sorted(absorbed)
    moved: dict[int, list[int]] = {i: [] for i in ids}
    for report_id, subject_id in _set_by_key(links, "subject_id", "subject_id", absorbed, moved="report_id"):
        moved[subject_id].append(report_id)
    _set_by_key(Subject._meta.db_table, "merged_into_id", "id", absorbed)
    merges = SubjectMerge.objects.bulk_create(
        [
            SubjectMerge(
                survivor_id=absorbed[i],
                absorbed_id=i,
                moved_report_ids=sorted(moved[i]),
                reason=reason[:300],
                merged_by=user,
            )
            for i in ids
        ]
    )
    survivor_objs = survivor_objs or {}
    record_many(
        [
            PendingEntry(
                action=Action.COMBINATION,
                actor=actor,
                obj=survivor_objs.get(merge.survivor_id) or Subject(pk=merge.survivor_id),
                detail={
                    "merged": merge.absorbed_id,
                    "into": merge.survivor_id,
                    "reports": merge.moved_report_ids,
                    "merge": merge.pk,
                },
            )
            for merge in merges
        ]
    )
    return merges


def merge_subjects_by_supervisor(*, user, survivor: Subject, absorbed: Subject, reason: str) -> SubjectMerge:
    """A supervisor's decision to merge on weaker grounds (a suggestion they checked)."""
    check_capability(user, Capability.MERGE_SUBJECTS)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why these are the same person"})
    if absorbed.merged_into_id or survivor.merged_into_id:
        raise ValidationError("One of these subjects has already been merged into another")
    return merge_subjects(survivor=survivor, absorbed=absorbed, reason=reason, actor=Actor.of(user), user=user)


def reverse_merge(*, user, merge: SubjectMerge) -> SubjectMerge:
    """Undo a merge: the reports it moved go back to the absorbed subject."""
    check_capability(user, Capability.MERGE_SUBJECTS)
    with transaction.atomic():
        merge = SubjectMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.reversed_at:
            raise ValidationError("This merge has already been reversed")
        ReportSubject.objects.filter(report_id__in=merge.moved_report_ids, subject=merge.survivor).update(
            subject=merge.absorbed
        )
        Subject.objects.filter(pk=merge.absorbed_id).update(merged_into=None)
        merge.reversed_at = timezone.now()
        merge.reversed_by = user
        merge.save(update_fields=["reversed_at", "reversed_by"])
        record(
            action=Action.COMBINATION,
            actor=Actor.of(user),
            obj=merge.survivor,
            detail={"reversed_merge": merge.pk, "separated": merge.absorbed_id, "reports": merge.moved_report_ids},
        )
    return merge
