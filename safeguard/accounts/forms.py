import re

from django import forms
from django.contrib.auth import authenticate

from .models import Role


class SignInForm(forms.Form):
    """Step one: username and password. authenticate() gets the request so django-axes can count failures."""

    username = forms.CharField(max_length=150, error_messages={"required": "Enter your username"})
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput, error_messages={"required": "Enter your password"}
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        username, password = cleaned.get("username"), cleaned.get("password")
        if username and password:
            self.user = authenticate(self.request, username=username, password=password)
            if self.user is None:
                # Same words whichever part was wrong: do not reveal which usernames exist.
                raise forms.ValidationError("The username or password is not right")
        return cleaned


class CodeForm(forms.Form):
    """Step two: the 6-digit code. Spaces and dashes people type from the app are ignored."""

    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=20,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )

    def clean_code(self):
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError("Enter the code as 6 digits, like 123456")
        return code


class NewStaffUserForm(forms.Form):
    username = forms.CharField(max_length=150, error_messages={"required": "Enter a username"})
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False, error_messages={"invalid": "Enter an email address like name@example.org"})
    role = forms.ChoiceField(
        choices=Role.choices, widget=forms.RadioSelect, error_messages={"required": "Choose a role"}
    )
