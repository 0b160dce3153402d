"""One form per question page. Each error says exactly what to fix, in GOV.UK style.

Forms only check and tidy what a person typed; what the answers mean for a report is decided in
`journey.py`. Free text is checked for hidden control characters: we take them out, say so, and
show the tidied text back so that pressing Continue again accepts it.
"""

import re
from datetime import date

from django import forms
from django.utils import timezone

from . import public_answers
from .models import ActionTaken, Category, Environment, ReporterRole
from .references import normalise_reference
from .wording import Wording

# C0 control characters (and DEL) except tab and newline; carriage returns are normalised first.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
CONTROL_CHARS_MESSAGE = (
    "{label} contained hidden characters that we cannot accept, such as control codes. "
    "We have taken them out: check your answer and continue"
)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def strip_control_chars(text: str) -> str:
    return CONTROL_CHARS.sub("", normalise_newlines(text))


class SafeTextField(forms.CharField):
    """Free text with a GOV.UK-style message when it is too long.

    `label` is used in messages only ("Name of the app or website must be 200 characters or fewer").
    """

    def __init__(self, *, label: str, max_length: int, required: bool = False, required_message: str = "", **kw):
        messages = {"max_length": f"{label} must be {max_length:,} characters or fewer"}
        if required_message:
            messages["required"] = required_message
        super().__init__(label=label, max_length=max_length, required=required, error_messages=messages, **kw)

    def to_python(self, value):
        return super().to_python(normalise_newlines(value) if isinstance(value, str) else value)


class JourneyForm(forms.Form):
    """Ids equal field names (`platform_name`, `role_0`), so labels, error links and tests stay simple."""

    def __init__(self, *args, role: str = "", **kwargs):
        self.reporter_role = role  # who answers (a ReporterRole value, "" before "About you"): words may depend on it
        kwargs.setdefault("auto_id", "%s")
        kwargs.setdefault("label_suffix", "")
        data = kwargs.get("data", args[0] if args else None)
        self.control_chars_in: list[str] = []
        if data is not None:
            data = data.copy()
            for name, field in self.base_fields.items():
                raw = data.get(name)
                if isinstance(field, SafeTextField) and isinstance(raw, str):
                    tidy = strip_control_chars(raw)
                    if tidy != normalise_newlines(raw):
                        data[name] = tidy
                        self.control_chars_in.append(name)
            if args:
                args = (data, *args[1:])
            else:
                kwargs["data"] = data
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        for name in self.control_chars_in:
            if name not in self.errors:
                self.add_error(name, CONTROL_CHARS_MESSAGE.format(label=self.fields[name].label))
        return cleaned

    def to_answer(self) -> dict:
        """What goes into the session draft: JSON-serialisable."""
        return dict(self.cleaned_data)


class RoleForm(JourneyForm):
    role = forms.ChoiceField(
        choices=ReporterRole.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select which best describes you",
            "invalid_choice": "Select which best describes you",
        },
    )


AGE_DIGITS = re.compile(r"^[0-9]{1,3}$")


