"""Prevention work: programmes, trainers, delivered sessions, reach targets, surveys and courses.

Survey responses are anonymous by design: no names, no free text, and the only context kept is the
session and its age band (see docs/adr/0050-education-data-and-surveys.md).
"""

import secrets

from django.conf import settings
from django.db import models


class Region(models.TextChoices):
    NORTH_EAST = "north_east", "North East"
    NORTH_WEST = "north_west", "North West"
    YORKSHIRE = "yorkshire", "Yorkshire and the Humber"
    EAST_MIDLANDS = "east_midlands", "East Midlands"
    WEST_MIDLANDS = "west_midlands", "West Midlands"
    EAST = "east", "East of England"
    LONDON = "london", "London"
    SOUTH_EAST = "south_east", "South East"
    SOUTH_WEST = "south_west", "South West"
    WALES = "wales", "Wales"
    SCOTLAND = "scotland", "Scotland"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"


class AgeBand(models.TextChoices):
    """Who a session was for. The children's bands follow the programme's age-banded presentations."""

    AGE_5_7 = "5-7", "Children 5 to 7"
    AGE_8_10 = "8-10", "Children 8 to 10"
    AGE_11_13 = "11-13", "Children 11 to 13"
    AGE_14_18 = "14-18", "Young people 14 to 18"
    PARENTS = "parents", "Parents and carers"
    PROFESSIONALS = "professionals", "Professionals"


CHILD_AGE_BANDS = frozenset({AgeBand.AGE_5_7, AgeBand.AGE_8_10, AgeBand.AGE_11_13, AgeBand.AGE_14_18})


class Audience(models.TextChoices):
    CHILDREN = "children", "Children and young people"
    PARENTS = "parents", "Parents and carers"
    PROFESSIONALS = "professionals", "Professionals"


class Programme(models.Model):
    name = models.CharField(max_length=200, unique=True)
    code = models.SlugField(max_length=50, unique=True, help_text="Used in CSV uploads, e.g. 'tuk-11-13'.")
    audience = models.CharField(max_length=20, choices=Audience.choices)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def current_version(self) -> "MaterialVersion | None":
        return self.versions.order_by("-released_on", "-id").first()


class MaterialVersion(models.Model):
    """One release of a programme's presentation materials; sessions say which one they used."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(max_length=20)
    released_on = models.DateField()
    changes = models.TextField(blank=True, help_text="What changed since the previous version.")

    class Meta:
        ordering = ["programme", "-released_on"]
        constraints = [models.UniqueConstraint(fields=["programme", "version"], name="education_unique_version")]

    def __str__(self) -> str:
        return f"{self.programme} v{self.version}"


class TrainerKind(models.TextChoices):
    STAFF = "staff", "Centre staff"
    AMBASSADOR = "ambassador", "Volunteer ambassador"


class Trainer(models.Model):
    """Someone who delivers sessions. Ambassadors are accredited after a training course, for a fixed period."""

    name = models.CharField(max_length=200)
    email = models.EmailField(unique=True)
    kind = models.CharField(max_length=20, choices=TrainerKind.choices)
    region = models.CharField(max_length=30, choices=Region.choices)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="trainer"
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    accredited_on = models.DateField(null=True, blank=True)
    accreditation_expires_on = models.DateField(null=True, blank=True)
    renewals = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def is_accredited_on(self, day) -> bool:
        return bool(
            self.accredited_on
            and self.accreditation_expires_on
            and self.accredited_on <= day <= self.accreditation_expires_on
        )


class OrganisationKind(models.TextChoices):
    PRIMARY_SCHOOL = "primary_school", "Primary school"
    SECONDARY_SCHOOL = "secondary_school", "Secondary school"
    YOUTH_GROUP = "youth_group", "Youth group or club"
    OTHER = "other", "Other"


class Organisation(models.Model):
    """Where sessions are delivered. `size` (pupils or members) lets implausible attendances be flagged."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=OrganisationKind.choices, default=OrganisationKind.OTHER)
    region = models.CharField(max_length=30, choices=Region.choices)
    area = models.CharField(max_length=100, blank=True, help_text="Local authority or district.")
    size = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "region"], name="education_unique_organisation")]

    def __str__(self) -> str:
        return self.name


class SessionImport(models.Model):
    """One accepted CSV upload; its sessions point back to it."""

    filename = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.filename} ({self.rows} sessions)"


class SessionFlag(models.TextChoices):
    POSSIBLE_DUPLICATE = "possible_duplicate", "Possible duplicate of another session"
    MORE_THAN_ORGANISATION = "more_than_organisation", "More attendees than the organisation has"
    FUTURE_DATE = "future_date", "Delivered date is in the future"
    TRAINER_NOT_ACCREDITED = "trainer_not_accredited", "Trainer was not accredited on that date"


