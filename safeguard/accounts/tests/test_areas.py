"""accounts.areas: the one list behind the staff navigation and the 403 page's "what your role can use"."""

import re

import pytest
from django.urls import reverse

from safeguard.accounts.areas import CAPABILITY_WORDS, STAFF_AREAS, areas_for, role_label
from safeguard.accounts.models import Role
from safeguard.accounts.roles import Capability, has_capability, staff_home_url_name


def test_every_capability_has_plain_words():
    assert set(CAPABILITY_WORDS) == set(Capability)
    for capability, words in CAPABILITY_WORDS.items():
        assert "_" not in words and words == words.strip(), capability


def test_every_area_resolves():
    for area in STAFF_AREAS:
        reverse(area.url_name)


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_the_navigation_shows_exactly_the_roles_areas_and_its_home_is_one_of_them(staff_client, role):
    client = staff_client(role)
    areas = areas_for(client.user)
    assert areas and all(has_capability(client.user, area.capability) for area in areas)
    assert staff_home_url_name(client.user) in {area.url_name for area in areas}
    body = client.get(reverse(staff_home_url_name(client.user)), follow=True).content.decode()
    nav = body.split('aria-label="Staff menu"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'class="govuk-service-navigation__link" href="([^"]+)"', nav) == [
        reverse(area.url_name) for area in areas
    ]
    assert role_label(client.user) == Role(role).label


def test_education_officers_see_nothing_of_reports_cases_or_accounts():
    class Officer:
        is_authenticated, is_active, role = True, True, Role.EDUCATION_OFFICER

    assert [area.key for area in areas_for(Officer())] == ["education"]
