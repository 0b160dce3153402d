"""Identifiers from what people really type (issue 20): every item of the "about the person" box, and the
usernames, contacts and links in the narrative and follow-up additions. Precision as much as recall: a wrong
strong identifier merges two people's subjects, and a child's own account must never be the offender's."""

import pytest

from safeguard.reporting.models import Report, ReportAddition
from safeguard.subjects.extraction import (
    STOP_TOKENS,
    Role,
    contacts_in_text,
    distinctive,
    from_free_text,
    from_identifier_box,
    from_partner_payload,
    from_report,
)
from safeguard.subjects.models import ReportIdentifier, ReportSubject
from safeguard.subjects.normalise import Kind
from safeguard.subjects.services import link_report

S, V = Role.SUBJECT, Role.VICTIM
USER, EMAIL, PHONE, URL, IP, NAME = Kind.USERNAME, Kind.EMAIL, Kind.PHONE, Kind.URL, Kind.IP, Kind.DISPLAY_NAME


def items(found):
    return {(f.role, f.kind, f.platform, f.value) for f in found}


def box(text, platform="roblox"):
    return items(from_identifier_box(text, platform=platform))


def narrative(text, platform="roblox"):
    return items(from_free_text(text, platform=platform))


# --- the box: separators -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ShadowFox_77", {(S, USER, "roblox", "shadowfox_77")}),
        ("GiftGiver88, GiftGiver_89", {(S, USER, "roblox", "giftgiver88"), (S, USER, "roblox", "giftgiver_89")}),
        ("GiftGiver88; GiftGiver_89", {(S, USER, "roblox", "giftgiver88"), (S, USER, "roblox", "giftgiver_89")}),
        ("GiftGiver88\nGiftGiver_89", {(S, USER, "roblox", "giftgiver88"), (S, USER, "roblox", "giftgiver_89")}),
        ("GiftGiver88\r\n\r\nGiftGiver_89,", {(S, USER, "roblox", "giftgiver88"), (S, USER, "roblox", "giftgiver_89")}),
        ("GiftGiver88 and GiftGiver_89", {(S, USER, "roblox", "giftgiver88"), (S, USER, "roblox", "giftgiver_89")}),
        ("GiftGiver88 or GiftGiver_89", {(S, USER, "roblox", "giftgiver88"), (S, USER, "roblox", "giftgiver_89")}),
        ("GiftGiver88 & GiftGiver_89", {(S, USER, "roblox", "giftgiver88"), (S, USER, "roblox", "giftgiver_89")}),
        ("- GiftGiver88\n- GiftGiver_89.", {(S, USER, "roblox", "giftgiver88"), (S, USER, "roblox", "giftgiver_89")}),
        ("1. GiftGiver88\n2. @GiftGiver_89", {(S, USER, "roblox", "giftgiver88"), (S, USER, "roblox", "giftgiver_89")}),
    ],
)
def test_every_item_of_the_box_is_a_candidate(text, expected):
    assert box(text) == expected


def test_the_issue_examples_make_identifiers_and_a_subject(make_report):
    report = make_report(subject_identifiers="ShadowFox_77\nGiftGiver88, GiftGiver_89", platform_name="Roblox")
    link_report(report)
    values = set(ReportIdentifier.objects.filter(report=report, mergeable=True).values_list("value", flat=True))
    assert {"shadowfox_77", "giftgiver88", "giftgiver_89"} <= values
    assert ReportSubject.objects.filter(report=report).exists()


# --- the box: labels and platforms ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("snap: sam_99", (S, USER, "snapchat", "sam_99")),
        ("Snapchat - sam_99", (S, USER, "snapchat", "sam_99")),
        ("snapchat sam_99", (S, USER, "snapchat", "sam_99")),
        ("insta: Lily.Star", (S, USER, "instagram", "lily.star")),
        ("IG = lily.star", (S, USER, "instagram", "lily.star")),
        ("tiktok @zed_1", (S, USER, "tiktok", "zed_1")),
        ("discord x#1234", (S, USER, "discord", "x#1234")),
        ("his username is dave", (S, USER, "roblox", "dave")),
        ("his snap is dave", (S, USER, "snapchat", "dave")),
        ("gamertag: NightOwl", (S, USER, "roblox", "nightowl")),
        ("on roblox he is Bob_12", (S, USER, "roblox", "bob_12")),
        ("on snapchat he is Bob_12", (S, USER, "snapchat", "bob_12")),
        ("Bob_12 (insta)", (S, USER, "instagram", "bob_12")),
        ("Bob_12 on tiktok", (S, USER, "tiktok", "bob_12")),
        ("whatsapp: 07911 123456", (S, PHONE, "", "+447911123456")),
        ("Sam Jones", (S, NAME, "roblox", "sam jones")),
        ("insta: Sam Jones", (S, NAME, "instagram", "sam jones")),
        ("name: Sam", (S, NAME, "roblox", "sam")),
    ],
)
def test_a_labelled_item_is_on_its_platform(text, expected):
    assert box(text) == {expected}


