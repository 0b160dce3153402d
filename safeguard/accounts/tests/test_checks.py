from safeguard.accounts.checks import OTP, STAFF_2FA, staff_two_factor_middleware


def test_settings_pass_the_two_factor_check():
    assert staff_two_factor_middleware(None) == []


def test_missing_or_misplaced_middleware_is_an_error(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != STAFF_2FA]
    assert [e.id for e in staff_two_factor_middleware(None)] == ["safeguard.accounts.E001"]
    settings.MIDDLEWARE = [STAFF_2FA, *[m for m in settings.MIDDLEWARE if m != STAFF_2FA]]
    assert OTP in settings.MIDDLEWARE
    assert [e.id for e in staff_two_factor_middleware(None)] == ["safeguard.accounts.E002"]
