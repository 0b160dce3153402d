"""Linking reports to subjects, merging subjects and undoing merges. Each write is audited."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safeguard.accounts.roles import Capability, check_capability
from safeguard.audit.services import Action, Actor, record
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


def store_identifiers(report: Report) -> list[ReportIdentifier]:
    """Replace the report's identifiers with a fresh extraction (idempotent: same report, same rows)."""
    found = extraction.from_report(report)
    ReportIdentifier.objects.filter(report=report).delete()
    return ReportIdentifier.objects.bulk_create(
        ReportIdentifier(
            report=report,
            role=item.role,
            kind=item.kind,
            platform=item.platform,
            raw=item.raw,
            value=item.value,
            key=item.key,
            valid=item.valid,
            problem=item.problem,
            strong=item.strong,
            mergeable=item.mergeable,
            observed_at=item.observed_at,
            detail=item.detail,
        )
        for item in found
    )


def subjects_for_keys(keys: list[str], *, exclude_report_id: int | None = None) -> list[int]:
    """Live subjects holding any of these strong identifier keys: the hot path of linking (one index probe per key)."""
    if not keys:
        return []
    rows = ReportIdentifier.objects.filter(key__in=keys, mergeable=True)
    if exclude_report_id is not None:
        rows = rows.exclude(report_id=exclude_report_id)
    return sorted(
        set(rows.filter(report__subject_link__isnull=False).values_list("report__subject_link__subject_id", flat=True))
    )


def link_report(report: Report) -> LinkResult:
    """Extract identifiers, attach the report to its subject, merge subjects it proves are one.

    Safe to run again on the same report: the identifiers are re-extracted and the same subject kept.
    Reports with no usable identifier about the person get no subject (nothing to link on).
    """
    with transaction.atomic():
        identifiers = store_identifiers(report)
        subject_rows = [i for i in identifiers if i.role == extraction.Role.SUBJECT and i.key]
        if not subject_rows:
            return LinkResult(subject=None)
        strong_keys = sorted({i.key for i in subject_rows if i.mergeable})
        existing = ReportSubject.objects.filter(report=report).select_related("subject").first()
        candidates = set(subjects_for_keys(strong_keys, exclude_report_id=report.pk))
        if existing:
            candidates.add(existing.subject_id)
        created = False
        if not candidates:
            subject = Subject.objects.create()
            created = True
        else:
            subject = Subject.objects.get(pk=min(candidates))
        if existing is None:
            ReportSubject.objects.create(report=report, subject=subject)
            record(
                action=Action.COMBINATION,
                actor=Actor.system("triage linking"),
                obj=report,
                detail={"subject": subject.pk, "new_subject": created},
            )
        elif existing.subject_id != subject.pk:
            existing.subject = subject
            existing.save(update_fields=["subject"])
        merges = [
            merge_subjects(
                survivor=subject,
                absorbed=Subject.objects.get(pk=other),
                reason=f"Shares a strong identifier with report {report.reference}",
                actor=Actor.system("triage linking"),
            )
            for other in sorted(candidates - {subject.pk})
        ]
        others = list(
            ReportSubject.objects.filter(subject=subject).exclude(report=report).values_list("report_id", flat=True)
        )
    return LinkResult(subject=subject, created_subject=created, merged=merges, other_report_ids=others)


def merge_subjects(*, survivor: Subject, absorbed: Subject, reason: str, actor: Actor, user=None) -> SubjectMerge:
    """Move every report of `absorbed` to `survivor`. Recorded as a combination; reversible by a supervisor."""
    if survivor.pk == absorbed.pk:
        raise ValidationError("A subject cannot be merged into itself")
    with transaction.atomic():
        moved = list(ReportSubject.objects.filter(subject=absorbed).values_list("report_id", flat=True))
        ReportSubject.objects.filter(subject=absorbed).update(subject=survivor)
        Subject.objects.filter(pk=absorbed.pk).update(merged_into=survivor)
        merge = SubjectMerge.objects.create(
            survivor=survivor, absorbed=absorbed, moved_report_ids=moved, reason=reason[:300], merged_by=user
        )
        record(
            action=Action.COMBINATION,
            actor=actor,
            obj=survivor,
            detail={"merged": absorbed.pk, "into": survivor.pk, "reports": moved, "reason": reason[:300]},
        )
    return merge


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
