"""Forms for the case pages: they only parse what was typed; services decide what is allowed."""

from django import forms

from safeguard.accounts.models import User
from safeguard.accounts.roles import ROLE_CAPABILITIES, Capability
from safeguard.reporting.models import Report
from safeguard.reporting.references import normalise_reference
from safeguard.routing.models import Recipient

from .models import CaseStatus, DeploymentKind, EnquiryKind, EnquiryStatus

DATE_HELP = "For example, 2026-12-01"


def casework_staff():
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if Capability.MANAGE_CASES in caps]
    return User.objects.filter(role__in=roles, is_active=True).order_by("username")


def _split(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").split() if part]


class ReportReferencesField(forms.CharField):
    """Report references as staff copy them ("SG-ABCD-1234"), separated by spaces, commas or lines."""

    def clean(self, value):
        text = super().clean(value) or ""
        references, wrong = [], []
        for part in _split(text):
            reference = normalise_reference(part)
            (references if reference else wrong).append(reference or part)
        if wrong:
            raise forms.ValidationError(f"Not a report reference: {', '.join(wrong)}. They look like SG-ABCD-1234.")
        found = dict(Report.objects.filter(reference__in=references).values_list("reference", "pk"))
        missing = [r for r in references if r not in found]
        if missing:
            raise forms.ValidationError(f"No report with reference {', '.join(missing)}.")
        return [found[r] for r in references]


class IdListField(forms.CharField):
    """Numbers as shown on pages ("S-000012", "CASE-2026-00012" or just "12"), separated by spaces or commas."""

    def clean(self, value):
        text = super().clean(value) or ""
        ids, wrong = [], []
        for part in _split(text):
            digits = part.rsplit("-", 1)[-1]
            (ids if digits.isdigit() else wrong).append(int(digits) if digits.isdigit() else part)
        if wrong:
            raise forms.ValidationError(f"Not a number: {', '.join(wrong)}.")
        return ids


class OpenCaseForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Give the case a title."})
    reports = ReportReferencesField(
        required=False, label="Reports", help_text="Report references, separated by spaces or commas"
    )
    subjects = IdListField(required=False, label="Subjects", help_text="Subject numbers, e.g. S-000012")
    summary = forms.CharField(widget=forms.Textarea, required=False, max_length=5000)


class AddToCaseForm(forms.Form):
    reports = ReportReferencesField(required=False, label="Reports to add", help_text="Report references")
    subjects = IdListField(required=False, label="Subjects to add", help_text="Subject numbers")


class EnquiryForm(forms.Form):
    kind = forms.ChoiceField(choices=EnquiryKind.choices, label="Kind of enquiry")
    action = forms.CharField(
        widget=forms.Textarea,
        max_length=2000,
        label="Action",
        help_text="For example: obtain subscriber details for IP 203.0.113.7 at 14:02 UTC from the provider",
        error_messages={"required": "Describe the action."},
    )
    due_date = forms.DateField(required=False, label="Due date", help_text=DATE_HELP)
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Nobody yet")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = casework_staff()


class EnquiryUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=EnquiryStatus.choices)
    result = forms.CharField(widget=forms.Textarea, required=False, max_length=5000)
    due_date = forms.DateField(required=False, help_text=DATE_HELP)
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Nobody")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = casework_staff()


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea, max_length=10000, label="Note",
                           error_messages={"required": "The note is empty."})  # fmt: skip


class AttachForm(forms.Form):
    evidence = forms.TypedChoiceField(coerce=int, label="Evidence file", choices=())
    description = forms.CharField(required=False, max_length=500, label="Why it matters (optional)")

    def __init__(self, *args, evidence_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = list(evidence_choices)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=CaseStatus.choices, label="New status")
    reason = forms.CharField(widget=forms.Textarea, required=False, max_length=500, label="Reason")


class OperationForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="For example, Operation Kestrel",
                           error_messages={"required": "Give the operation a name."})  # fmt: skip
    description = forms.CharField(widget=forms.Textarea, required=False, max_length=5000)
    cases = IdListField(required=False, help_text="Case references, e.g. CASE-2026-00012")
    subjects = IdListField(required=False, help_text="Subject numbers, e.g. S-000012")


class AddToOperationForm(forms.Form):
    cases = IdListField(required=False, label="Cases to add", help_text="Case references, e.g. CASE-2026-00012")
    subjects = IdListField(required=False, label="Subjects to add", help_text="Subject numbers")


class DeploymentForm(forms.Form):
    date = forms.DateField(help_text=DATE_HELP, error_messages={"required": "Give the date of the deployment."})
    force = forms.ModelChoiceField(queryset=Recipient.objects.none(), label="Force", empty_label="Choose the force",
                                   error_messages={"required": "Choose the force."})  # fmt: skip
    kind = forms.ChoiceField(choices=DeploymentKind.choices, label="Type of deployment")
    major = forms.BooleanField(required=False, initial=True, label="Counts as a major operational deployment")
    description = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["force"].queryset = Recipient.objects.filter(is_active=True).exclude(kind="international")
