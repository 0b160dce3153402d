"""New information on a report already triaged: what changed, and whether staff have seen it.

Triage runs again when the reporter adds information (reporting.intake.amended) and a report's prior-reports
factor grows when another report about the same person arrives. Each such re-scoring is a `TriageChange`: the
band and score before and after, the factors that started or stopped counting, the words newly found. The queue
marks the report "New information" until someone who works reports opens it.
"""

from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from safeguard.reporting.models import Report

from .models import ReportTriage, TriageChange
from .scoring import FACTOR_NAMES, WORD_FACTORS


@dataclass(frozen=True)
class Before:
    """A report's triage as it stood before it was scored again."""

    band: int
    score: float
    counted: frozenset[str]
    words: dict


def before_rescoring(report_ids: list[int]) -> dict[int, Before]:
    """Reports triaged before (their triage row has a score time), as they stand: one query for a chunk. Reports
    being triaged for the first time are not in the result."""
    if not report_ids:
        return {}
    rows = (
        ReportTriage.objects.filter(report_id__in=report_ids, scored_at__isnull=False)
        .values("report_id", "score", "words", "report__priority", "prior_reports", *_FLAG_COLUMNS)
        .iterator()
    )
    return {
        row["report_id"]: Before(
            band=row["report__priority"],
            score=row["score"],
            counted=frozenset(name for name in _FLAG_COLUMNS if row[name] > 0),
            words=row["words"] or {},
        )
        for row in rows
    }


# Factors read from the stored columns (recency is worked out from the date each time: not a change of information).
_FLAG_COLUMNS = tuple(name for name in FACTOR_NAMES if name != "recency")


def record_rescoring(
    report: Report, *, cause: str, detail: dict, before: Before, points: dict, score: float, words: dict
) -> TriageChange:
    if "addition_id" in detail:
        # The same follow-up triaged twice (a task run again): one change.
        same = TriageChange.objects.filter(report=report, cause=cause, detail__addition_id=detail["addition_id"])
        done = same.first()
        if done is not None:
            return done
    counted = frozenset(name for name in _FLAG_COLUMNS if points.get(name, 0) > 0)
    added_words = {
        factor: [w for w in said if w not in before.words.get(factor, [])]
        for factor, said in words.items()
        if factor in WORD_FACTORS
    }
    return TriageChange.objects.create(
        report=report,
        cause=cause,
        detail=detail,
        band_before=before.band,
        band_after=int(report.priority),
        score_before=before.score,
        score_after=score,
        factors_added=[name for name in FACTOR_NAMES if name in counted - before.counted],
        factors_removed=[name for name in FACTOR_NAMES if name in before.counted - counted],
        words_added={factor: said for factor, said in added_words.items() if said},
    )


def bands_of(report_ids: list[int]) -> dict[int, int]:
    if not report_ids:
        return {}
    return dict(Report.objects.filter(pk__in=report_ids).values_list("pk", "priority"))


def record_linked(*, before: dict[int, int], detail: dict, factors_added: dict[int, bool]) -> None:
    """Reports whose prior-reports factor grew because another report about the same person arrived: one change
    each, with the band before (`before`) and after (read now). `factors_added[id]`: the factor counts now and
    did not before (the report had no other reports until now)."""
    if not before:
        return
    after = bands_of(list(before))
    TriageChange.objects.bulk_create(
        TriageChange(
            report_id=report_id,
            cause=TriageChange.Cause.LINKED_REPORT,
            detail=detail,
            band_before=band,
            band_after=after.get(report_id, band),
            factors_added=["prior_reports"] if factors_added.get(report_id) else [],
        )
        for report_id, band in before.items()
    )


def mark_seen(*, user, report: Report) -> int:
    """Someone who works reports has opened the report: its new information is seen. One UPDATE."""
    return TriageChange.objects.filter(report=report, seen_at__isnull=True).update(seen_at=timezone.now(), seen_by=user)


def prior_counts(report_ids: list[int]) -> dict[int, int]:
    """Stored prior-report counts, to tell whether the factor starts counting."""
    if not report_ids:
        return {}
    table = ReportTriage._meta.db_table
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(report_ids))
        cursor.execute(f"SELECT report_id, prior_report_count FROM {table} WHERE report_id IN ({marks})", report_ids)  # noqa: S608
        return dict(cursor.fetchall())
