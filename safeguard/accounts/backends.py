"""Password sign-in: Django's ModelBackend, plus the one-time password rule (accounts/passwords.py)."""

from django.contrib.auth.backends import ModelBackend

from .passwords import spend_one_time_password


class StaffPasswordBackend(ModelBackend):
    """A one-time password works for one sign-in, before it expires; after that it is refused with a reason.

    The refusal is an OneTimePasswordRefused (a ValidationError) raised out of `authenticate()`, which the
    sign-in form shows as the error. Any other caller of authenticate() gets the same refusal, never a user.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and user.password_is_one_time:
            spend_one_time_password(user=user)
        return user
