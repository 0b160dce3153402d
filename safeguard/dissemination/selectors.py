"""Reads of disseminations, scoped to who is asking."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from safeguard.accounts.roles import Capability, check_capability
from safeguard.audit.models import Action
from safeguard.audit.services import Actor, record

from .models import Dissemination, DisseminationStatus, Outcome, OutcomeKind

_RELEASED = (DisseminationStatus.SENT, DisseminationStatus.ACKNOWLEDGED)


# ------------------------------------------------------------------------------------------- centre staff


def staff_packages(*, user) -> QuerySet[Dissemination]:
    """Every package, for staff who prepare or approve them (the list page shows references, not content)."""
    check_capability(user, Capability.PREPARE_DISSEMINATION)
    return Dissemination.objects.select_related("recipient", "case", "prepared_by", "approved_by")


def staff_package(*, user, reference: str, audit: bool = True) -> Dissemination:
    """One package for centre staff; reading it is a consultation of the personal data in it."""
    package = staff_packages(user=user).filter(reference=reference).first()
    if package is None:
        raise Http404("No package with that reference.")
    if audit:
        record(action=Action.CONSULTATION, actor=Actor.of(user), obj=package, detail={"view": "package"})
    return package


def overdue_unacknowledged(*, user, now=None) -> QuerySet[Dissemination]:
    """Sent packages whose recipient has not acknowledged them by the deadline: the centre chases these."""
    check_capability(user, Capability.PREPARE_DISSEMINATION)
    now = now or timezone.now()
    return (
        staff_packages(user=user)
        .filter(status=DisseminationStatus.SENT, acknowledgement_due__lt=now)
        .order_by("acknowledgement_due")
    )


# -------------------------------------------------------------------------------------------- force portal


def force_packages(*, user) -> QuerySet[Dissemination]:
    """A force officer's own force's released packages, and nothing else (drafts stay inside the centre)."""
    check_capability(user, Capability.FORCE_PORTAL)
    if user.force_id is None:
        raise PermissionDenied("Your account is not linked to a force. Ask the centre to link it.")
    return (
        Dissemination.objects.filter(recipient_id=user.force_id, status__in=_RELEASED)
        .select_related("recipient", "case")
        .order_by("-sent_at")
    )


def force_package(*, user, reference: str, view: str = "package") -> Dissemination:
    """One of the officer's force's packages. Another force's package is simply not found (404), so the
    answer does not even confirm that the reference exists. Every read is audited."""
    package = force_packages(user=user).filter(reference=reference).first()
    if package is None:
        raise Http404("No package with that reference was sent to your force.")
    record(
        action=Action.CONSULTATION,
        actor=Actor.of(user),
        obj=package,
        detail={"view": view, "force": package.recipient.code},
    )
    return package


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
