"""The takedown queue: reported addresses join one item each, refusals are kept with their reason, assessments."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from safeguard.audit.models import AuditEntry
from safeguard.audit.services import Actor
from safeguard.core.business_rules import BusinessRuleViolation
from safeguard.subjects.models import ReportIdentifier
from safeguard.takedown import business_rules, services
from safeguard.takedown.models import (
    CollectionCheckpoint,
    RefusedUrl,
    ReportedUrl,
    UrlAssessment,
    UrlCitation,
    UrlState,
)
from safeguard.takedown.services import Citation, TakedownError, assess, cite_urls, collect_reported_urls

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def cite(*pairs):
    return cite_urls(citations=[Citation(source="public", source_ref=ref, raw=raw) for ref, raw in pairs], actor=SYSTEM)


def test_every_spelling_of_an_address_joins_one_item_with_each_report_once():
    result = cite(
        ("SG-AAAA-0001", "https://www.files.example/u/7?utm_source=chat"),
        ("SG-AAAA-0002", "files.example/u/7"),
        ("SG-AAAA-0002", "http://files.example:80/u/7#top"),  # the same report citing it twice
        ("SG-AAAA-0003", "https://other.example/x"),
    )
    assert result.new_items == 2
    item = ReportedUrl.objects.get(key="files.example/u/7")
    assert item.state == UrlState.AWAITING
    assert item.citation_count == 2
    assert set(item.citations.values_list("source_ref", flat=True)) == {"SG-AAAA-0001", "SG-AAAA-0002"}
    assert result.items[0] == result.items[1] == result.items[2] == item


def test_citing_again_changes_nothing_and_counts_nothing_twice():
    cite(("SG-AAAA-0001", "https://files.example/u/7"))
    again = cite(("SG-AAAA-0001", "https://files.example/u/7"))
    assert again.new_items == 0
    assert ReportedUrl.objects.get().citation_count == 1
    assert UrlCitation.objects.count() == 1


def test_refused_addresses_are_kept_with_their_reason_and_the_rest_still_go_in():
    result = cite(
        ("SG-AAAA-0001", "javascript:alert(1)"),
        ("SG-AAAA-0001", "http://192.168.1.20/x"),
        ("SG-AAAA-0001", "https://files.example/u/7"),
    )
    assert result.items[0] is None and result.items[1] is None and result.items[2] is not None
    assert dict(RefusedUrl.objects.values_list("raw", "code")) == {
        "javascript:alert(1)": "not_web",
        "http://192.168.1.20/x": "not_public",
    }
    assert ReportedUrl.objects.count() == 1


def test_warnings_are_kept_on_the_item():
    cite(("SG-AAAA-0001", "http://trusted.example@files.example/x"))
    (warning,) = ReportedUrl.objects.get().warnings
    assert warning["code"] == "userinfo"


def test_citations_are_one_collection_entry_in_the_audit_log():
    before = AuditEntry.objects.count()
    cite(("SG-AAAA-0001", "https://files.example/a"), ("SG-AAAA-0002", "javascript:x"))
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry.action == "collection"
    assert entry.detail["refused"] == [{"ref": "SG-AAAA-0002", "code": "not_web"}]


def test_the_collector_reads_addresses_from_reports_once(make_report):
    report = make_report(subject_identifiers="https://files.example/p/1 and javascript:alert(1)")
    assert ReportIdentifier.objects.filter(report=report, kind="url").exists(), "subjects found the address"
    call_command("collect_reported_urls", verbosity=0)
    item = ReportedUrl.objects.get()
    (citation,) = item.citations.all()
    assert (citation.source, citation.source_ref, citation.report_id) == ("public", report.reference, report.pk)
    assert CollectionCheckpoint.objects.get().last_identifier_id > 0
    assert collect_reported_urls() == 0  # nothing new: nothing read again
    assert UrlCitation.objects.count() == 1


def test_the_collector_takes_a_batch_at_a_time(make_report):
    for n in range(3):
        make_report(subject_identifiers=f"https://files.example/p/{n}")
    assert collect_reported_urls(limit=2) == 2
    assert collect_reported_urls(limit=2) == 1
    assert ReportedUrl.objects.count() == 3


def test_staff_add_an_address_and_get_a_plain_error_for_one_that_cannot_be_taken_down(make_staff):
    analyst = make_staff("analyst")
    item = services.add_url_by_staff(user=analyst, raw="files.example/found-it")
    assert item.citations.get().source == "staff"
    with pytest.raises(TakedownError) as refused:
        services.add_url_by_staff(user=analyst, raw="data:text/plain,hi")
    assert refused.value.code == "not_web"


def test_only_roles_that_assess_may_add_or_assess(make_staff):
    item = cite(("SG-AAAA-0001", "https://files.example/a")).items[0]
    for role in ("administrator", "force_officer", "education_officer"):
        user = make_staff(role)
        with pytest.raises(PermissionDenied):
            services.add_url_by_staff(user=user, raw="files.example/x")
        with pytest.raises(PermissionDenied):
            assess(user=user, reported_url_id=item.pk, category="category_a", reason="Seen.")


@pytest.mark.parametrize(
    ("category", "state"),
    [
        ("category_a", UrlState.TO_NOTICE),
        ("category_c", UrlState.TO_NOTICE),
        ("not_found", UrlState.NOT_ACTIONABLE),
        ("not_actionable", UrlState.NOT_ACTIONABLE),
    ],
)
def test_an_assessment_settles_the_item(make_staff, category, state):
    item = cite(("SG-AAAA-0001", "https://files.example/a")).items[0]
    assess(user=make_staff("analyst"), reported_url_id=item.pk, category=category, reason="Checked in the viewer.")
    item.refresh_from_db()
    assert (item.state, item.category) == (state, "" if state == UrlState.SECOND_OPINION else category)
    assert AuditEntry.objects.filter(object_type="takedown.reportedurl", action="alteration").count() == 1


def test_policy_categories_wait_for_a_second_opinion_whose_category_stands(make_staff, settings):
    settings.SAFEGUARD_TAKEDOWN_SECOND_OPINION_FOR = ("harmful_lawful",)
    item = cite(("SG-AAAA-0001", "https://files.example/a")).items[0]
    first, second = make_staff("analyst"), make_staff("supervisor")
    assess(user=first, reported_url_id=item.pk, category="harmful_lawful", reason="Borderline: a second look.")
    item.refresh_from_db()
    assert (item.state, item.category) == (UrlState.SECOND_OPINION, "")
    opinion = assess(user=second, reported_url_id=item.pk, category="category_c", reason="Criminal on a second look.")
    item.refresh_from_db()
    assert (item.state, item.category) == (UrlState.TO_NOTICE, "category_c")
    assert opinion.second_opinion_of == UrlAssessment.objects.get(assessed_by=first)


def test_an_unknown_item_is_a_plain_error(make_staff):
    with pytest.raises(TakedownError) as missing:
        assess(user=make_staff("analyst"), reported_url_id=999, category="category_a", reason="x")
    assert missing.value.code == "not_found"


# --- one test per business rule ---------------------------------------------------------------------------


def test_rule_reason_given(make_staff):
    item = cite(("SG-AAAA-0001", "https://files.example/a")).items[0]
    with pytest.raises(BusinessRuleViolation) as broken:
        assess(user=make_staff("analyst"), reported_url_id=item.pk, category="category_a", reason="   ")
    assert broken.value.rule is business_rules.ReasonGiven
    assert broken.value.message == business_rules.ReasonGiven.__doc__
    assert UrlAssessment.objects.count() == 0


def test_rule_known_category(make_staff):
    item = cite(("SG-AAAA-0001", "https://files.example/a")).items[0]
    with pytest.raises(BusinessRuleViolation) as broken:
        assess(user=make_staff("analyst"), reported_url_id=item.pk, category="category_z", reason="Seen.")
    assert broken.value.rule is business_rules.KnownCategory


def test_rule_second_opinion_from_someone_else(make_staff, settings):
    settings.SAFEGUARD_TAKEDOWN_SECOND_OPINION_FOR = ("prohibited",)
    item = cite(("SG-AAAA-0001", "https://files.example/a")).items[0]
    analyst = make_staff("analyst")
    assess(user=analyst, reported_url_id=item.pk, category="prohibited", reason="Drawn image.")
    with pytest.raises(BusinessRuleViolation) as broken:
        assess(user=analyst, reported_url_id=item.pk, category="prohibited", reason="Agreeing with myself.")
    assert broken.value.rule is business_rules.SecondOpinionFromSomeoneElse
    assert ReportedUrl.objects.get().state == UrlState.SECOND_OPINION


def test_every_rule_on_the_model_has_a_message():
    for rule in ReportedUrl().business_rules:
        assert rule.__doc__ and rule.__doc__.strip().endswith(".")


def test_disposing_of_a_report_takes_its_citations_and_refusals_with_it(make_report):
    report = make_report(subject_identifiers="https://files.example/p/1 http://192.168.1.20/admin")
    collect_reported_urls()
    assert UrlCitation.objects.filter(report=report).count() == 1
    assert RefusedUrl.objects.filter(report=report).count() == 1
    report.delete()
    assert UrlCitation.objects.count() == 0 and RefusedUrl.objects.count() == 0
