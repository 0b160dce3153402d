import pytest

from safeguard.routing.models import PostcodeForceArea, Recipient, RecipientKind
from safeguard.routing.postcodes import AREA_FORCES, normalise_postcode, postcode_area
from safeguard.routing.services import RecipientSuggester, suggest_recipient

pytestmark = pytest.mark.django_db


def test_directory_is_seeded_with_uk_forces_and_international_partners():
    territorial = Recipient.objects.filter(kind=RecipientKind.UK_TERRITORIAL)
    assert territorial.count() == 45  # 43 in England and Wales, Police Scotland, PSNI
    for code in ("metropolitan-police-service", "police-scotland", "police-service-of-northern-ireland"):
        assert territorial.filter(code=code).exists()
    assert Recipient.objects.get(code="british-transport-police").kind == RecipientKind.UK_OTHER
    france = Recipient.objects.get(code="ncb-fr")
    assert france.kind == RecipientKind.INTERNATIONAL and france.country == "FR" and france.country_default
    assert all(r.secure_contact.endswith(".police.example") for r in Recipient.objects.all())
    # exactly one default route per country outside the UK
    defaults = Recipient.objects.filter(country_default=True).values_list("country", flat=True)
    assert len(defaults) == len(set(defaults))


def test_every_postcode_area_points_at_a_seeded_recipient():
    codes = set(Recipient.objects.values_list("code", flat=True))
    assert set(AREA_FORCES.values()) <= codes


@pytest.mark.parametrize(
    ("typed", "full", "area"),
    [("sw1a1aa", "SW1A 1AA", "SW"), (" M1  1AE ", "M1 1AE", "M"), ("CF10", "", "CF"), ("12345", "", ""), ("", "", "")],
)
def test_postcode_normalising(typed, full, area):
    assert normalise_postcode(typed) == full
    assert postcode_area(typed) == area


def test_postcode_in_the_lookup_is_exact():
    kent = Recipient.objects.get(code="kent")
    PostcodeForceArea.objects.create(postcode="M1 1AE", pfa_code="E23000032", recipient=kent)  # a deliberate oddity
    suggestion = suggest_recipient(postcode="m11ae")
    assert suggestion.recipient == kent
    assert suggestion.basis == "postcode lookup" and not suggestion.approximate


def test_postcode_area_fallback_is_marked_approximate():
    suggestion = suggest_recipient(postcode="CF10 1AA")
    assert suggestion.recipient.code == "south-wales"
    assert suggestion.approximate and "approximate" in suggestion.basis
    assert suggest_recipient(postcode="M4").recipient.code == "greater-manchester"


def test_ip_country_routes_to_the_country_default():
    suggestion = suggest_recipient(ip="8.8.8.8")
    assert suggestion.recipient.code == "us-hsi-c3"
    assert suggestion.basis.startswith("IP address country") and suggestion.approximate


def test_uk_ip_gives_no_force_but_says_why():
    suggestion = suggest_recipient(ip="81.2.69.160")
    assert suggestion.recipient is None
    assert "United Kingdom" in suggestion.notes[0]


def test_bad_clues_fall_through_with_notes():
    suggestion = suggest_recipient(postcode="not a postcode", ip="999.1.1.1", country="fr")
    assert suggestion.recipient.code == "ncb-fr"
    assert suggestion.basis == "country (FR)"
    assert any("not a recognised UK postcode" in n for n in suggestion.notes)
    assert any("not an IPv4 or IPv6 address" in n for n in suggestion.notes)


def test_nothing_to_go_on():
    suggestion = suggest_recipient()
    assert suggestion.recipient is None and suggestion.basis == "no usable location"


def test_suggester_makes_no_queries_per_call(django_assert_num_queries):
    suggester = RecipientSuggester()
    with django_assert_num_queries(0):
        for _ in range(50):
            assert suggester.suggest(postcode="LS1 4AP").recipient.code == "west-yorkshire"
            assert suggester.suggest(ip="2a00:1450:4009:80b::200e").recipient is None  # GB
            assert suggester.suggest(country="DE").recipient.code == "ncb-de"


def test_suggester_without_preloading_queries_each_postcode_once(django_assert_num_queries):
    kent, met = Recipient.objects.get(code="kent"), Recipient.objects.get(code="metropolitan-police-service")
    PostcodeForceArea.objects.create(postcode="CT1 1AA", pfa_code="E23000032", recipient=kent)
    PostcodeForceArea.objects.create(postcode="SW1A 1AA", pfa_code="E23000001")  # matched by code, not FK
    suggester = RecipientSuggester(preload_postcodes=False)
    with django_assert_num_queries(3):
        for _ in range(5):
            assert suggester.suggest(postcode="CT1 1AA").recipient == kent
            assert suggester.suggest(postcode="SW1A 1AA").recipient == met
            # not in the lookup: falls back to the area, marked approximate
            assert suggester.suggest(postcode="CT2 7NZ").basis == "postcode area (approximate)"


def test_preloaded_lookup_answers_without_queries(django_assert_num_queries):
    kent, met = Recipient.objects.get(code="kent"), Recipient.objects.get(code="metropolitan-police-service")
    rows = [("CT1 1AA", kent), ("A1 1AA", kent), ("EC1A 1BB", met), ("B99 9ZZ", kent), ("ZE3 9JZ", met)]
    for postcode, recipient in rows:
        PostcodeForceArea.objects.create(postcode=postcode, pfa_code=recipient.pfa_code, recipient=recipient)
    PostcodeForceArea.objects.create(postcode="SW1A 1AA", pfa_code="E23000001")  # matched by code, not FK
    PostcodeForceArea.objects.create(postcode="XX1 1XX", pfa_code="NO-SUCH")  # matches nothing: left out
    suggester = RecipientSuggester()
    with django_assert_num_queries(0):
        for postcode, recipient in [*rows, ("SW1A 1AA", met)]:
            suggestion = suggester.suggest(postcode=postcode.lower().replace(" ", ""))
            assert (suggestion.recipient, suggestion.basis) == (recipient, "postcode lookup"), postcode
        assert suggester.suggest(postcode="CT2 7NZ").basis == "postcode area (approximate)"
        assert suggester.suggest(postcode="XX1 1XX").recipient is None


@pytest.mark.parametrize(("given", "code"), [("France", "ncb-fr"), ("fr", "ncb-fr"), ("united states", "us-hsi-c3")])
def test_country_by_code_or_name(given, code):
    assert suggest_recipient(country=given).recipient.code == code


def test_uk_country_gives_no_international_recipient():
    for given in ("GB", "UK", "United Kingdom"):
        assert suggest_recipient(country=given).recipient is None
    assert suggest_recipient(country="Narnia").notes == ("No recipient in the directory for country 'Narnia'.",)
