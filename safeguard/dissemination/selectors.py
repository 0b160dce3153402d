"""Reads of disseminations, scoped to who is asking."""

from datetime import date

from django.db.models import Count, Q, Sum

from .models import Dissemination, DisseminationStatus, Outcome, OutcomeKind

_RELEASED = (DisseminationStatus.SENT, DisseminationStatus.ACKNOWLEDGED)


def outcome_figures(*, start: date, end: date) -> dict:
    """The centre's dissemination and outcome figures for [start, end] inclusive (used by the annual review).

    Disseminations count by the day they were sent; outcomes by the day they happened, so an arrest in
    March from a package sent last December counts in March's year.
    """
    sent = Dissemination.objects.filter(status__in=_RELEASED, sent_at__date__gte=start, sent_at__date__lte=end)
    by_recipient = (
        sent.values("recipient__name", "recipient__kind")
        .annotate(count=Count("id"))
        .order_by("-count", "recipient__name")
    )
    outcomes = Outcome.objects.filter(occurred_on__gte=start, occurred_on__lte=end)
    totals = outcomes.aggregate(
        **{
            kind.value: Sum("count", filter=Q(kind=kind), default=0)
            for kind in OutcomeKind
            if kind != OutcomeKind.NO_FURTHER_ACTION
        }
    )
    return {
        "disseminations_by_recipient": [
            {"name": row["recipient__name"], "kind": row["recipient__kind"], "count": row["count"]}
            for row in by_recipient
        ],
        "disseminations": sent.count(),
        "children_safeguarded": totals[OutcomeKind.CHILDREN_SAFEGUARDED],
        "arrests": totals[OutcomeKind.ARREST],
        "charges": totals[OutcomeKind.CHARGE],
        "convictions": totals[OutcomeKind.CONVICTION],
        "networks_disrupted": totals[OutcomeKind.NETWORK_DISRUPTED],
        "networks_dismantled": totals[OutcomeKind.NETWORK_DISMANTLED],
        "subjects_identified": totals[OutcomeKind.SUBJECT_IDENTIFIED],
    }
