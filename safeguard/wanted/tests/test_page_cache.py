"""The public pages' server-side cache (page_cache.py, ADR 0094): fast for anonymous visitors, never stale
after a change, per-response CSP nonce, and nothing cached for a visitor with a session."""

import re

from safeguard.wanted import services
from safeguard.wanted.models import WantedStatus

from .conftest import FIELDS


def _nonce(response) -> str:
    return re.search(r'<script nonce="([^"]+)"', response.content.decode()).group(1)


def test_a_second_anonymous_visit_needs_no_database(client, published, django_assert_num_queries):
    for url in (
        "/most-wanted/",
        f"/most-wanted/{published.public_id}/",
        f"/most-wanted/{published.public_id}/photo.png",
    ):
        first = client.get(url)
        with django_assert_num_queries(0):
            second = client.get(url)
        assert second.status_code == 200
        assert second.content.replace(b"\n", b"") != b"" and second["Content-Type"] == first["Content-Type"]
        assert second["ETag"] == first["ETag"] and "max-age=60" in second["Cache-Control"]


def test_each_response_has_its_own_nonce_in_page_and_header(client, published):
    first, second = client.get("/most-wanted/"), client.get("/most-wanted/")
    assert _nonce(first) != _nonce(second)
    for response in (first, second):
        assert f"'nonce-{_nonce(response)}'" in response["Content-Security-Policy"]
        assert "placeholder" not in response.content.decode()


def test_a_publication_shows_at_once(client, published, make_published):
    assert published.full_name in client.get("/most-wanted/").content.decode()
    second = make_published(full_name="Cornelius Bramblewick")
    assert "Cornelius Bramblewick" in client.get("/most-wanted/").content.decode()
    assert client.get(f"/most-wanted/{second.public_id}/").status_code == 200


def test_an_edit_and_a_status_change_show_at_once(client, published, author):
    client.get(f"/most-wanted/{published.public_id}/")
    services.change_public_status(user=author, person=published, to=WantedStatus.LOCATED)
    page = client.get(f"/most-wanted/{published.public_id}/").content.decode()
    assert "This person has been found" in page and FIELDS["physical_description"] not in page


def test_a_visitor_with_a_session_is_neither_served_nor_stored(client, published, django_assert_max_num_queries):
    client.cookies["sessionid"] = "not-a-real-session"
    client.get("/most-wanted/")
    with django_assert_max_num_queries(10) as queries:
        client.get("/most-wanted/")
    assert any("wanted_wantedperson" in q["sql"] for q in queries.captured_queries)


def test_off_when_the_setting_is_zero(client, published, settings, django_assert_max_num_queries):
    settings.SAFEGUARD_PUBLIC_PAGE_CACHE_SECONDS = 0
    client.get("/most-wanted/")
    with django_assert_max_num_queries(10) as queries:
        client.get("/most-wanted/")
    assert any("wanted_wantedperson" in q["sql"] for q in queries.captured_queries)
