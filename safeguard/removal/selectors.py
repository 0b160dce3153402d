"""Reads for Remove it. The status a young person sees is a consultation of their codes: logged."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from safeguard.audit.services import Action, record

from . import hash_list
from .models import RemovalRequest
from .references import normalise_reference
from .services import ACTOR


def status(*, removal: RemovalRequest) -> dict:
    """The list's figures for the request (`hash_list.status_for`), read and logged."""
    with transaction.atomic():
        found = hash_list.status_for(request_ref=removal.reference)
        record(action=Action.CONSULTATION, actor=ACTOR, obj=removal, detail={"remove_it": "status"})
    return found


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _day(when: datetime | None) -> str:
    return timezone.localtime(when).strftime("%-d %B %Y") if when else ""


def status_in_words(found: dict, *, withdrawn: bool) -> list[str]:
    """The status as sentences a young person can trust: what was shared, what platforms told us."""
    shared, taken_back = int(found.get("shared") or 0), int(found.get("withdrawn") or 0)
    matched, removed = int(found.get("platforms_matched") or 0), int(found.get("removed_by_platforms") or 0)
    lines = []
    if withdrawn:
        lines.append(
            f"You took back {_count(taken_back, 'code', 'codes')}. Platforms have been told to stop using them."
        )
        return lines
    lines.append(f"{_count(shared, 'picture or video', 'pictures or videos')} shared with platforms.")
    if removed:
        when = _day(found.get("last_removed_at"))
        lines.append(
            f"A platform has told us it removed a copy{' on ' + when if when else ''}."
            if removed == 1
            else f"Platforms have told us they removed copies of {removed} of them"
            f"{', most recently on ' + when if when else ''}."
        )
    elif matched:
        lines.append(
            f"{_count(matched, 'platform has', 'platforms have')} told us they found a match and are dealing with it."
        )
    else:
        lines.append(
            "No platform has told us about a copy yet. That can mean there are no copies on the platforms that "
            "take part, or that they have not found one yet: they keep checking."
        )
    return lines


def audit_id_for_reference(reference: str) -> str | None:
    normalised = normalise_reference(reference)
    if not normalised:
        return None
    found = RemovalRequest.objects.filter(reference=normalised).values_list("pk", flat=True).first()
    return str(found) if found is not None else None


def references_for_audit(ids: set[str]) -> dict[str, str]:
    numbers = [int(i) for i in ids if i.isdigit()]
    return {str(pk): ref for pk, ref in RemovalRequest.objects.filter(pk__in=numbers).values_list("pk", "reference")}
