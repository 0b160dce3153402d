from django import forms

from .models import Decision
from .services import MAX_RETAIN_DAYS


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to retain or dispose of the record"},
    )
    reason = forms.CharField(
        max_length=2000,
        error_messages={
            "required": "Give the reason for this decision",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )
    retain_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_RETAIN_DAYS,
        label="Days until the next review (if retained)",
        error_messages={
            "invalid": "Enter the days until the next review as a whole number, like 3650",
            "min_value": "The next review must be at least 1 day away",
            "max_value": f"The next review must be at most {MAX_RETAIN_DAYS} days away",
        },
    )


class ScheduleForm(forms.Form):
    review_after_days = forms.IntegerField(
        min_value=1,
        max_value=MAX_RETAIN_DAYS,
        label="First review, in days after the record was made",
        error_messages={
            "required": "Enter the days until the first review",
            "invalid": "Enter the days until the first review as a whole number, like 2190",
            "min_value": "The first review must be at least 1 day after the record was made",
            "max_value": f"The first review must be at most {MAX_RETAIN_DAYS} days after the record was made",
        },
    )
    retain_for_days = forms.IntegerField(
        min_value=1,
        max_value=MAX_RETAIN_DAYS,
        label="After a decision to retain, days until the next review",
        error_messages={
            "required": "Enter the days until the next review after a decision to retain",
            "invalid": "Enter the days after a decision to retain as a whole number, like 3650",
            "min_value": "The next review must be at least 1 day away",
            "max_value": f"The next review must be at most {MAX_RETAIN_DAYS} days away",
        },
    )
    basis = forms.CharField(max_length=300, required=False, label="Basis (the policy this follows)")
