"""The Atom feed: new postings and status changes; found people lose their details; withdrawn ones vanish."""

import pytest

from safeguard.wanted import services
from safeguard.wanted.models import WantedStatus

pytestmark = pytest.mark.django_db


def feed(client) -> str:
    response = client.get("/most-wanted/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return response.content.decode()


def test_a_new_posting_is_an_entry_with_its_details(client, published):
    body = feed(client)
    assert 'xmlns="http://www.w3.org/2005/Atom"' in body
    assert f"<title>Wanted: {published.full_name}</title>" in body
    assert f"/most-wanted/{published.public_id}/" in body
    assert "Little Wobbling" in body


def test_located_adds_an_entry_and_removes_the_details_from_every_entry(client, published, author):
    services.change_public_status(user=author, person=published, to=WantedStatus.LOCATED)
    body = feed(client)
    assert body.count("<entry>") == 2
    assert body.count("has been found") == 2
    assert published.full_name not in body and "Little Wobbling" not in body


def test_withdrawn_records_leave_the_feed(client, make_published, author):
    kept = make_published(full_name="Cornelius Wimbleton")
    gone = make_published(full_name="Dorothea Pumpkinseed")
    services.change_public_status(user=author, person=gone, to=WantedStatus.WITHDRAWN)
    body = feed(client)
    assert kept.full_name in body
    assert gone.full_name not in body and gone.public_id not in body


def test_the_feed_is_cacheable(client, published):
    response = client.get("/most-wanted/feed.atom")
    assert "public" in response["Cache-Control"] and response["ETag"]
    assert client.get("/most-wanted/feed.atom", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_drafts_are_not_in_the_feed(client, draft):
    assert draft.full_name not in feed(client)
