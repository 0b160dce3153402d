"""The per-import normalisation memo answers exactly as the normalisers do, and is removed after a chunk."""

from safeguard.referrals import memo
from safeguard.subjects import extraction
from safeguard.subjects.normalise import Kind, normalise, normalise_platform

SAMPLES = [
    (Kind.IP, "81.2.3.4"),
    (Kind.IP, "not an ip"),
    (Kind.EMAIL, "Lead.One+tag@GMAIL.com"),
    (Kind.USERNAME, "@Lead_User"),
    (Kind.USERNAME, "pаypal"),  # a Cyrillic letter among Latin ones: flagged, never merged
    (Kind.DISPLAY_NAME, "  Sam   Fictional "),
]


def test_memo_gives_the_normalisers_answers_and_counts_repeats_once():
    cache = memo.NormaliseMemo(import_pk=1)
    for _ in range(3):
        for kind, raw in SAMPLES:
            assert cache(kind, raw) == normalise(kind, raw)
    assert len(cache.values) == len(SAMPLES)
    assert cache.platform(" Chatter-Box ") == normalise_platform(" Chatter-Box ")


def test_memo_is_bounded_and_per_import():
    cache = memo.NormaliseMemo(import_pk=1, limit=2)
    for n in range(5):
        cache(Kind.IP, f"81.2.3.{n}")
    assert len(cache.values) <= 2
    assert memo.memo_for(7) is memo.memo_for(7)
    assert memo.memo_for(8) is not memo.memo_for(7)


def test_extraction_is_restored_after_the_chunk_even_on_error():
    original, original_platform = extraction.normalise, extraction.normalise_platform
    try:
        with memo.memoised_normalisation(memo.NormaliseMemo(import_pk=1)):
            assert extraction.normalise is not original
            raise RuntimeError
    except RuntimeError:
        pass
    assert extraction.normalise is original and extraction.normalise_platform is original_platform


def test_memoised_extraction_finds_the_same_identifiers():
    payload = {
        "personOrUserReported": {
            "screenName": "lead_user_1",
            "emails": ["lead1@example.net"],
            "espService": "Chatter Box",
            "ipCaptureEvents": [{"ipAddress": "81.2.1.2", "eventName": "Login", "dateTime": "2026-10-01T11:00:00Z"}],
        }
    }
    plain = extraction.from_partner_payload(payload, platform="chatterbox")
    with memo.memoised_normalisation(memo.NormaliseMemo(import_pk=1)):
        first = extraction.from_partner_payload(payload, platform="chatterbox")
        again = extraction.from_partner_payload(payload, platform="chatterbox")
    assert plain == first == again