class AgeForm(JourneyForm):
    """ "How old are you?" / "How old is the child?": an age, or "Not sure" (not for a young person about
    themselves), or "I'd rather not say". A child is 0 to 17; a young person who says 18 or over is told they can
    still report as an adult. The words are the role's (wording.py)."""

    GIVEN, NOT_SURE, RATHER_NOT_SAY = public_answers.GIVEN, public_answers.NOT_SURE, public_answers.RATHER_NOT_SAY
    age_answer = forms.ChoiceField(widget=forms.RadioSelect)
    age = forms.CharField(required=False, max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.w = Wording(self.reporter_role)
        answers = [self.GIVEN, self.RATHER_NOT_SAY] if self.w.is_young else list(public_answers.AGE_ANSWERS)
        field = self.fields["age_answer"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(a, a) for a in answers]  # the labels are the page's, from wording.py
        field.error_messages = {"required": self.w["age_choose"], "invalid_choice": self.w["age_choose"]}
        self.fields["age"].error_messages = {"max_length": self.w["age_not_a_number"]}

    def clean(self):
        cleaned = super().clean()
        cleaned["child_age"] = None
        if cleaned.get("age_answer") != self.GIVEN:
            cleaned["age"] = ""
            return cleaned
        if "age" in self.errors:
            return cleaned
        text = cleaned.get("age", "")
        if not text:
            self.add_error("age", self.w["age_missing"])
        elif not AGE_DIGITS.match(text):
            self.add_error("age", self.w["age_not_a_number"])
        elif int(text) > 17:
            self.add_error("age", self.w["age_too_old"])
        else:
            cleaned["age"], cleaned["child_age"] = str(int(text)), int(text)
        return cleaned

    @property
    def too_old(self) -> bool:
        """A young person said 18 or over: the page offers the way to report as an adult."""
        return self.w.is_young and self.w["age_too_old"] in self.errors.get("age", [])

    def to_answer(self) -> dict:
        data = self.cleaned_data
        return {"age_answer": data["age_answer"], "age": data["age"], "child_age": data["child_age"]}


class OrganisationForm(JourneyForm):
    """Professionals only, every part optional: where they work, their role, the child's school or setting, and
    what has been done already ("Nothing yet" is exclusive)."""

    organisation = SafeTextField(label="Your organisation", max_length=200)
    job_role = SafeTextField(label="Your role", max_length=200)
    child_setting = SafeTextField(label="The child's school or setting", max_length=200)
    actions_taken = forms.MultipleChoiceField(
        choices=ActionTaken.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Select what has been done from the list"},
    )
    action_other = SafeTextField(label="What else has been done", max_length=500)

    def clean(self):
        cleaned = super().clean()
        actions = cleaned.get("actions_taken", [])
        if ActionTaken.NOTHING_YET in actions and len(actions) > 1:
            self.add_error("actions_taken", "Select what has been done, or select 'Nothing yet'")
        if ActionTaken.SOMETHING_ELSE in actions:
            if not cleaned.get("action_other") and "action_other" not in self.errors:
                self.add_error("action_other", "Tell us what else has been done")
        else:
            cleaned["action_other"] = ""
        return cleaned


class DangerForm(JourneyForm):
    YES, NO, NOT_SURE = "yes", "no", "not_sure"
    danger_now = forms.ChoiceField(
        choices=[(YES, "Yes"), (NO, "No"), (NOT_SURE, "I'm not sure")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes, no or I'm not sure",
            "invalid_choice": "Select yes, no or I'm not sure",
        },
    )


class CategoriesForm(JourneyForm):
    categories = forms.MultipleChoiceField(
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select what happened, or select 'Something else'",
            "invalid_choice": "Select what happened from the list",
        },
    )
    other_category_detail = SafeTextField(label="What else happened", max_length=500)

    def clean(self):
        cleaned = super().clean()
        if Category.SOMETHING_ELSE in cleaned.get("categories", []):
            if not cleaned.get("other_category_detail") and "other_category_detail" not in self.errors:
                self.add_error("other_category_detail", "Tell us what else happened")
        else:
            cleaned["other_category_detail"] = ""
        return cleaned


class WhereForm(JourneyForm):
    platform_name = SafeTextField(
        label="Name of the app or website",
        max_length=200,
        required=True,
        required_message="Enter the name of the app or website",
    )
    environment = forms.ChoiceField(
        choices=Environment.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what kind of place it was",
            "invalid_choice": "Select what kind of place it was",
        },
    )


class WhoForm(JourneyForm):
    subject_identifiers = SafeTextField(label="What you know about the person", max_length=2000)
    subject_claimed_age = SafeTextField(label="The age they said they were", max_length=50)


