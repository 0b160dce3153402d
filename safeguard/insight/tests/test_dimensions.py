from safeguard.insight.dimensions import Activity, AgeBand, Environment, SourceGroup, classify

from .factories import partner_details


def facets(**kw):
    base = {"source": "public_web", "reporter_role": "", "categories": [], "environment": "", "platform_name": ""}
    base["details"] = kw.pop("details", {})
    return classify(**(base | kw))


def test_public_report_by_who_reported():
    assert facets(reporter_role="young_person").source == SourceGroup.CHILDREN
    assert facets(reporter_role="parent_carer").source == SourceGroup.ADULTS
    assert facets(reporter_role="other_adult").source == SourceGroup.ADULTS
    assert facets(reporter_role="professional").source == SourceGroup.PROFESSIONALS
    assert facets(source="partner_api").source == SourceGroup.INDUSTRY
    assert facets(source="referral").source == SourceGroup.INTERNATIONAL
    assert facets(source="sighting").source == SourceGroup.OTHER


def test_most_serious_activity_counts():
    assert facets(categories=["keep_secret"]).activity == Activity.GROOMING
    assert facets(categories=["keep_secret", "asked_for_images"]).activity == Activity.IMAGE_REQUESTS
    assert facets(categories=["asked_for_images", "threatened_to_share"]).activity == Activity.SEXTORTION
    assert facets(categories=["meet_up", "keep_secret"]).activity == Activity.OFFLINE_MEETING
    assert facets(categories=[]).activity == Activity.OTHER


def test_partner_report_environment_activity_age_and_area():
    details = partner_details(
        incident="online_enticement_of_children",
        annotations=["sextortion"],
        internet={"onlineGamingIncident": {"gameName": "Blockworld"}},
        ages=[15, 12, 30],
        area="North East",
    )
    f = facets(source="partner_api", details=details, platform_name="Blockworld")
    assert f.environment == Environment.ONLINE_GAME
    assert f.activity == Activity.SEXTORTION
    assert f.age_band == AgeBand.AGE_11_13  # the youngest child; 30 is not a child
    assert f.area == "north_east"
    assert f.platform == "Blockworld"


def test_outside_uk_and_unknowns():
    f = facets(source="partner_api", details=partner_details(country="FR"))
    assert f.area == "outside_uk"
    assert f.age_band == AgeBand.UNKNOWN
    assert f.environment == Environment.OTHER
    assert facets(reporter_role="young_person").age_band == AgeBand.UNDER_18
    assert facets(details={"area": "London"}).area == "london"
    assert facets(environment="chat_room").environment == Environment.CHAT_ROOM


def test_odd_details_do_not_break_counting():
    assert facets(details="not a dict").area == "unknown"
    assert facets(details={"partner_api": {"payload": "x"}}).activity == Activity.OTHER
    assert facets(categories=None, platform_name="  Chat   Hub ").platform == "Chat Hub"


def test_payload_parts_of_the_wrong_type_are_ignored():
    odd = {"partner_api": {"payload": {"incidentSummary": "x", "internetDetails": ["a"], "victims": {"age": 3}}}}
    f = facets(source="partner_api", details=odd)
    assert (f.environment, f.activity, f.age_band) == (Environment.OTHER, Activity.OTHER, AgeBand.UNKNOWN)
