"""Forms for changing your password and an account's role (ADR 0102)."""

from django import forms

from .models import Role
from .passwords import MAX_LENGTH


class PasswordField(forms.CharField):
    def __init__(self, *, required_message: str, **kwargs):
        super().__init__(
            strip=False,
            max_length=MAX_LENGTH * 4,  # the rule (256) is the validator's, with its own message
            widget=forms.PasswordInput,
            error_messages={"required": required_message},
            **kwargs,
        )


class ChangePasswordForm(forms.Form):
    """Current password, new password, confirm. The rules themselves are checked by passwords.change_password."""

    current_password = PasswordField(label="Current password", required_message="Enter your current password")
    new_password = PasswordField(label="New password", required_message="Enter a new password")
    confirm_password = PasswordField(
        label="Confirm new password", required_message="Enter your new password again to confirm it"
    )

    def clean(self):
        cleaned = super().clean()
        new, confirm = cleaned.get("new_password"), cleaned.get("confirm_password")
        if new and confirm and new != confirm:
            self.add_error("confirm_password", "The passwords do not match. Enter your new password again")
        return cleaned


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(
        choices=Role.choices, widget=forms.RadioSelect, error_messages={"required": "Choose a role"}
    )
