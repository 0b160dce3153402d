"""Forms for the staff evidence pages."""

from django import forms

from .models import ReviewState


class SelfReportedReviewForm(forms.Form):
    """Hold a self-reported hash back from partners, or release it: always with a reason (kept in the audit log)."""

    decision = forms.ChoiceField(
        choices=ReviewState.choices,
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choose to hold or release the hash",
            "invalid_choice": "Choose to hold or release the hash",
        },
    )
    reason = forms.CharField(
        required=False,  # required below, in words that say which decision it is for
        max_length=500,
        error_messages={"max_length": "The reason must be 500 characters or fewer"},
    )

    def clean(self):
        cleaned = super().clean()
        if "reason" in cleaned and not cleaned["reason"]:
            held = cleaned.get("decision") == ReviewState.HELD
            self.add_error(
                "reason", f"Give the reason for {'holding this hash back' if held else 'releasing this hash'}"
            )
        return cleaned


class SelfReportedFilterForm(forms.Form):
    """The review list's filters (GET): state and request reference, both optional."""

    state = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any state"),
            ("shared", "Shared with platforms"),
            ("held", "Held back"),
            ("withdrawn", "Withdrawn"),
        ],
        error_messages={"invalid_choice": "Choose shared, held, withdrawn or any state"},
    )
    request = forms.CharField(
        required=False,
        max_length=40,
        label="Request reference",
        error_messages={"max_length": "A request reference is at most 40 characters, like RI-ABCD-2345"},
    )

    def clean_request(self) -> str:
        return self.cleaned_data["request"].strip()
