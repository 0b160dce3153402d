"""The sighting-sent page says what really happens: the centre's team gets it first, the force is told."""

from django.template.loader import render_to_string


def test_sighting_sent_says_it_goes_to_our_team_and_the_force_is_told():
    page = render_to_string("wanted/sighting_sent.html", {"reference": "SG-TEST-0001"})
    assert "passed your sighting to the police force" not in page
    assert "gone to our team" in page and "let that force know" in page
    assert 'href="tel:999"' in page
