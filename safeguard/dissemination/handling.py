"""Handling rules: whether each graded item in a package may go to that package's recipient.

Each rule is a small class named for what it checks. `refusals(package)` runs them all and gives every reason
a package cannot be released, in words an analyst can act on; approving and sending both call it, so a
package that broke a rule after approval (an item added, a condition tightened) is still stopped.
"""

from dataclasses import dataclass

from safeguard.routing.models import RecipientKind

from .models import HandlingCode


@dataclass(frozen=True)
class Refusal:
    rule: str
    item_position: int | None  # None: about the package as a whole
    explanation: str

    def __str__(self) -> str:
        where = f"Item {self.item_position}: " if self.item_position is not None else ""
        return f"{where}{self.explanation}"


class HandlingRefused(Exception):
    """Raised when a package may not be released to its recipient; carries every reason."""

    def __init__(self, refusals: list[Refusal]):
        self.refusals = refusals
        super().__init__("; ".join(str(r) for r in refusals))


def _is_overseas(recipient) -> bool:
    return recipient.kind == RecipientKind.INTERNATIONAL or (recipient.country or "GB").upper() != "GB"


class ItemRule:
    """A check of one item against the package's recipient. Subclasses answer `explain` or None."""

    def explain(self, item, package) -> str | None:
        raise NotImplementedError


class PackageRule:
    """A check of the package as a whole."""

    def explain(self, package, items) -> str | None:
        raise NotImplementedError


class ConditionsMustBeWrittenOut(ItemRule):
    """Handling code C means nothing unless the conditions are written out for the recipient to follow."""

    def explain(self, item, package):
        if item.handling_code == HandlingCode.CONDITIONS and not item.handling_conditions.strip():
            return "handling code C needs its conditions written out before it can be released."
        return None


class OverseasSharingForbidden(ItemRule):
    def explain(self, item, package):
        if item.no_overseas_sharing and _is_overseas(package.recipient):
            return (
                f"its handling conditions forbid sharing outside the United Kingdom, and {package.recipient.name} "
                f"is an overseas recipient ({package.recipient.country}). Remove the item, or send the package "
                "to a UK force."
            )
        return None


class UkTerritorialForcesOnly(ItemRule):
    def explain(self, item, package):
        if item.uk_territorial_only and package.recipient.kind != RecipientKind.UK_TERRITORIAL:
            return (
                f"its handling conditions allow only UK territorial police forces, and {package.recipient.name} "
                f"is not one ({package.recipient.get_kind_display()})."
            )
        return None


class EvidenceFilesNotPermitted(ItemRule):
    """Evidence travels as hashes unless every item's handling lets the files themselves go."""

    def explain(self, item, package):
        if package.include_evidence_files and item.no_evidence_files:
            return (
                "its handling conditions allow evidence to be referred to by hash only, but the package "
                "is set to include the evidence files. Send hashes only."
            )
        return None


class PackageHasIntelligence(PackageRule):
    def explain(self, package, items):
        if not items:
            return "the package has no graded intelligence items: add at least one."
        return None


class PackageHasSummary(PackageRule):
    def explain(self, package, items):
        if not package.summary.strip():
            return "the package has no summary: write one so the recipient knows what it is about."
        return None


class RecipientIsActive(PackageRule):
    def explain(self, package, items):
        if not package.recipient.is_active:
            return f"{package.recipient.name} is marked inactive in the recipient directory."
        return None


ITEM_RULES: tuple[ItemRule, ...] = (
    ConditionsMustBeWrittenOut(),
    OverseasSharingForbidden(),
    UkTerritorialForcesOnly(),
    EvidenceFilesNotPermitted(),
)
PACKAGE_RULES: tuple[PackageRule, ...] = (PackageHasIntelligence(), PackageHasSummary(), RecipientIsActive())


def refusals(package) -> list[Refusal]:
    """Every reason `package` may not be released to its recipient; empty when it may."""
    items = list(package.items.all())
    found = []
    for rule in PACKAGE_RULES:
        if explanation := rule.explain(package, items):
            found.append(Refusal(type(rule).__name__, None, explanation))
    for item in items:
        for rule in ITEM_RULES:
            if explanation := rule.explain(item, package):
                found.append(Refusal(type(rule).__name__, item.position, explanation))
    return found


def check_releasable(package) -> None:
    if found := refusals(package):
        raise HandlingRefused(found)
