"""The sighting-sent page says what really happens: the centre's team gets it first, the force is told."""

from django.template.loader import render_to_string


def test_sighting_sent_says_it_goes_to_our_team_and_the_force_is_told():
    page = render_to_string("wanted/sighting_sent.html", {"reference": "SG-TEST-0001"})
    assert "passed your sighting to the police force" not in page
    assert "gone to our team" in page and "let that force know" in page
    assert 'href="tel:999"' in page


def test_found_list_has_one_line_per_kind_of_outcome(client, db):
    """People found alike (posted and found on the same days) read as one line with their number, not repeated."""
    from datetime import timedelta

    from django.utils import timezone

    from safeguard.accounts.models import User
    from safeguard.wanted.models import WantedPerson, WantedStatus

    author = User.objects.create_user(username="wanted-author", role="investigator")
    posted, found = timezone.now() - timedelta(days=20), timezone.now() - timedelta(days=2)
    for i, status in enumerate([WantedStatus.LOCATED] * 3 + [WantedStatus.ARRESTED]):
        WantedPerson.objects.create(
            full_name=f"Test Person {i}",
            physical_description="Tall",
            last_known_area="Testtown",
            area="Thames Valley Police",
            offences="Test",
            leading_force="Thames Valley Police",
            date_missing=posted.date(),
            status=status,
            created_by=author,
            published_at=posted,
            found_at=found,
        )
    html = client.get("/most-wanted/").content.decode()
    posted_on, found_on = (
        timezone.localdate(posted).strftime("%-d %B %Y"),
        timezone.localdate(found).strftime("%-d %B %Y"),
    )
    assert html.count(f"3 people posted on {posted_on} were located on {found_on}.") == 1
    assert html.count(f"A person posted on {posted_on} was arrested on {found_on}.") == 1
