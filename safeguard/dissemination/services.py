"""Writes for disseminations: drafting, grading, sanitising, approving, sending, acknowledging, outcomes."""

from django.db import transaction

from safeguard.accounts.roles import Capability, check_capability
from safeguard.audit.models import Action
from safeguard.audit.services import Actor, record

from .models import Dissemination
from .references import new_dissemination_reference


@transaction.atomic
def create_draft_dissemination(*, actor, recipient, case=None, report_ids=(), summary: str = "") -> Dissemination:
    """Start a package for `recipient` (a routing.Recipient); `actor` is the preparing user."""
    check_capability(actor, Capability.PREPARE_DISSEMINATION)
    dissemination = Dissemination.objects.create(
        reference=new_dissemination_reference(), recipient=recipient, case=case, summary=summary, prepared_by=actor
    )
    if report_ids:
        dissemination.reports.set(report_ids)
    record(
        action=Action.COMBINATION,
        actor=Actor.of(actor),
        obj=dissemination,
        detail={
            "recipient": recipient.code,
            "reports": [str(i) for i in report_ids],
            "case": case.pk if case else None,
        },
    )
    return dissemination
