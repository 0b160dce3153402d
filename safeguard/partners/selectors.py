"""Reads for partners. Every report read is scoped to the asking partner."""

from uuid import UUID

from .models import Partner, PartnerReport, one_or_none


def report_of_partner(*, partner: Partner, public_id: UUID | str) -> PartnerReport | None:
    """The partner's own report with this id, or None (also for another partner's report)."""
    return one_or_none(
        PartnerReport.objects.select_related("report", "partner").filter(partner=partner, public_id=public_id)
    )


def file_count(partner_report: PartnerReport) -> int:
    return partner_report.files.count()
