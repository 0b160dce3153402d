from django import forms
from django.utils import timezone

from .models import AgeBand, Audience, Organisation, Programme, Region, Trainer, TrainerKind

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class SessionForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        empty_label="Choose an organisation",
        error_messages={"required": "Select the organisation"},
    )
    programme = forms.ModelChoiceField(
        queryset=Programme.objects.filter(active=True),
        empty_label="Choose a programme",
        error_messages={"required": "Select the programme"},
    )
    delivered_on = forms.DateField(
        label="Date delivered",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="For example, 14/03/2026",
        error_messages={
            "required": "Enter the date the session was delivered",
            "invalid": "Enter a real date, like 14/03/2026",
        },
    )
    age_band = forms.ChoiceField(choices=AgeBand.choices, error_messages={"required": "Select who the session was for"})
    attendees = forms.IntegerField(
        label="Number of attendees",
        min_value=1,
        error_messages={
            "required": "Enter the number of attendees",
            "invalid": "Number of attendees must be a whole number",
            "min_value": "Number of attendees must be 1 or more",
        },
    )
    trainer = forms.ModelChoiceField(queryset=Trainer.objects.all(), required=False, empty_label="Not recorded")


class CsvUploadForm(forms.Form):
    file = forms.FileField(label="CSV file", error_messages={"required": "Choose a CSV file to upload"})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file must be smaller than 5 MB: split it into several files")
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("The file must be a CSV file (ending .csv)")
        return upload


class TargetForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year)
    children = forms.IntegerField(label="Children and young people to reach", min_value=0)
    professionals = forms.IntegerField(label="Professionals to train", min_value=0)


class BookingForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=200, error_messages={"required": "Enter your full name"})
    email = forms.EmailField(
        label="Email address",
        help_text="We will send your confirmation and calendar invitation here",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address like name@example.org",
        },
    )
    organisation = forms.CharField(
        label="Organisation", max_length=200, error_messages={"required": "Enter the organisation you work for"}
    )
    job_title = forms.CharField(label="Job title (optional)", max_length=200, required=False)


def survey_form_class(questions):
    """A form with one field per question, so the GOV.UK error summary can link to each."""
    fields = {}
    for number, question in enumerate(questions, start=1):
        choices = question.choices()
        label = f"{number}. {question.text}"
        if question.kind == "multiple":
            fields[question.code] = forms.MultipleChoiceField(
                label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
            )
        else:
            fields[question.code] = forms.ChoiceField(
                label=label, choices=choices, required=False, widget=forms.RadioSelect
            )
    return type("SurveyForm", (forms.Form,), fields)


class TrainerForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=200, error_messages={"required": "Enter the trainer's name"})
    email = forms.EmailField(
        label="Email address",
        error_messages={"required": "Enter the trainer's email address", "invalid": "Enter a real email address"},
    )
    kind = forms.ChoiceField(label="Trainer type", choices=TrainerKind.choices)
    region = forms.ChoiceField(label="Region", choices=Region.choices)
    username = forms.CharField(
        label="Staff username (optional)",
        required=False,
        help_text="For centre staff: lets them record their own sessions when signed in",
    )

    def clean_username(self):
        from safeguard.accounts.models import User

        username = self.cleaned_data["username"].strip()
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(f"There is no active staff account with the username {username}")
        if Trainer.objects.filter(user=user).exists():
            raise forms.ValidationError("This staff account is already linked to a trainer")
        return user

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if Trainer.objects.filter(email=email).exists():
            raise forms.ValidationError("A trainer with this email address is already registered")
        return email


class AccreditForm(forms.Form):
    on = forms.DateField(
        label="Date of the training course (or of renewal)",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"required": "Enter the date", "invalid": "Enter a real date, like 14/03/2026"},
    )


class CourseForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Enter the course title"})
    starts_at = forms.DateTimeField(
        label="Starts",
        input_formats=["%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        help_text="For example, 14/03/2026 09:30",
        error_messages={
            "required": "Enter when the course starts",
            "invalid": "Enter a date and time like 14/03/2026 09:30",
        },
    )
    ends_at = forms.DateTimeField(
        label="Ends",
        input_formats=["%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        help_text="For example, 14/03/2026 12:30",
        error_messages={
            "required": "Enter when the course ends",
            "invalid": "Enter a date and time like 14/03/2026 12:30",
        },
    )
    venue = forms.CharField(max_length=300, error_messages={"required": "Enter the venue"})
    region = forms.ChoiceField(choices=Region.choices)
    capacity = forms.IntegerField(
        label="Places",
        min_value=1,
        error_messages={"required": "Enter the number of places", "min_value": "A course needs at least 1 place"},
    )
    description = forms.CharField(widget=forms.Textarea, required=False)

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The course must end after it starts")
        if starts and starts <= timezone.now():
            self.add_error("starts_at", "The course must start in the future")
        return cleaned


class ProgrammeForm(forms.Form):
    name = forms.CharField(max_length=200, error_messages={"required": "Enter the programme's name"})
    code = forms.SlugField(
        max_length=50,
        help_text="Short code used in CSV uploads: letters, digits and hyphens, e.g. online-friends-11-13",
        error_messages={"required": "Enter a code", "invalid": "Use only letters, digits, hyphens and underscores"},
    )
    audience = forms.ChoiceField(choices=Audience.choices)
    description = forms.CharField(widget=forms.Textarea, required=False)

    def clean_code(self):
        code = self.cleaned_data["code"].lower()
        if Programme.objects.filter(code=code).exists():
            raise forms.ValidationError("Another programme already has this code")
        return code

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Programme.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError("Another programme already has this name")
        return name


class MaterialVersionForm(forms.Form):
    version = forms.CharField(max_length=20, error_messages={"required": "Enter the version, e.g. 2.0"})
    released_on = forms.DateField(
        label="Released on",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"required": "Enter the release date", "invalid": "Enter a real date, like 14/03/2026"},
    )
    changes = forms.CharField(label="What changed", widget=forms.Textarea, required=False)
