"""Public and staff forms for Most Wanted. Every error says exactly what to fix, in GOV.UK style."""

from datetime import date, timedelta

from django import forms
from django.core.validators import validate_email
from django.utils import timezone

from safeguard.reporting.forms import JourneyForm, SafeTextField

from .forces import FORCE_CHOICES
from .models import WantedPerson

ALL_AREAS = ""
AREA_CHOICES = [(ALL_AREAS, "Every new posting, anywhere"), *FORCE_CHOICES]


class EmailAddressField(forms.CharField):
    """An email address with the GOV.UK wording for each way it can be wrong."""

    def __init__(self, **kwargs):
        super().__init__(
            max_length=254,
            error_messages={
                "required": "Enter your email address",
                "max_length": "Email address must be 254 characters or fewer",
            },
            **kwargs,
        )

    def clean(self, value):
        value = super().clean(value).strip()
        if value and "@" not in value:
            raise forms.ValidationError("Enter an email address in the correct format, like name@example.com")
        try:
            validate_email(value)
        except forms.ValidationError as error:
            raise forms.ValidationError(
                "Enter an email address in the correct format, like name@example.com"
            ) from error
        return value


class SubscribeForm(JourneyForm):
    email = EmailAddressField()
    area = forms.ChoiceField(
        choices=AREA_CHOICES,
        required=False,
        error_messages={"invalid_choice": "Select an area from the list, or every new posting"},
    )


class SightingForm(JourneyForm):
    day = forms.CharField(required=False, max_length=2, error_messages={"max_length": "Enter a real day"})
    month = forms.CharField(required=False, max_length=2, error_messages={"max_length": "Enter a real month"})
    year = forms.CharField(required=False, max_length=4, error_messages={"max_length": "Year must include 4 numbers"})
    seen_time = SafeTextField(label="Time you saw them", max_length=100)
    seen_where = SafeTextField(
        label="Where you saw them",
        max_length=500,
        required=True,
        required_message="Enter where you saw them, for example the street, shop or station",
    )
    description = SafeTextField(
        label="What you saw",
        max_length=5000,
        required=True,
        required_message="Describe what you saw, for example what they were wearing and which way they went",
    )
    contact_name = SafeTextField(label="Your name", max_length=200)
    contact_email = forms.EmailField(
        required=False,
        max_length=254,
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    contact_phone = SafeTextField(label="Your phone number", max_length=40)

    def clean(self):
        cleaned = super().clean()
        if not any(name in self.errors for name in ("day", "month", "year")):
            cleaned["seen_on"] = self._seen_on({n: (cleaned.get(n) or "").strip() for n in ("day", "month", "year")})
        phone = cleaned.get("contact_phone", "")
        if phone and not all(ch.isdigit() or ch in " +()-" for ch in phone):
            self.add_error("contact_phone", "Enter a phone number, like 01632 960 001 or +44 7700 900 982")
        return cleaned

    def _seen_on(self, parts: dict[str, str]) -> date | None:
        if not any(parts.values()):
            self.add_error("day", "Enter the date you saw them")
            return None
        missing = [name for name in ("day", "month", "year") if not parts[name]]
        if missing:
            self.add_error(missing[0], f"The date must include a {' and a '.join(missing)}")
            return None
        if not all(value.isdigit() for value in parts.values()) or len(parts["year"]) != 4:
            self.add_error("day", "The date must be a real date, written in numbers, like 27 3 2026")
            return None
        try:
            when = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            self.add_error("day", "The date must be a real date")
            return None
        today = timezone.localdate()
        if when > today:
            self.add_error("day", "The date must be today or in the past")
            return None
        if when < today - timedelta(days=366):
            self.add_error("year", "The date must be within the last year")
            return None
        return when


class WantedPersonForm(forms.ModelForm):
    """Staff form. Labels are the model's; errors name the field."""

    date_missing = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the date they went missing",
            "invalid": "Enter a real date, like 2026-03-27",
        },
    )

    class Meta:
        model = WantedPerson
        fields = [
            "full_name",
            "aliases",
            "physical_description",
            "last_known_area",
            "area",
            "offences",
            "leading_force",
            "date_missing",
        ]
        labels = {
            "full_name": "Full name",
            "aliases": "Other names",
            "physical_description": "Physical description",
            "last_known_area": "Last known area",
            "area": "Police force area they were last known in",
            "offences": "Why they are wanted",
            "leading_force": "Force leading the search",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Model choices come with Django's "---------" blank; say what to choose instead.
        for name, prompt in (("area", "Choose a police force area"), ("leading_force", "Choose a force")):
            field = self.fields[name]
            field.choices = [("", prompt), *((v, label) for v, label in field.choices if v != "")]

    def clean_date_missing(self):
        value = self.cleaned_data["date_missing"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date they went missing must be today or in the past")
        return value
