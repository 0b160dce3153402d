"""Fixtures for Most Wanted tests. All people are fictional; offences are in plain, non-graphic words."""

from datetime import date

import pytest

from safeguard.wanted import services
from safeguard.wanted.models import WantedStatus

FIELDS = {
    "full_name": "Ambrose Quillfeather",
    "aliases": "Bram Quill, A. Feathers",
    "physical_description": "Tall, grey hair, a limp in the left leg.",
    "last_known_area": "Little Wobbling",
    "area": "Kent",
    "offences": "Failed to comply with notification requirements; convicted of offences against children.",
    "leading_force": "Kent",
    "date_missing": date(2026, 1, 5),
}


@pytest.fixture
def author(make_staff):
    return make_staff("investigator")


@pytest.fixture
def approver(make_staff):
    return make_staff("supervisor")


@pytest.fixture
def draft(author):
    return services.create_wanted_person(user=author, fields=dict(FIELDS))


@pytest.fixture
def make_published(author, approver):
    def make(**overrides):
        person = services.create_wanted_person(user=author, fields={**FIELDS, **overrides})
        services.submit_for_approval(user=author, person=person)
        person = services.approve_and_publish(user=approver, person=person)
        assert person.status == WantedStatus.PUBLISHED
        return person

    return make


@pytest.fixture
def published(make_published):
    return make_published()


@pytest.fixture(autouse=True)
def _public_page_cache_on(settings):
    # The public pages' cache is on in production: every Most Wanted test runs with it (ADR 0094).
    settings.SAFEGUARD_PUBLIC_PAGE_CACHE_SECONDS = 60


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters live in the cache; each test starts with none.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
