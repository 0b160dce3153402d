"""Reads for bulk referrals, with capability checks and audit of personal data consulted."""

import csv
import io
from collections.abc import Iterator

from django.db.models import Count, Q

from safeguard.accounts.models import User
from safeguard.accounts.roles import Capability, check_capability
from safeguard.audit.services import Action, Actor, record
from safeguard.cases.models import Case

from .models import LineOutcome, ReferralError, ReferralImport, ReferralLine

TOP_LINES = 25


def imports_for(user):
    check_capability(user, Capability.IMPORT_REFERRALS)
    return ReferralImport.objects.select_related("created_by")


def import_for(user, pk: int) -> ReferralImport:
    check_capability(user, Capability.IMPORT_REFERRALS)
    return ReferralImport.objects.select_related("created_by").get(pk=pk)


def error_rows(user, imp: ReferralImport) -> Iterator[str]:
    """The per-line errors as CSV text, streamed (an import may have many). Audited: it names fields of lines."""
    check_capability(user, Capability.IMPORT_REFERRALS)
    record(action=Action.CONSULTATION, actor=Actor.of(user), obj=imp, detail={"downloaded": "errors.csv"})
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(["line", "element", "field", "reason"])
    yield flush()
    rows = ReferralError.objects.filter(referral_import=imp).order_by("line_no", "pk")
    for line_no, element, field, reason in rows.values_list("line_no", "element", "field", "reason").iterator(
        chunk_size=5000
    ):
        # Cells starting with = + - @ would run as formulas in a spreadsheet: prefix them.
        writer.writerow([line_no, *(("'" + v) if v and v[0] in "=+-@" else v for v in (element, field, reason))])
        if buffer.tell() > 64_000:
            yield flush()
    yield flush()


def summary(user, imp: ReferralImport) -> dict:
    """What a supervisor reviews before allocating: bands, suggested forces, matches, top-priority lines."""
    check_capability(user, Capability.ALLOCATE_REFERRALS)
    accepted = ReferralLine.objects.filter(referral_import=imp, outcome=LineOutcome.ACCEPTED)
    by_band = {row["priority"]: row["n"] for row in accepted.values("priority").annotate(n=Count("id"))}
    by_recipient = list(
        accepted.values("suggested_recipient_id", "suggested_recipient__name")
        .annotate(n=Count("id"), urgent=Count("id", filter=Q(priority__lte=2)))
        .order_by("-n", "suggested_recipient__name")
    )
    matched_subjects = set(
        accepted.filter(matched_subject=True).values_list("subject_id", flat=True).distinct()[:100_000]
    )
    in_cases = _subjects_in_cases(matched_subjects)
    top = list(
        accepted.select_related("report", "suggested_recipient").order_by("priority", "-score", "line_no")[:TOP_LINES]
    )
    record(
        action=Action.CONSULTATION,
        actor=Actor.of(user),
        obj=imp,
        detail={"viewed": "import summary", "reports": [line.report_id for line in top]},
    )
    return {
        "by_band": [(band, by_band.get(band, 0)) for band in (1, 2, 3, 4)],
        "by_recipient": by_recipient,
        "matched_lines": accepted.filter(matched_subject=True).count(),
        "matched_subjects": len(matched_subjects),
        "subjects_in_cases": len(in_cases),
        "lines_in_cases": accepted.filter(subject_id__in=list(in_cases)).count() if in_cases else 0,
        "top": top,
        "unallocated": accepted.filter(report__assigned_to__isnull=True).count(),
    }


def _subjects_in_cases(subject_ids: set[int]) -> set[int]:
    if not subject_ids:
        return set()
    through = Case.subjects.through
    ids = list(subject_ids)
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        found |= set(
            through.objects.filter(subject_id__in=ids[start : start + 500]).values_list("subject_id", flat=True)
        )
    return found


def allocatable_staff():
    return User.objects.filter(is_active=True, role__in=["analyst", "investigator", "supervisor"]).order_by("username")
