import time

import pytest

from safeguard.partners import services
from safeguard.partners.button import NOTICE_EXPIRED, NOTICE_INVALID, sign_context, verify_context

from .conftest import ADMIN

CONTEXT = {
    "platform": "ChatterBox messenger",
    "reported_account_id": "cb-user-40417",
    "reported_display_name": "Skater_Sam_14",
    "content_reference": "conversation/7731",
    "reporter_account_id": "cb-user-11802",
}


def test_good_token_verifies(partner):
    context, notice = verify_context(sign_context(partner, CONTEXT))
    assert notice is None
    assert context == {**CONTEXT, "partner": "chatterbox", "partner_name": "ChatterBox", "verified": True}


def test_no_token_is_neither_context_nor_notice(db):
    assert verify_context("") == (None, None)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: "eyJwIjoiY2hhdHRlcmJveCIsImV4cCI6OTk5OTk5OTk5OX0" + t[t.index(".") :],  # body swapped
        lambda t: t.replace(".", ""),
        lambda t: "!!!." + t.split(".")[1],
        lambda t: "x" * 5000,
    ],
)
def test_tampered_token_is_dropped_with_a_notice(partner, mangle):
    assert verify_context(mangle(sign_context(partner, CONTEXT))) == (None, NOTICE_INVALID)


def test_expired_token_is_dropped_with_a_notice(partner):
    token = sign_context(partner, CONTEXT, ttl=60, now=time.time() - 120)
    assert verify_context(token) == (None, NOTICE_EXPIRED)


def test_rotated_secret_invalidates_old_tokens(partner):
    token = sign_context(partner, CONTEXT)
    services.rotate_button_secret(actor=ADMIN, partner=partner)
    assert verify_context(token) == (None, NOTICE_INVALID)


def test_unknown_fields_cannot_be_signed(partner):
    with pytest.raises(ValueError, match="Unknown context fields"):
        sign_context(partner, {"reporter_home_address": "x"})


def test_demo_page_embeds_a_signed_button(db, client):
    response = client.get("/partners/demo/messenger/")
    assert response.status_code == 200
    assert b"Report abuse" in response.content and b"/report/?ctx=" in response.content


def test_demo_page_is_not_served_in_production(db, client, settings):
    settings.IS_PRODUCTION = True
    assert client.get("/partners/demo/messenger/").status_code == 404


def test_prefill_suggests_platform_and_account_for_the_right_steps():
    from safeguard.partners.button import prefill_for_step

    context = {**CONTEXT, "partner": "chatterbox", "verified": True}
    assert prefill_for_step(context, "where") == {"platform_name": "ChatterBox messenger"}
    assert prefill_for_step(context, "who") == {
        "subject_identifiers": "Name shown: Skater_Sam_14\nAccount id: cb-user-40417"
    }
    assert prefill_for_step(context, "when") == {}
    assert prefill_for_step(None, "where") == {}
