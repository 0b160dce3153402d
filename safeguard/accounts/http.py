"""Request types for views behind sign-in (`require_capability`): their user is a signed-in `User`.

django-stubs types `request.user` as `User | AnonymousUser`; a view that only runs for a signed-in user
says so with `request: AuthenticatedHttpRequest` (the pattern django-stubs documents).
"""

from django.http import HttpRequest

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
