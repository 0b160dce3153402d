"""Synthetic demonstration data for the education pages. Every name and place is fictional."""

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from safeguard.audit.services import Actor

from . import courses, services
from .models import (
    Audience,
    Booking,
    Course,
    MaterialVersion,
    Organisation,
    OrganisationKind,
    Programme,
    QuestionKind,
    Region,
    Session,
    SurveyLink,
    TrainerKind,
)
from .surveys import QuestionSpec, create_survey, submit_online_response

ACTOR = Actor.system("education demo data")
PROGRAMMES = [
    ("safe-surfers-5-7", "Safe Surfers (ages 5 to 7)", Audience.CHILDREN, "5-7"),
    ("think-first-8-10", "Think First (ages 8 to 10)", Audience.CHILDREN, "8-10"),
    ("online-friends-11-13", "Online Friends (ages 11 to 13)", Audience.CHILDREN, "11-13"),
    ("real-talk-14-18", "Real Talk (ages 14 to 18)", Audience.CHILDREN, "14-18"),
    ("parents-evening", "Parents' and carers' evening", Audience.PARENTS, "parents"),
    ("professional-foundation", "Foundation course for professionals", Audience.PROFESSIONALS, "professionals"),
]
TOWNS = ["Brambleford", "Hollowmere", "Saltwick", "Tollbridge", "Larkspur", "Fennick", "Quayside", "Marram", "Ashcombe"]
YES_NO = [("yes", "Yes"), ("no", "No"), ("not_say", "I'd rather not say")]


def load(*, today: date | None = None, seed: int = 42) -> bool:
    """Load once; returns False if education data is already there."""
    if Programme.objects.exists():
        return False
    today = today or timezone.localdate()
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not security)
    with transaction.atomic():
        programmes = {}
        for code, name, audience, band in PROGRAMMES:
            programme = Programme.objects.create(code=code, name=name, audience=audience)
            MaterialVersion.objects.create(programme=programme, version="1.0", released_on=date(today.year - 2, 9, 1))
            MaterialVersion.objects.create(
                programme=programme,
                version="1.1",
                released_on=date(today.year - 1, 9, 1),
                changes="Updated examples of apps and games",
            )
            programmes[band] = programme
        trainers = []
        for i, (name, region) in enumerate(
            [
                ("Ada Quillfeather", Region.NORTH_WEST),
                ("Rowan Tidewell", Region.LONDON),
                ("Iris Fenwold", Region.WALES),
                ("Wren Hallowby", Region.SOUTH_WEST),
                ("Ash Merrow", Region.SCOTLAND),
                ("Bea Lindqvist", Region.EAST),
            ]
        ):
            trainer = services.register_trainer(
                actor=ACTOR,
                name=name,
                email=f"trainer{i + 1}@example.org",
                kind=TrainerKind.STAFF if i < 2 else TrainerKind.AMBASSADOR,
                region=region,
            )
            services.accredit_trainer(
                actor=ACTOR, trainer=trainer, on=date(today.year - 1, 1, 10) + timedelta(days=40 * i)
            )
            trainers.append(trainer)
        organisations = []
        regions = list(Region)
        for i in range(36):
            town = TOWNS[i % len(TOWNS)]
            kind = [OrganisationKind.PRIMARY_SCHOOL, OrganisationKind.SECONDARY_SCHOOL, OrganisationKind.YOUTH_GROUP][
                i % 3
            ]
            suffix = {"primary_school": "Primary", "secondary_school": "Academy", "youth_group": "Youth Club"}[kind]
            organisations.append(
                Organisation.objects.create(
                    name=f"{town} {suffix} {i // len(TOWNS) + 1}",
                    kind=kind,
                    region=regions[i % len(regions)],
                    area=f"{town}shire",
                    size=rng.randint(150, 1400),
                )
            )
        # Sessions follow the school year: busy in spring and autumn terms, quiet in August.
        weight = {1: 8, 2: 9, 3: 10, 4: 6, 5: 8, 6: 7, 7: 4, 8: 0, 9: 7, 10: 10, 11: 11, 12: 5}
        day = date(today.year - 1, 1, 2)
        sessions = []
        while day <= today:
            if day.weekday() < 5 and rng.random() < weight[day.month] / 12:
                band = rng.choice(["5-7", "8-10", "11-13", "11-13", "14-18", "parents", "professionals"])
                organisation = rng.choice(organisations)
                sessions.append(
                    Session(
                        organisation=organisation,
                        region=organisation.region,
                        area=organisation.area,
                        delivered_on=day,
                        programme=programmes[band],
                        material_version=programmes[band].current_version,
                        age_band=band,
                        attendees=rng.randint(20, 180),
                        trainer=rng.choice(trainers),
                        flags=[],
                    )
                )
            day += timedelta(days=1)
        Session.objects.bulk_create(sessions)
        services.set_target(actor=ACTOR, year=today.year, children=13000, professionals=3500)
        services.set_target(actor=ACTOR, year=today.year - 1, children=12000, professionals=1500)
        _survey(rng, Session.objects.filter(age_band__in=["11-13", "14-18"]).order_by("-delivered_on")[:8])
        _courses(timezone.localdate())  # always bookable, whatever day the demo is built for
    return True


