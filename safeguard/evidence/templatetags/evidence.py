"""`{% evidence_summary report %}` for the staff report page: counts and a link, never a picture."""

from django import template
from django.db.models import Count, Q

from safeguard.evidence import selectors
from safeguard.evidence.models import FileStatus

register = template.Library()


@register.inclusion_tag("evidence/includes/report_summary.html", takes_context=True)
def evidence_summary(context, report):
    request = context.get("request")
    user = getattr(request, "user", None)
    counts = selectors.evidence_for_report(report=report, user=user).aggregate(
        files=Count("pk", distinct=True),
        quarantined=Count("pk", filter=Q(status=FileStatus.QUARANTINED), distinct=True),
        matched=Count("pk", filter=Q(matches__isnull=False), distinct=True),
    )
    return {"evidence_summary": {**counts, "reference": report.reference}}