def test_display_names_are_weak():
    (found,) = from_identifier_box("Coach Dan", platform="roblox")
    assert found.kind == Kind.DISPLAY_NAME and not found.strong and not found.mergeable


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sam.jones@example.org", (S, EMAIL, "", "sam.jones@example.org")),
        ("email: Sam.Jones@example.org", (S, EMAIL, "", "sam.jones@example.org")),
        ("https://www.example.com/u/sam?utm_source=x", (S, URL, "", "https://example.com/u/sam")),
        ("example.com/u/sam", (S, URL, "", "https://example.com/u/sam")),
        ("8.8.8.8", (S, IP, "", "8.8.8.8")),
        ("07911 123456", (S, PHONE, "", "+447911123456")),
        ("+44 7911 123 456", (S, PHONE, "", "+447911123456")),
        ("(07911) 123-456", (S, PHONE, "", "+447911123456")),
    ],
)
def test_emails_urls_ips_and_phones_are_their_kind(text, expected):
    assert box(text) == {expected}


def test_commas_inside_a_web_address_do_not_split_it():
    assert box("https://example.com/p?ids=1,2,3, Wolf_9") == {
        (S, URL, "", "https://example.com/p?ids=1%2C2%2C3"),
        (S, USER, "roblox", "wolf_9"),
    }


def test_phones_written_with_spaces_stay_whole_and_split_on_and():
    assert box("07911 123456 and 07922 654321") == {(S, PHONE, "", "+447911123456"), (S, PHONE, "", "+447922654321")}


# --- the box: noise and odd text -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["don't know", "Dont know his name", "not sure", "Unknown", "n/a", "N/A", "none", "no idea", "idk", "?",
     "he said he was 15", "He said he was 15.", "about 30", "15 years old", "account deleted", "can't remember"],
)  # fmt: skip
def test_noise_is_not_an_identifier(text):
    assert from_identifier_box(text, platform="roblox") == []


def test_odd_text_is_kept_raw_and_never_links():
    (found,) = from_identifier_box("the tall one from the club", platform="roblox")
    assert found.raw == "the tall one from the club" and not found.valid and found.problem and not found.key


def test_a_sentence_in_the_box_is_read_for_its_names():
    assert box("he told me his username is Foxy_1 but I blocked him") == {(S, USER, "roblox", "foxy_1")}


# --- the child's own account ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my username is Kid_Gamer12", (V, USER, "roblox", "kid_gamer12")),
        ("my snap is lily_b", (V, USER, "snapchat", "lily_b")),
        ("My account: lily_b", (V, USER, "roblox", "lily_b")),
        ("I'm Kid_Gamer12 on roblox", (V, USER, "roblox", "kid_gamer12")),
        ("email me at mum@example.com", (V, EMAIL, "", "mum@example.com")),
        ("call me on 07911 123456", (V, PHONE, "", "+447911123456")),
        ("my daughter's username is lily_b", (V, USER, "roblox", "lily_b")),
        ("my son's snap: tom_b12", (V, USER, "snapchat", "tom_b12")),
        ("my friends insta is amy.k22", (V, USER, "instagram", "amy.k22")),
        ("Kid_12 is my account", (V, USER, "roblox", "kid_12")),
    ],
)
def test_the_childs_own_account_is_a_victim_never_the_subject(text, expected):
    assert narrative(text) == {expected}
    assert box(text) == {expected}


def test_the_childs_account_named_elsewhere_in_the_report_is_still_not_the_subject():
    report = Report(
        platform_name="Roblox",
        subject_identifiers="ShadowFox_77",
        account="My username is Kid_Gamer12. Later Kid_Gamer12 got a message from ShadowFox_77.",
    )
    subject = {f.value for f in from_report(report) if f.role == Role.SUBJECT}
    assert subject == {"shadowfox_77"}


def test_the_reporters_own_contact_details_are_not_the_subjects():
    report = Report(
        platform_name="Roblox",
        account="He emailed from bad.guy@example.com. You can reach the family on parent@example.org",
        contact_email="Parent@example.org",
    )
    assert {f.value for f in from_report(report) if f.role == Role.SUBJECT} == {"bad.guy@example.com"}


# --- the narrative -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("His username is ShadowFox_77 and he asked for photos", (S, USER, "roblox", "shadowfox_77")),
        ("he called himself GiftGiver88 on snapchat", (S, USER, "snapchat", "giftgiver88")),
        ("he added me as Wolfie_22 and asked to keep the chat secret", (S, USER, "roblox", "wolfie_22")),
        ("he added me on insta as wolfie", (S, USER, "instagram", "wolfie")),
        ("his snap is dave and he proposed meeting offline", (S, USER, "snapchat", "dave")),
        ("an account called NightOwl on insta kept messaging", (S, USER, "instagram", "nightowl")),
        ("ShadowFox_77 keeps messaging me", (S, USER, "roblox", "shadowfox_77")),
        ("then GiftGiver88 sent gifts in the game", (S, USER, "roblox", "giftgiver88")),
        ("he goes by Foxy_1", (S, USER, "roblox", "foxy_1")),
        ("on discord he is skater.boi", (S, USER, "discord", "skater.boi")),
        ("he messaged from @sam_the_coach", (S, USER, "roblox", "sam_the_coach")),
        ("he emailed from Bad.Guy@example.com", (S, EMAIL, "", "bad.guy@example.com")),
        ("his number is 07911 123456", (S, PHONE, "", "+447911123456")),
        ("he sent https://www.example.com/u/sam.", (S, URL, "", "https://example.com/u/sam")),
        ("he logged in from 8.8.8.8", (S, IP, "", "8.8.8.8")),
    ],
)
def test_the_narrative_is_read_for_usernames_and_contacts(text, expected):
    assert narrative(text) == {expected}


