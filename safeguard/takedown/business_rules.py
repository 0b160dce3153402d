"""The rules an assessment of a reported web address must keep (listed on ReportedUrl.business_rules)."""

from safeguard.core.business_rules import BusinessRule

from .models import Category, UrlState


class ReasonGiven(BusinessRule):
    """Give the reason for the assessment: what you found at the address, in a sentence."""

    def is_broken(self, *, reason: str, **context) -> bool:
        return not reason.strip()


class KnownCategory(BusinessRule):
    """Choose what you found at the address from the list."""

    def is_broken(self, *, category: str, **context) -> bool:
        return category not in Category.values


class SecondOpinionFromSomeoneElse(BusinessRule):
    """A second opinion must come from someone other than the first assessor."""

    def is_broken(self, *, reported_url, user, first_assessment, **context) -> bool:
        return (
            reported_url.state == UrlState.SECOND_OPINION
            and first_assessment is not None
            and first_assessment.assessed_by_id == user.pk
        )