class Session(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="sessions")
    region = models.CharField(max_length=30, choices=Region.choices)
    area = models.CharField(max_length=100, blank=True)
    delivered_on = models.DateField()
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="sessions")
    material_version = models.ForeignKey(MaterialVersion, null=True, blank=True, on_delete=models.PROTECT)
    age_band = models.CharField(max_length=20, choices=AgeBand.choices)
    attendees = models.PositiveIntegerField()
    trainer = models.ForeignKey(Trainer, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions")
    flags = models.JSONField(default=list, blank=True, help_text="SessionFlag values; reviewed by staff.")
    imported_in = models.ForeignKey(SessionImport, null=True, blank=True, on_delete=models.PROTECT)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-delivered_on", "-id"]
        indexes = [models.Index(fields=["delivered_on"]), models.Index(fields=["organisation", "delivered_on"])]

    def __str__(self) -> str:
        return f"{self.programme} at {self.organisation} on {self.delivered_on:%d %B %Y}"

    @property
    def flag_labels(self) -> list[str]:
        return [SessionFlag(f).label for f in self.flags if f in SessionFlag.values]


class ReachTarget(models.Model):
    """What the year's prevention work aims for (calendar years)."""

    year = models.PositiveIntegerField(unique=True)
    children = models.PositiveIntegerField(help_text="Children and young people reached")
    professionals = models.PositiveIntegerField(help_text="Professionals trained")

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"Targets for {self.year}"


# --- Surveys ------------------------------------------------------------------------------------


class Survey(models.Model):
    title = models.CharField(max_length=200)
    programme = models.ForeignKey(Programme, null=True, blank=True, on_delete=models.SET_NULL)
    open = models.BooleanField(default=True, help_text="Whether the online form takes responses.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice"
    SCALE = "scale", "Scale"


class Question(models.Model):
    """A closed question (never free text). A conditional question is asked only when an earlier answer is X."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField()
    code = models.SlugField(max_length=50, help_text="Column name in CSV imports and exports.")
    text = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    scale_min = models.IntegerField(null=True, blank=True)
    scale_max = models.IntegerField(null=True, blank=True)
    condition_question = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="dependants"
    )
    condition_value = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["survey", "order"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="education_unique_question_code"),
            models.UniqueConstraint(fields=["survey", "order"], name="education_unique_question_order"),
        ]

    def __str__(self) -> str:
        return self.text

    def choices(self) -> list[tuple[str, str]]:
        if self.kind == QuestionKind.SCALE:
            return [(str(v), str(v)) for v in range(self.scale_min, self.scale_max + 1)]
        return [(o.code, o.label) for o in self.options.all()]


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    order = models.PositiveIntegerField()
    code = models.SlugField(max_length=50)
    label = models.CharField(max_length=200)

    class Meta:
        ordering = ["question", "order"]
        constraints = [models.UniqueConstraint(fields=["question", "code"], name="education_unique_option_code")]

    def __str__(self) -> str:
        return self.label


class ResponseSource(models.TextChoices):
    ONLINE = "online", "Online form"
    PAPER = "paper", "Paper form (CSV import)"


class SurveyLink(models.Model):
    """The address a trainer gives a class: responses through it belong to that session."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="links")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="survey_links")
    token = models.CharField(max_length=43, unique=True, default=secrets.token_urlsafe)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "session"], name="education_unique_survey_link")]

    def __str__(self) -> str:
        return f"{self.survey} for session {self.session_id}"


class SurveyResponse(models.Model):
    """One child's answers. No name, no time of day (the date only), nothing typed freely."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses")
    age_band = models.CharField(max_length=20, choices=AgeBand.choices, blank=True)
    source = models.CharField(max_length=10, choices=ResponseSource.choices)
    received_on = models.DateField()

    def __str__(self) -> str:
        return f"Response {self.pk} to {self.survey}"


class Answer(models.Model):
    """One chosen value; a multiple-choice question has one row per ticked option."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.CharField(max_length=50)

    class Meta:
        indexes = [models.Index(fields=["question", "value"])]

    def __str__(self) -> str:
        return self.value


# --- Professional training courses ----------------------------------------------------------------


class Course(models.Model):
    title = models.CharField(max_length=200)
    programme = models.ForeignKey(Programme, null=True, blank=True, on_delete=models.SET_NULL)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    venue = models.CharField(max_length=300)
    region = models.CharField(max_length=30, choices=Region.choices)
    capacity = models.PositiveIntegerField()
    description = models.TextField(blank=True)
    bookable = models.BooleanField(default=True)

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.title}, {self.starts_at:%d %B %Y}"


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Place confirmed"
    WAITING = "waiting", "On the waiting list"
    CANCELLED = "cancelled", "Cancelled"


class Booking(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="bookings")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    organisation = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=BookingStatus.choices)
    booked_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(null=True, blank=True, help_text="Unknown until the register is taken.")
    certificate_number = models.CharField(max_length=30, blank=True)
    # Bookers have no account: this unguessable token in their link lets them see or cancel the booking.
    token = models.CharField(max_length=43, unique=True, default=secrets.token_urlsafe)

    class Meta:
        ordering = ["booked_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "email"],
                condition=~models.Q(status="cancelled"),
                name="education_one_live_booking_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.course}"
