"""Linking many new reports at once (the referral import's chunks): subjects' part of the set intake path.

The same rules as `services.link_report` for one report: reports that share a strong identifier are one person,
with each other and with any subject already holding it; subjects they prove to be one are merged (the oldest
survives, `services.merge_subject_groups`); a report with identifiers about the person but no match gets a new
subject. Done for a whole chunk in a handful of statements (docs/adr/0074).
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.db import connection
from django.db.models import Count

from safeguard.audit.services import Actor
from safeguard.core.bulk import allocate_ids, write_rows

from .models import ReportIdentifier, ReportSubject, Subject
from .services import Components, merge_subject_groups

MERGE_REASON = "Shares a strong identifier with a bulk referral line"


class Line(Protocol):
    """One new report to link: its identifier keys in, its subject out."""

    strong_keys: list[str]  # mergeable keys: proof of one person
    subject_keys: list[str]  # any key about the person (a report with none gets no subject)
    subject_id: int | None  # set by link_lines
    matched: bool  # set: the subject was already known
    prior: int  # set: how many other reports the subject has (held and in this set)


@dataclass(frozen=True)
class Linked:
    matched: set[int]  # known subjects the lines joined (after merges)
    new_subject_ids: list[int]
    merged: set[int]  # survivors of merges made here
    counts: Counter  # reports held per matched subject, before these lines


def subjects_by_key(keys: Sequence[str]) -> dict[str, set[int]]:
    """strong identifier key -> subjects already holding it (one query per 5,000 keys)."""
    if not keys:
        return {}
    identifiers, links = ReportIdentifier._meta.db_table, ReportSubject._meta.db_table
    result: dict[str, set[int]] = defaultdict(set)
    with connection.cursor() as cursor:
        for start in range(0, len(keys), 5000):
            part = list(keys[start : start + 5000])
            params: list = [part] if connection.vendor == "postgresql" else part
            where = (
                "i.key = ANY(%s)"
                if connection.vendor == "postgresql"
                else f"i.key IN ({', '.join(['%s'] * len(part))})"
            )
            cursor.execute(
                f"SELECT i.key, l.subject_id FROM {identifiers} i JOIN {links} l ON l.report_id = i.report_id "  # noqa: S608
                f"WHERE {where} AND i.mergeable = %s",
                [*params, True],
            )
            for key, subject_id in cursor.fetchall():
                result[key].add(subject_id)
    return result


def report_counts(subject_ids: set[int]) -> Counter:
    if not subject_ids:
        return Counter()
    rows = (
        ReportSubject.objects.filter(subject_id__in=list(subject_ids)).values_list("subject_id").annotate(n=Count("id"))
    )
    return Counter(dict(rows))


def link_lines(lines: Sequence[Line], actor: Actor) -> Linked:
    """Give each line its subject (`subject_id`, `matched`, `prior` set on the lines); merges audited as
    combinations. New subjects' rows are written here; the lines' identifier and link rows go in with the reports
    (`identifier_row`, `link_row`, written by the subjects intake stage)."""
    groups = Components()
    first_with_key: dict[str, int] = {}
    for n, line in enumerate(lines):
        groups.find(n)
        for key in line.strong_keys:
            if key in first_with_key:
                groups.union(first_with_key[key], n)
            else:
                first_with_key[key] = n
    known = subjects_by_key(sorted(first_with_key))
    members: dict[int, list[int]] = defaultdict(list)
    for n, line in enumerate(lines):
        if line.subject_keys:
            members[groups.find(n)].append(n)
    existing_of: dict[int, list[int]] = {}
    needs_new: list[int] = []
    for root, rows in members.items():
        existing = set().union(*(known.get(k, set()) for n in rows for k in lines[n].strong_keys))
        if existing:
            existing_of[root] = sorted(existing)
        else:
            needs_new.append(root)
    # The same strong identifier proves these are one person, as in single-report linking.
    survivor_of = merge_subject_groups(groups=existing_of.values(), reason=MERGE_REASON, actor=actor)
    matched: set[int] = set()
    for root, known_ids in existing_of.items():
        subject_id = survivor_of[known_ids[0]]
        matched.add(subject_id)
        for n in members[root]:
            lines[n].subject_id, lines[n].matched = subject_id, True
    new_ids = allocate_ids(Subject, len(needs_new))
    write_rows(Subject, [{"id": i} for i in new_ids])
    for root, subject_id in zip(needs_new, new_ids, strict=True):
        for n in members[root]:
            lines[n].subject_id = subject_id
    counts = report_counts(matched)
    group_size = Counter(line.subject_id for line in lines if line.subject_id)
    for line in lines:
        if line.subject_id:
            line.prior = counts.get(line.subject_id, 0) + group_size[line.subject_id] - 1
    merged = {survivor for absorbed, survivor in survivor_of.items() if absorbed != survivor}
    return Linked(matched=matched, new_subject_ids=new_ids, merged=merged, counts=counts)


def identifier_row(report_id: int, found, key: str) -> dict:
    """A ReportIdentifier row for an extracted identifier (subjects.extraction.Found) of a new report."""
    strong = found.strong
    return {
        "report_id": report_id,
        "role": found.role,
        "kind": str(found.kind),
        "platform": found.platform,
        "raw": found.raw,
        "value": found.value,
        "key": key,
        "valid": found.valid,
        "problem": found.problem,
        "strong": strong,
        "mergeable": strong and found.valid,
        "observed_at": found.observed_at,
        "detail": found.detail,
    }


def link_row(report_id: int, subject_id: int, linked_at) -> dict:
    return {"report_id": report_id, "subject_id": subject_id, "linked_at": linked_at}


def store_rows(report_rows: list[dict], extra: tuple[list[dict], list[dict]]) -> None:
    """Subjects' intake stage on the set path: the new reports' identifier and link rows, one COPY each."""
    identifier_rows, link_rows = extra
    write_rows(ReportIdentifier, identifier_rows)
    write_rows(ReportSubject, link_rows)
