"""A system check so that two-factor enforcement cannot be dropped from settings by accident."""

from django.conf import settings
from django.core import checks

OTP = "django_otp.middleware.OTPMiddleware"
STAFF_2FA = "safeguard.accounts.middleware.StaffTwoFactorMiddleware"


@checks.register(checks.Tags.security)
def staff_two_factor_middleware(app_configs, **kwargs):
    middleware = list(settings.MIDDLEWARE)
    if STAFF_2FA not in middleware:
        message = f"{STAFF_2FA} is missing from MIDDLEWARE: staff pages would not need 2FA"
        return [checks.Error(message, id="safeguard.accounts.E001")]
    if OTP not in middleware or middleware.index(OTP) > middleware.index(STAFF_2FA):
        return [checks.Error(f"{STAFF_2FA} must come after {OTP} in MIDDLEWARE", id="safeguard.accounts.E002")]
    return []
