"""The Remove it pages: start, choose (codes only), sent, come back, status, add more, withdraw, sign out."""

import json
import re

import pytest
from django.test import Client, override_settings

from safeguard.removal.models import RemovalRequest

from .conftest import image_item

pytestmark = pytest.mark.django_db

PAGES = ("/remove-it/", "/remove-it/choose/", "/remove-it/come-back/", "/remove-it/someone-is-threatening-me/")


def _token(html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def _send(client, items, **extra):
    page = client.get("/remove-it/choose/").content.decode()
    data = {"hashes": json.dumps(items), "form_token": _token(page), **extra}
    return client.post("/remove-it/choose/", data)


def _sent(client) -> tuple[str, str]:
    html = client.get("/remove-it/sent/").content.decode()
    reference = re.search(r'id="reference">([^<]+)<', html).group(1)
    secret = re.search(r'id="secret">([^<]+)<', html).group(1)
    return reference, secret


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_exit_this_page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-exit-this-page" in html and 'href="/exit"' in html


def test_start_page_says_who_it_is_for_what_it_cannot_do_and_where_to_get_help(client):
    html = client.get("/remove-it/").content.decode()
    for words in (
        "Get a nude or sexual image of you removed",
        "under 18 when the picture or video was made",
        "never leave your phone",
        "hash",
        "apps and websites that take part",
        "cannot delete a picture from someone",
        "might not match",
        "0800 1111",
        "childline.org.uk",
        "999",
        "You are not in trouble",
    ):
        assert words in html, words


def test_the_reporting_and_safety_pages_link_to_remove_it(client):
    for path in ("/report/", "/report/staying-safe/"):
        assert 'href="/remove-it/"' in client.get(path).content.decode(), path


def test_choose_page_file_input_has_no_name_and_the_form_is_not_multipart(client):
    html = client.get("/remove-it/choose/").content.decode()
    file_input = re.search(r"<input[^>]*type=\"file\"[^>]*>", html).group(0)
    assert "name=" not in file_input
    assert "multipart" not in html
    assert "This part needs JavaScript" in html and 'href="/report/"' in html
    assert "js/remove/journey.mjs" in html


def test_choose_page_lets_the_browser_read_videos_from_blob_urls(client):
    policy = client.get("/remove-it/choose/")["Content-Security-Policy"]
    assert "media-src 'self' blob:" in policy


def test_sending_codes_shows_the_reference_and_secret_once_and_a_replay_makes_no_second_request(client):
    page = client.get("/remove-it/choose/").content.decode()
    data = {"hashes": json.dumps([image_item(1), image_item(2)]), "form_token": _token(page)}
    response = client.post("/remove-it/choose/", data)
    assert response.status_code == 302 and response["Location"] == "/remove-it/sent/"
    reference, secret = _sent(client)
    assert reference == RemovalRequest.objects.get().reference
    assert "2 pictures or videos" in client.get("/remove-it/sent/").content.decode()
    again = client.post("/remove-it/choose/", data)
    assert again.status_code == 302 and RemovalRequest.objects.count() == 1
    assert _sent(client) == (reference, secret)


def test_bad_codes_show_an_error_summary_and_store_nothing(client):
    response = _send(client, [image_item(1), {**image_item(2), "pdq_quality": 10}])
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "Picture or video 2:" in html and "too plain" in html
    assert html.count('href="#remove-it-files"') == 1
    assert RemovalRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("hashes", "words"),
    [("", "Choose at least one picture or video"), ("{not json", "Something went wrong"), ('{"a": 1}', "went wrong")],
)
def test_missing_or_broken_codes_are_explained(client, hashes, words):
    page = client.get("/remove-it/choose/").content.decode()
    html = client.post("/remove-it/choose/", {"hashes": hashes, "form_token": _token(page)}).content.decode()
    assert words in html and RemovalRequest.objects.count() == 0


def test_the_honeypot_looks_like_success_and_keeps_nothing(client):
    response = _send(client, [image_item(1)], website="http://spam.example")
    assert response.status_code == 302
    assert RemovalRequest.objects.count() == 0
    assert "RI-" in client.get("/remove-it/sent/").content.decode()


