"""Remove it forms. The choose form carries only codes (JSON made in the browser), never a file."""

import json
import secrets

from django import forms

from .references import normalise_reference, normalise_secret

MAX_HASHES_FIELD = 200_000  # 50 videos of 600 frames' codes stay well under this; anything bigger is not ours


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


class HashesForm(forms.Form):
    """The codes made on the device. `hashes` is a JSON list of the list's items (evidence.self_reported)."""

    hashes = forms.CharField(required=False, widget=forms.HiddenInput, max_length=MAX_HASHES_FIELD)
    form_token = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)
    threatened = forms.BooleanField(required=False)
    website = forms.CharField(required=False)  # the honeypot: hidden from people, filled in by bots

    def clean_hashes(self) -> list:
        text = self.cleaned_data.get("hashes") or ""
        if not text.strip():
            raise forms.ValidationError("Choose at least one picture or video, and wait until it says it is ready")
        try:
            items = json.loads(text)
        except ValueError:
            raise forms.ValidationError(
                "Something went wrong with the codes made on your device. Choose your pictures again"
            ) from None
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise forms.ValidationError(
                "Something went wrong with the codes made on your device. Choose your pictures again"
            )
        if not items:
            raise forms.ValidationError("Choose at least one picture or video, and wait until it says it is ready")
        return items


class ComeBackForm(forms.Form):
    reference = forms.CharField(max_length=40, error_messages={"required": "Enter your reference number"})
    secret = forms.CharField(max_length=40, error_messages={"required": "Enter your secret code"})

    def clean_reference(self) -> str:
        reference = normalise_reference(self.cleaned_data["reference"])
        if not reference:
            raise forms.ValidationError("Enter your reference number as it was shown, like RI-4K7P-2M9Q")
        return reference

    def clean_secret(self) -> str:
        secret = normalise_secret(self.cleaned_data["secret"])
        if len(secret) != 12:
            raise forms.ValidationError("Enter your secret code as it was shown, like ABCD-1234-EFGH")
        return secret


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        error_messages={"required": "Tick the box to say you want to take your codes back"},
    )


class ThreatForm(forms.Form):
    DANGER_CHOICES = [("yes", "Yes"), ("no", "No"), ("not_sure", "I'm not sure")]

    danger_now = forms.ChoiceField(
        choices=DANGER_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes, no or I'm not sure"},
    )
    platform_name = forms.CharField(required=False, max_length=200)
    subject_identifiers = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)
    account = forms.CharField(required=False, max_length=10000, widget=forms.Textarea)
    age = forms.IntegerField(
        required=False,
        min_value=5,
        max_value=17,
        error_messages={
            "invalid": "Enter your age as a number, like 15",
            "min_value": "Enter an age between 5 and 17, or leave it empty",
            "max_value": "Enter an age between 5 and 17, or leave it empty. If you are 18 or over now, leave it empty",
        },
    )
    consent = forms.BooleanField(error_messages={"required": "Tick the box to say we can send this to our team"})
    website = forms.CharField(required=False)
