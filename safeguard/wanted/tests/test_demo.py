import pytest
from django.core.management import call_command

from safeguard.wanted.models import WantedPerson
from safeguard.wanted.selectors import measures

pytestmark = pytest.mark.django_db


def test_demo_records_load_once_and_match_the_first_year(make_staff, client):
    make_staff("investigator")
    make_staff("supervisor")
    call_command("load_wanted_demo")
    call_command("load_wanted_demo")
    assert WantedPerson.objects.count() == 8
    m = measures()
    assert (m.posted, m.located, m.still_wanted) == (8, 5, 3)
    assert client.get("/most-wanted/").status_code == 200