class WhenForm(JourneyForm):
    """GOV.UK date input, or "not sure" with a description. Errors for the whole date sit on `day`."""

    day = forms.CharField(required=False, max_length=2, error_messages={"max_length": "Enter a real day"})
    month = forms.CharField(required=False, max_length=2, error_messages={"max_length": "Enter a real month"})
    year = forms.CharField(required=False, max_length=4, error_messages={"max_length": "Year must include 4 numbers"})
    not_sure = forms.BooleanField(required=False)
    incident_when_description = SafeTextField(label="When it happened", max_length=500)

    def clean(self):
        cleaned = super().clean()
        if any(name in self.errors for name in ("day", "month", "year")):
            return cleaned
        parts = {name: (cleaned.get(name) or "").strip() for name in ("day", "month", "year")}
        not_sure = cleaned.get("not_sure")
        if not_sure and not cleaned.get("incident_when_description") and "incident_when_description" not in self.errors:
            self.add_error("incident_when_description", "Tell us roughly when it happened, for example 'last summer'")
        if not any(parts.values()):
            if not not_sure:
                self.add_error("day", "Enter the date it happened, or select 'I'm not sure of the date'")
            cleaned["incident_date"] = None
            return cleaned
        cleaned["incident_date"] = self._date_from(parts)
        return cleaned

    def _date_from(self, parts: dict[str, str]) -> date | None:
        missing = [name for name in ("day", "month", "year") if not parts[name]]
        if missing:
            self.add_error(missing[0], f"The date must include a {' and a '.join(missing)}")
            return None
        if not all(value.isdigit() for value in parts.values()):
            self.add_error("day", "The date must be a real date, written in numbers")
            return None
        if len(parts["year"]) != 4:
            self.add_error("year", "The year must include 4 numbers")
            return None
        try:
            when = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            self.add_error("day", "The date must be a real date")
            return None
        if when > timezone.localdate():
            self.add_error("day", "The date must be today or in the past")
            return None
        if when.year < 1990:
            self.add_error("year", "The year must be 1990 or later")
            return None
        return when

    def to_answer(self) -> dict:
        data = self.cleaned_data
        when = data.get("incident_date")
        return {
            "day": str(when.day) if when else "",
            "month": str(when.month) if when else "",
            "year": str(when.year) if when else "",
            "incident_date": when.isoformat() if when else None,
            "not_sure": bool(data.get("not_sure")),
            "incident_when_description": data.get("incident_when_description", "") if data.get("not_sure") else "",
        }


class AccountForm(JourneyForm):
    account = SafeTextField(
        label="What happened",
        max_length=10000,
        required=True,
        required_message="Tell us what happened in your own words",
    )


class ScreenshotForm(JourneyForm):
    """The file itself is checked in `uploads.py`; this carries which button was pressed."""

    screenshot = forms.FileField(required=False)


PHONE_CHARS = re.compile(r"^[0-9 +()\-]+$")


class WantsContactForm(JourneyForm):
    YES, NO = "yes", "no"
    wants_contact = forms.ChoiceField(
        choices=[(YES, "Yes"), (NO, "No")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes if you want us to contact you",
            "invalid_choice": "Select yes if you want us to contact you",
        },
    )


class ContactDetailsForm(JourneyForm):
    contact_name = SafeTextField(label="Your name", max_length=200)
    contact_email = forms.EmailField(
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    contact_phone = SafeTextField(label="Phone number", max_length=40)
    contact_consent = forms.BooleanField(required=False)

    def clean_contact_phone(self):
        phone = self.cleaned_data.get("contact_phone", "")
        if not phone:
            return ""
        digits = [ch for ch in phone if ch.isdigit()]
        if not PHONE_CHARS.match(phone) or not 7 <= len(digits) <= 15:
            raise forms.ValidationError("Enter a phone number, like 01632 960 001 or 07700 900 982")
        return phone

    def clean(self):
        cleaned = super().clean()
        has_email = cleaned.get("contact_email") or "contact_email" in self.errors
        has_phone = cleaned.get("contact_phone") or "contact_phone" in self.errors
        if not has_email and not has_phone:
            self.add_error("contact_email", "Enter an email address or a phone number so that we can contact you")
        if not cleaned.get("contact_consent"):
            self.add_error("contact_consent", "Select the box to agree that we can contact you")
        return cleaned


class SubmitForm(JourneyForm):
    """The final button, plus a honeypot that people never see and bots fill in."""

    website = forms.CharField(required=False)  # checked by the view before anything else


class FollowUpSignInForm(JourneyForm):
    reference = forms.CharField(
        max_length=40,
        error_messages={"required": "Enter your report reference", "max_length": "Enter your report reference"},
    )
    secret = forms.CharField(
        max_length=60,
        error_messages={"required": "Enter your secret code", "max_length": "Enter your secret code"},
    )

    def clean_reference(self):
        reference = normalise_reference(self.cleaned_data["reference"])
        # A malformed reference gets the same message as a wrong one (see the view); keep it empty here.
        return reference


class AddInformationForm(JourneyForm):
    text = SafeTextField(
        label="The information you want to add",
        max_length=5000,
        required=True,
        required_message="Enter the information you want to add",
    )