def _survey(rng, sessions):
    survey = create_survey(
        title="After the session: staying safe when meeting people online",
        questions=[
            QuestionSpec(
                "met_offline", "Have you ever met up with someone you first met online?", QuestionKind.SINGLE, YES_NO
            ),
            QuestionSpec(
                "took_friend",
                "Did you take a friend or a trusted adult with you?",
                QuestionKind.SINGLE,
                YES_NO[:2],
                condition=("met_offline", "yes"),
            ),
            QuestionSpec(
                "apps",
                "Which of these do you use?",
                QuestionKind.MULTIPLE,
                [("video", "Video apps"), ("games", "Online games"), ("chat", "Chat apps")],
            ),
            QuestionSpec(
                "confidence",
                "How sure are you about where to get help? (1 not sure, 5 very sure)",
                QuestionKind.SCALE,
                scale=(1, 5),
            ),
        ],
    )
    for session in sessions:
        SurveyLink.objects.create(survey=survey, session=session)
        for _ in range(min(session.attendees, 60)):
            met = rng.random() < 0.25
            raw = {
                "met_offline": ["yes" if met else rng.choice(["no", "no", "no", "not_say"])],
                "took_friend": ["yes" if rng.random() < 0.83 else "no"] if met else [],
                "apps": [a for a in ("video", "games", "chat") if rng.random() < 0.6],
                "confidence": [str(rng.randint(2, 5))],
            }
            submit_online_response(survey=survey, session=session, raw=raw)


def _courses(today):
    start = timezone.make_aware(timezone.datetime.combine(today + timedelta(days=21), timezone.datetime.min.time()))
    full = Course.objects.create(
        title="Foundation course: keeping children safe online",
        starts_at=start + timedelta(hours=9, minutes=30),
        ends_at=start + timedelta(hours=16),
        venue="Room 2, Larkspur Civic Hall, Larkspur",
        region=Region.SOUTH_WEST,
        capacity=3,
        description="For teachers, youth workers and social workers. Lunch provided.",
    )
    Course.objects.create(
        title="Spotting the signs of online grooming",
        starts_at=start + timedelta(days=14, hours=13),
        ends_at=start + timedelta(days=14, hours=16),
        venue="Tollbridge Library, Tollbridge",
        region=Region.LONDON,
        capacity=25,
    )
    for i, name in enumerate(["Sam Oakhurst", "Kit Brennan", "Jo Fairweather", "Lee Ashdown"]):
        courses.book_place(course=full, name=name, email=f"booker{i + 1}@example.org", organisation="Fennick Primary 1")
    assert Booking.objects.filter(course=full, status="waiting").count() == 1
