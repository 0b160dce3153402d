import pytest

from safeguard.subjects.extraction import Role, from_free_text, from_partner_payload
from safeguard.subjects.normalise import (
    Kind,
    identifier_key,
    normalise_email,
    normalise_file_hash,
    normalise_ip,
    normalise_phone,
    normalise_url,
    normalise_username,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Sam.Jones@Example.ORG ", "sam.jones@example.org"),
        ("sam.jones+kids@gmail.com", "samjones@gmail.com"),
        ("Sam.Jones@googlemail.com", "samjones@gmail.com"),
        # Unknown providers: a +tag may be a different mailbox, so it stays.
        ("sam+kids@example.org", "sam+kids@example.org"),
        ("mailto:<sam@example.org>", "sam@example.org"),
    ],
)
def test_email_normalised(raw, expected):
    assert normalise_email(raw).value == expected


@pytest.mark.parametrize(
    "raw", ["sam@", "@example.org", "sam@@example.org", "sam@localhost", "a..b@example.org", "x" * 300]
)
def test_malformed_email_is_invalid_with_a_reason(raw):
    result = normalise_email(raw)
    assert not result.valid and result.value == "" and result.problem


def test_phone_to_e164_default_region_gb():
    assert normalise_phone("07911 123456").value == "+447911123456"
    assert normalise_phone("+44 (0)7911-123456").value == "+447911123456"
    assert normalise_phone("+1 202 555 0143").valid in (True, False)  # depends on numbering plan data
    bad = normalise_phone("12345")
    assert not bad.valid and bad.problem


def test_ip_private_and_reserved_are_flagged_never_valid():
    assert normalise_ip("8.8.8.8").value == "8.8.8.8"
    assert normalise_ip("::ffff:8.8.4.4").value == "8.8.4.4"
    for private in ("10.1.2.3", "192.168.0.1", "127.0.0.1", "fe80::1", "240.0.0.1"):
        result = normalise_ip(private)
        assert not result.valid and "Private or reserved" in result.problem
    assert not normalise_ip("999.1.1.1").valid


def test_url_normalised():
    assert (
        normalise_url("HTTP://WWW.Example.com:80/u/Sam/?utm_source=x&b=2&a=1#top").value
        == "https://example.com/u/Sam?a=1&b=2"
    )
    assert normalise_url("www.example.com/u/sam").value == "https://example.com/u/sam"
    assert normalise_url("https://example.com:8443/x/").value == "https://example.com:8443/x"
    assert not normalise_url("ftp://example.com").valid
    assert not normalise_url("https://nohost").valid


def test_username_casefolded_and_confusables_folded():
    assert normalise_username("@SamTheCoach").value == "samthecoach"
    assert normalise_username("ＳａｍＴｈｅＣｏａｃｈ").value == "samthecoach"  # full-width forms
    spoof = normalise_username("sаmthecoach")  # Cyrillic а
    assert spoof.value == "samthecoach" and not spoof.valid and "alphabets" in spoof.problem
    assert not normalise_username("x" * 65).valid
    assert not normalise_username("two words").valid


def test_file_hash():
    assert normalise_file_hash("AB" * 32).value == "ab" * 32
    assert not normalise_file_hash("xyz").valid


def test_username_key_is_platform_scoped_email_is_not():
    assert identifier_key(Kind.USERNAME, "snapchat", "sam") != identifier_key(Kind.USERNAME, "roblox", "sam")
    assert identifier_key(Kind.EMAIL, "snapchat", "a@b.co") == identifier_key(Kind.EMAIL, "", "a@b.co")


def test_free_text_extraction_finds_each_kind():
    found = from_free_text(
        "Snap: @SamTheCoach\nemail Sam.Jones+x@Gmail.com, phone 07911 123456\n"
        "https://www.example.com/u/sam?utm_medium=x\nfrom 8.8.8.8 and 10.0.0.1",
        platform="snapchat",
    )
    by_kind = {(f.kind, f.value) for f in found}
    assert (Kind.USERNAME, "samthecoach") in by_kind
    assert (Kind.EMAIL, "samjones@gmail.com") in by_kind
    assert (Kind.PHONE, "+447911123456") in by_kind
    assert (Kind.URL, "https://example.com/u/sam") in by_kind
    assert (Kind.IP, "8.8.8.8") in by_kind
    private = next(f for f in found if f.value == "10.0.0.1")
    assert not private.mergeable and private.raw == "10.0.0.1"