def test_sent_page_on_another_device_says_why_nothing_is_shown():
    html = Client().get("/remove-it/sent/").content.decode()
    assert "Your details are not shown here" in html


def _signed_in(client) -> tuple[Client, str, str]:
    _send(client, [image_item(1)])
    reference, secret = _sent(client)
    other = Client()
    response = other.post("/remove-it/come-back/", {"reference": reference, "secret": secret})
    assert response.status_code == 302 and response["Location"] == "/remove-it/your-pictures/"
    return other, reference, secret


def test_come_back_status_add_more_withdraw_and_sign_out(client, fake_list):
    other, reference, _secret = _signed_in(client)
    html = other.get("/remove-it/your-pictures/").content.decode()
    assert reference in html and "1 picture or video shared with platforms." in html
    assert "No platform has told us about a copy yet" in html

    fake_list.platform_removed(reference)
    html = other.get("/remove-it/your-pictures/").content.decode()
    assert "A platform has told us it removed a copy on" in html

    page = other.get("/remove-it/your-pictures/add/").content.decode()
    response = other.post(
        "/remove-it/your-pictures/add/", {"hashes": json.dumps([image_item(7)]), "form_token": _token(page)}
    )
    assert response.status_code == 302
    assert "2 pictures or videos shared" in other.get("/remove-it/your-pictures/").content.decode()

    html = other.post("/remove-it/your-pictures/take-back/", {}).content.decode()
    assert "Tick the box to say you want to take your codes back" in html
    assert not RemovalRequest.objects.get().withdrawn
    response = other.post("/remove-it/your-pictures/take-back/", {"confirm": "on"})
    assert response.status_code == 302 and RemovalRequest.objects.get().withdrawn
    html = other.get("/remove-it/your-pictures/").content.decode()
    assert "You have taken your codes back" in html and "You took back 2 codes" in html

    refused = other.get("/remove-it/your-pictures/add/").content.decode()
    assert "you can start again with new codes" in refused and 'type="file"' not in refused
    other.post("/remove-it/your-pictures/add/", {"hashes": json.dumps([image_item(8)])})
    assert RemovalRequest.objects.get().item_count == 2

    other.post("/remove-it/sign-out/")
    assert other.get("/remove-it/your-pictures/")["Location"] == "/remove-it/come-back/"


def test_wrong_details_get_the_same_words_whichever_part_was_wrong(client):
    _send(client, [image_item(1)])
    reference, secret = _sent(client)
    wrong_secret = Client().post("/remove-it/come-back/", {"reference": reference, "secret": "AAAA-BBBB-CCCC"})
    wrong_ref = Client().post("/remove-it/come-back/", {"reference": "RI-0000-0000", "secret": secret})
    for response in (wrong_secret, wrong_ref):
        assert "The reference or secret code is not right" in response.content.decode()
    badly_typed = Client().post("/remove-it/come-back/", {"reference": "hello", "secret": ""}).content.decode()
    assert "like RI-4K7P-2M9Q" in badly_typed and "Enter your secret code" in badly_typed


def test_pages_for_a_signed_in_request_send_others_to_come_back():
    for path in ("/remove-it/your-pictures/", "/remove-it/your-pictures/add/", "/remove-it/your-pictures/take-back/"):
        assert Client().get(path)["Location"] == "/remove-it/come-back/"


@override_settings(SAFEGUARD_REMOVE_IT_RATE="2/h")
def test_posts_are_rate_limited_with_a_kind_page(client):
    for _ in range(2):
        client.post("/remove-it/come-back/", {"reference": "RI-0000-0000", "secret": "AAAA-BBBB-CCCC"})
    response = client.post("/remove-it/come-back/", {"reference": "RI-0000-0000", "secret": "AAAA-BBBB-CCCC"})
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    html = response.content.decode()
    assert "Please wait before trying again" in html and "govuk-exit-this-page" in html