@pytest.mark.parametrize(
    "text",
    ["I am 13yo and in year8 and y8", "at 10pm or 9.30pm for 5mins", "in 2024 on my ps5 and xbox360",
     "since covid19 he sent an mp4", "he came 3rd, then 2nd", "it happened 15.10.2024 at 10:30",
     "his account is private", "the account was made last week", "on snap everyday", "I paid 50robux",
     "my reference is SG-7K2M-9QXD", "my reference is SG 7K2M 9QXD", "we met in Year_8", "2moro or 4ever"],
)  # fmt: skip
def test_ordinary_words_with_digits_are_not_usernames(text):
    assert {f for f in narrative(text) if f[0] == S} == set()


@pytest.mark.parametrize("token", ["13yo", "10pm", "2024", "year8", "y8", "3rd", "5mins", "ps5", "xbox360", "covid19",
                                   "mp4", "15yrs", "sw1a1aa", "1080p", "level10"])  # fmt: skip
def test_stop_tokens_are_never_distinctive(token):
    assert not distinctive(token)


def test_the_stop_list_is_data():
    assert isinstance(STOP_TOKENS, tuple) and all(isinstance(pattern, str) for pattern in STOP_TOKENS)


@pytest.mark.parametrize("token", ["ShadowFox_77", "GiftGiver88", "kid_gamer", "x_x_x", "Wolfie22"])
def test_username_shaped_tokens_are_distinctive(token):
    assert distinctive(token)


def test_dates_and_amounts_in_a_narrative_are_not_kept_as_phones():
    assert narrative("on 12 10 2024 at 10 30 he sent 1000 2000 coins") == set()


# --- the whole report ----------------------------------------------------------------------------------


def test_the_same_username_in_box_and_narrative_is_one_identifier():
    report = Report(
        platform_name="Roblox",
        subject_identifiers="ShadowFox_77",
        account="ShadowFox_77 asked for photos. His username is shadowfox_77.",
    )
    found = [f for f in from_report(report) if f.kind == Kind.USERNAME]
    assert len(found) == 1 and found[0].raw == "ShadowFox_77"


def test_follow_up_additions_are_read_once_saved(new_report):
    report = new_report(platform_name="Roblox", subject_identifiers="", account="He asked me to keep it secret.")
    assert [f for f in from_report(report) if f.role == Role.SUBJECT] == []
    ReportAddition.objects.create(report=report, text="I remembered: he called himself GiftGiver88 on roblox")
    report = Report.objects.get(pk=report.pk)
    assert {f.value for f in from_report(report) if f.role == Role.SUBJECT} == {"giftgiver88"}
    link_report(report)
    assert ReportSubject.objects.filter(report=report).exists()


def test_usernames_from_two_reports_link_them(make_report):
    first = make_report(subject_identifiers="", account="GiftGiver88 asked for photos", platform_name="Roblox")
    second = make_report(subject_identifiers="giftgiver88", platform_name="Roblox")
    assert link_report(first).subject == link_report(second).subject


def test_partner_narrative_is_read_for_contacts_only():
    payload = {
        "personOrUserReported": {"screenName": "Night_Owl"},
        "additionalInfo": "User Wolfie_22 also said to write to wolf@example.com or 07911 123456",
    }
    found = items(from_partner_payload(payload, platform="chatterbox"))
    assert (S, EMAIL, "", "wolf@example.com") in found and (S, PHONE, "", "+447911123456") in found
    assert (S, USER, "chatterbox", "night_owl") in found
    assert not any(value == "wolfie_22" for *_, value in found)


def test_contacts_in_text_takes_only_emails_links_and_phones():
    assert items(contacts_in_text("ShadowFox_77 at https://example.com/x or a@example.com, 07911 123456")) == {
        (S, URL, "", "https://example.com/x"),
        (S, EMAIL, "", "a@example.com"),
        (S, PHONE, "", "+447911123456"),
    }


def test_a_link_in_a_partners_narrative_is_a_place_not_the_person():
    from safeguard.subjects.extraction import Role, from_partner_payload
    from safeguard.subjects.normalise import Kind

    found = from_partner_payload(
        {"additionalInfo": "See our policy at https://help.example.com/safety for why we sent this."}, platform="x"
    )
    links = [item for item in found if item.kind == Kind.URL]
    assert links and all(item.role == Role.ROOM for item in links)
