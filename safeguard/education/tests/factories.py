"""Synthetic education data for tests. Names and places are fictional."""

from datetime import date

from safeguard.education.models import AgeBand, Audience, MaterialVersion, Organisation, Programme, QuestionKind, Region
from safeguard.education.surveys import QuestionSpec, create_survey

YES_NO = [("yes", "Yes"), ("no", "No"), ("not_say", "I'd rather not say")]


def programme(code="tuk-11-13", audience=Audience.CHILDREN, name=None):
    prog, _ = Programme.objects.get_or_create(
        code=code, defaults={"name": name or f"Programme {code}", "audience": audience}
    )
    MaterialVersion.objects.get_or_create(programme=prog, version="1.0", defaults={"released_on": date(2025, 1, 6)})
    return prog


def organisation(name="Brambleford Academy", region=Region.NORTH_WEST, size=600):
    return Organisation.objects.create(name=name, region=region, size=size, area="Brambleshire")


def offline_survey():
    """The met-offline questionnaire: `took_friend` is asked only of those who met someone offline."""
    return create_survey(
        title="After the session",
        questions=[
            QuestionSpec(
                "met_offline", "Have you ever met up with someone you first met online?", QuestionKind.SINGLE, YES_NO
            ),
            QuestionSpec(
                "took_friend",
                "Did you take a friend or adult with you?",
                QuestionKind.SINGLE,
                YES_NO[:2],
                condition=("met_offline", "yes"),
            ),
            QuestionSpec(
                "apps",
                "Which apps do you use?",
                QuestionKind.MULTIPLE,
                [("video", "Video"), ("games", "Games"), ("chat", "Chat")],
            ),
            QuestionSpec(
                "confidence", "How sure are you about where to get help? (1 to 5)", QuestionKind.SCALE, scale=(1, 5)
            ),
        ],
    )


__all__ = ["AgeBand", "offline_survey", "organisation", "programme"]
