"""What retention needs to know about each kind of record: its model, when it was made, a label that is
not personal data, when it may be reviewed, what stops its disposal and which stored files go with it."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q

from .models import RecordType


@dataclass(frozen=True)
class Kind:
    record_type: RecordType
    model_label: str
    made_field: str
    noun: str
    label: Callable[[object], str]
    blocker: Callable[[object], str]  # "" when nothing stops disposal
    stored_files: Callable[[object], list[tuple[str, str]]] = field(default=lambda obj: [])
    # Only records in this state come up for review (an open report or case is still being worked).
    reviewable: Q = field(default_factory=Q)

    def model(self):
        return apps.get_model(self.model_label)

    def made_at(self, obj):
        return getattr(obj, self.made_field)

    @property
    def audit_type(self) -> str:
        return self.model_label.lower()


def _count(obj, accessor: str) -> int:
    manager = getattr(obj, accessor, None)
    return manager.count() if manager is not None else 0


def _report_blocker(report) -> str:
    evidence = list(report.evidence_files.values_list("pk", flat=True)) if hasattr(report, "evidence_files") else []
    if evidence:
        ids = ", ".join(f"#{pk}" for pk in evidence[:5])
        return f"it still has {len(evidence)} evidence file(s) ({ids}); review and dispose of those first."
    cases = list(report.cases.values_list("reference", flat=True)) if hasattr(report, "cases") else []
    if cases:
        return f"it is part of case {', '.join(cases[:5])}; the case must be disposed of first."
    return ""


def _report_files(report) -> list[tuple[str, str]]:
    return [("evidence", name) for name in report.attachments.values_list("stored_name", flat=True) if name]


def _subject_blocker(subject) -> str:
    linked = _count(subject, "report_links")
    if linked:
        return f"{linked} report(s) are still about this subject; they must be disposed of first."
    if _count(subject, "cases"):
        return "it is part of a case; the case must be disposed of first."
    return ""


def _case_blocker(case) -> str:
    return ""


def _evidence_blocker(evidence) -> str:
    if _count(evidence, "case_links"):
        return "a case refers to this file; the case must be disposed of first."
    return ""


def _evidence_files(evidence) -> list[tuple[str, str]]:
    return [("evidence", name) for name in (evidence.stored_name, evidence.rendition_name) if name]


KINDS: dict[RecordType, Kind] = {
    RecordType.REPORT: Kind(
        RecordType.REPORT,
        "reporting.Report",
        "created_at",
        "report",
        label=lambda r: r.reference,
        blocker=_report_blocker,
        stored_files=_report_files,
        reviewable=~Q(status__in=["received", "triaged", "in_review"]),
    ),
    RecordType.SUBJECT: Kind(
        RecordType.SUBJECT,
        "subjects.Subject",
        "created_at",
        "subject",
        label=lambda s: f"S-{s.pk:06d}",
        blocker=_subject_blocker,
        reviewable=Q(merged_into__isnull=True),
    ),
    RecordType.CASE: Kind(
        RecordType.CASE,
        "cases.Case",
        "created_at",
        "case",
        label=lambda c: c.reference,
        blocker=_case_blocker,
        reviewable=Q(status="closed"),
    ),
    RecordType.EVIDENCE: Kind(
        RecordType.EVIDENCE,
        "evidence.EvidenceFile",
        "uploaded_at",
        "evidence file",
        label=lambda e: f"evidence #{e.pk}",
        blocker=_evidence_blocker,
        stored_files=_evidence_files,
    ),
}