def test_partner_payload_extraction_roles_and_capture_time():
    payload = {
        "personOrUserReported": {
            "espIdentifier": "cb-40417",
            "espService": "ChatterBox",
            "screenName": "Night_Owl",
            "displayNames": ["Sam"],
            "ipCaptureEvents": [{"ipAddress": "8.8.8.8", "eventName": "Login", "dateTime": "2026-11-01T10:00:00Z"}],
            "deviceIds": ["DEV-1"],
        },
        "victims": [{"screenName": "kid_a", "age": 12}],
        "internetDetails": {"chatImIncident": {"chatRoomName": "Games Room 4"}},
    }
    found = from_partner_payload(payload, platform="chatterboxmessenger")
    roles = {(f.role, f.kind) for f in found}
    assert (Role.SUBJECT, Kind.PLATFORM_ID) in roles and (Role.VICTIM, Kind.USERNAME) in roles
    assert (Role.ROOM, Kind.ROOM) in roles
    ip = next(f for f in found if f.kind == Kind.IP)
    assert ip.observed_at is not None and ip.observed_at.year == 2026 and ip.detail == "Login"
    display = next(f for f in found if f.kind == Kind.DISPLAY_NAME)
    assert not display.strong  # a display name only suggests
    victim = next(f for f in found if f.role == Role.VICTIM)
    assert not victim.mergeable  # victims connect subjects into networks, never merge them


def test_cached_normalisers_are_bounded_and_answer_as_uncached():
    from safeguard.subjects import normalise as module

    samples = [
        (Kind.IP, "81.2.3.4"),
        (Kind.IP, "not an ip"),
        (Kind.EMAIL, "Lead.One+tag@GMAIL.com"),
        (Kind.USERNAME, "@Lead_User"),
        (Kind.USERNAME, "pаypal"),  # a Cyrillic letter among Latin ones: flagged, never merged
        (Kind.DISPLAY_NAME, "  Sam   Fictional "),
    ]
    for kind, raw in samples * 3:
        assert module.normalise(kind, raw) == module.normalise.__wrapped__(kind, raw)
        # The str value of a kind and the kind itself are one cache entry with one answer.
        assert module.normalise(str(kind), raw) == module.normalise(kind, raw)
    assert module.normalise_platform(" Chatter-Box ") == module.normalise_platform.__wrapped__(" Chatter-Box ")
    for cached in (module.normalise, module.normalise_platform):
        assert cached.cache_info().maxsize == module.CACHE_SIZE
    for n in range(module.CACHE_SIZE + 10):
        module.normalise_platform(f"platform {n}")
    assert module.normalise_platform.cache_info().currsize <= module.CACHE_SIZE
    # Frozen results: no caller can change a cached answer under another.
    with pytest.raises(AttributeError):
        module.normalise(Kind.IP, "81.2.3.4").value = "x"  # type: ignore[misc]  # the point: it is read-only


@pytest.mark.parametrize("raw", ["Lead_User_12", "@Sam.Jones", "ABC-def~!", "x" * 64, "Zoë", "pаypal", "ＳＡＭ"])
def test_ascii_fast_path_gives_the_full_rules_answer(raw):
    from safeguard.subjects import normalise as module

    def full_username(text):
        text = module.unicodedata.normalize("NFKC", text).strip().lstrip("@").strip()
        folded = module.fold_confusables(text.casefold()).casefold()
        return folded, len(module._scripts(text)) <= 1

    result = normalise_username(raw)
    assert (result.value, result.valid) == full_username(raw)
    display = module.normalise_display_name(raw)
    assert display.value == module.fold_confusables(" ".join(raw.split()).casefold()).casefold() or not raw.isascii()
