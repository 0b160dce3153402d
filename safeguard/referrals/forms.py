from django import forms

from .models import ImportFormat
from .schemas import CSV_COLUMNS

FORMAT_CHOICES = [("", "Work it out from the file name"), *ImportFormat.choices]
BAND_CHOICES = [(1, "P1 immediate"), (2, "P2 within 24 hours"), (3, "P3 within 7 days"), (4, "P4 routine")]


class UploadForm(forms.Form):
    partner = forms.CharField(
        max_length=200,
        label="Partner agency",
        error_messages={"required": "Enter the partner agency that sent the file"},
    )
    format = forms.ChoiceField(choices=FORMAT_CHOICES, required=False, label="File format")
    file = forms.FileField(label="Referral file", error_messages={"required": "Choose the referral file to import"})


def mapping_form(header: list[str], current: dict[str, str]) -> type[forms.Form]:
    choices = [("", "Do not import this column"), *((name, name) for name in CSV_COLUMNS)]
    fields = {}
    for n, column in enumerate(header):
        initial = current.get(column, column.strip().lower().replace(" ", "_"))
        fields[f"column_{n}"] = forms.ChoiceField(
            choices=choices, required=False, label=column, initial=initial if initial in CSV_COLUMNS else ""
        )
    return type("MappingForm", (forms.Form,), fields)


class ChooseLinesForm(forms.Form):
    bands = forms.TypedMultipleChoiceField(
        choices=BAND_CHOICES,
        coerce=int,
        label="Priority bands",
        error_messages={"required": "Choose at least one band"},
    )
    recipient = forms.TypedChoiceField(
        choices=[], coerce=int, required=False, empty_value=None, label="Suggested force"
    )

    def __init__(self, *args, recipients=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [("", "All suggested forces"), *recipients]


class AllocateForm(ChooseLinesForm):
    assignees = forms.ModelMultipleChoiceField(
        queryset=None, label="Allocate to", error_messages={"required": "Choose at least one person"}
    )

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignees"].queryset = staff
