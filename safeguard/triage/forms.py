from django import forms

from safeguard.reporting.models import Priority, Status


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "Open (not yet actioned or closed)"), *Status.choices],
        required=False,
        error_messages={"invalid_choice": "Choose a status from the list"},
    )
    priority = forms.TypedChoiceField(
        label="Priority",
        choices=[("", "Any priority"), *Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose a priority from the list"},
    )


class StatusChangeForm(forms.Form):
    to_status = forms.ChoiceField(
        label="New status",
        choices=Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the new status", "invalid_choice": "Choose a status from the list"},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The note must be 1000 characters or fewer"},
    )
