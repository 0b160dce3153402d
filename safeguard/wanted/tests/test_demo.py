import pytest
from django.core.management import call_command

from safeguard.wanted.management.commands.load_wanted_demo import PEOPLE
from safeguard.wanted.models import WantedPerson, WantedStatus
from safeguard.wanted.selectors import measures

pytestmark = pytest.mark.django_db


def test_demo_records_load_once_and_match_the_first_year(make_staff, client):
    make_staff("investigator")
    make_staff("supervisor")
    call_command("load_wanted_demo")
    call_command("load_wanted_demo")
    assert WantedPerson.objects.count() == len(PEOPLE)  # the second run made none
    assert set(WantedPerson.objects.values_list("status", flat=True)) == set(WantedStatus.values)
    m = measures()
    # The first year's eight, plus one published then withdrawn; drafts and one awaiting approval never posted.
    assert (m.posted, m.located, m.still_wanted) == (9, 5, 3)
    assert client.get("/most-wanted/").status_code == 200
