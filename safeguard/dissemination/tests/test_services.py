"""Building, approving, sending, acknowledging a package and recording outcomes: the rules and their messages."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from safeguard.audit.models import Action, AuditEntry
from safeguard.dissemination import services
from safeguard.dissemination.models import DisseminationStatus, Outcome, OutcomeKind
from safeguard.routing.models import Recipient, RoutingDecision
from safeguard.routing.services import RecipientSuggestion


def _messages(exc_info) -> dict:
    return {field: " ".join(messages) for field, messages in exc_info.value.message_dict.items()}


def test_grading_is_validated_with_specific_messages(make_package):
    package = make_package("draft")
    with pytest.raises(ValidationError) as bad:
        services.add_item(
            actor=package.prepared_by,
            package=package,
            original_text="",
            source_evaluation="4",
            intelligence_assessment="F",
            handling_code="C",
        )
    errors = _messages(bad)
    assert errors["original_text"] == "Enter the intelligence text."
    assert "source evaluation" in errors["source_evaluation"]
    assert "intelligence assessment" in errors["intelligence_assessment"]
    assert "write out the conditions" in errors["handling_conditions"]
    assert package.items.count() == 1  # the item already accepted is still there


def test_conditions_need_code_c(make_package):
    package = make_package("draft")
    with pytest.raises(ValidationError) as bad:
        services.add_item(
            actor=package.prepared_by,
            package=package,
            original_text="Text",
            source_evaluation="1",
            intelligence_assessment="a",
            handling_code="P",
            no_overseas_sharing=True,
        )
    assert "handling code C" in _messages(bad)["handling_code"]


def test_sanitising_keeps_the_original(make_package):
    package = make_package("draft")
    item = package.items.get()
    services.sanitise_item(
        actor=package.prepared_by, item=item, sanitised_text="An adult account asked a child to keep the chat secret."
    )
    item.refresh_from_db()
    assert "moderator Jo" in item.original_text
    assert "moderator Jo" not in item.release_text
    assert item.sanitised_by == package.prepared_by
    with pytest.raises(ValidationError):
        services.sanitise_item(actor=package.prepared_by, item=item, sanitised_text="  ")


def test_two_person_approval(make_package, make_staff):
    supervisor = make_staff("supervisor")
    package = make_package("draft", preparer=supervisor)
    with pytest.raises(PermissionDenied, match="second person"):
        services.approve(actor=supervisor, package=package)
    with pytest.raises(PermissionDenied):
        services.approve(actor=make_staff("analyst"), package=package)  # analysts cannot approve at all
    services.approve(actor=make_staff("supervisor"), package=package)
    package.refresh_from_db()
    assert package.status == DisseminationStatus.APPROVED


def test_cannot_send_before_approval_or_change_after(make_package):
    package = make_package("draft")
    with pytest.raises(ValidationError, match="approved by a second person"):
        services.send(actor=package.prepared_by, package=package)
    sent = make_package("sent")
    with pytest.raises(ValidationError, match="only a draft"):
        services.update_package(
            actor=sent.prepared_by, package=sent, summary="new", risk_assessment="", actions_requested=""
        )


def test_sending_is_a_disclosure_logged_with_the_recipient(make_package):
    package = make_package("sent")
    assert package.status == DisseminationStatus.SENT
    assert package.acknowledgement_due > package.sent_at
    entry = AuditEntry.objects.get(action=Action.DISCLOSURE, object_id=str(package.pk))
    assert package.recipient.code in entry.recipient


def test_acknowledgement_by_the_right_force_only(make_package, make_staff, make_recipient):
    package = make_package("sent")
    other_force = make_staff("force_officer", force=make_recipient())
    with pytest.raises(PermissionDenied):
        services.acknowledge(package=package, user=other_force)
    officer = make_staff("force_officer", force=package.recipient)
    services.acknowledge(package=package, user=officer)
    package.refresh_from_db()
    assert package.status == DisseminationStatus.ACKNOWLEDGED
    assert package.acknowledged_by == officer
    services.acknowledge(package=package, user=officer)  # a second click changes nothing


def test_outcomes_are_validated(make_package, make_staff):
    package = make_package("sent")
    officer = make_staff("force_officer", force=package.recipient)
    with pytest.raises(ValidationError) as bad:
        services.record_outcome(actor=officer, package=package, kind=OutcomeKind.NO_FURTHER_ACTION, occurred_on=None)
    errors = _messages(bad)
    assert "Say why" in errors["reason"]
    assert "Enter the date" in errors["occurred_on"]
    with pytest.raises(ValidationError) as bad:
        services.record_outcome(
            actor=officer,
            package=package,
            kind=OutcomeKind.CHILDREN_SAFEGUARDED,
            occurred_on=timezone.localdate() + timedelta(days=2),
            count=0,
        )
    errors = _messages(bad)
    assert "how many children" in errors["count"]
    assert "today or in the past" in errors["occurred_on"]
    outcome = services.record_outcome(
        actor=officer, package=package, kind=OutcomeKind.CHILDREN_SAFEGUARDED, occurred_on=timezone.localdate(), count=2
    )
    assert outcome.count == 2
    assert Outcome.objects.count() == 1


def test_no_outcome_before_sending(make_package, make_staff):
    package = make_package("approved")
    with pytest.raises(ValidationError, match="has not been sent"):
        services.record_outcome(
            actor=package.prepared_by, package=package, kind=OutcomeKind.ARREST, occurred_on=date.today()
        )


def test_routing_override_needs_a_reason(make_package, make_recipient, monkeypatch):
    package = make_package("draft")
    suggested, other = make_recipient("Suggested Constabulary"), make_recipient("Other Constabulary")
    monkeypatch.setattr(
        services, "suggest_for_package", lambda p: RecipientSuggestion(suggested, "postcode lookup", False)
    )
    with pytest.raises(ValidationError) as bad:
        services.confirm_routing(actor=package.prepared_by, package=package, recipient=other, reason="")
    assert "over the suggested Suggested Constabulary" in _messages(bad)["reason"]
    services.confirm_routing(
        actor=package.prepared_by, package=package, recipient=other, reason="Subject moved last month."
    )
    package.refresh_from_db()
    assert package.recipient == other
    assert package.suggested_recipient == suggested
    assert package.routing_reason == "Subject moved last month."
    services.confirm_routing(actor=package.prepared_by, package=package, recipient=suggested)  # agreeing: no reason


def test_gathers_identifiers_and_evidence_hashes_from_reports(make_staff, make_recipient, new_report):
    from safeguard.reporting.models import Attachment
    from safeguard.subjects.models import ReportIdentifier

    report = new_report()
    ReportIdentifier.objects.create(report=report, role="subject", kind="ip", raw="203.0.113.7", value="203.0.113.7")
    ReportIdentifier.objects.create(report=report, role="victim", kind="username", raw="child1", value="child1")
    Attachment.objects.create(
        report=report, stored_name="x", original_name="pattern.png", content_type="image/png", size=10, sha256="a" * 64
    )
    package = services.create_draft_dissemination(
        actor=make_staff("analyst"), recipient=make_recipient(), report_ids=[report.pk]
    )
    assert package.identifiers == [{"kind": "ip", "platform": "", "value": "203.0.113.7"}]  # the victim's is not sent
    assert package.evidence_references[0]["sha256"] == "a" * 64
    assert services.subject_ips(package) == ["203.0.113.7"]


def test_routing_from_the_subjects_postcode_with_the_seeded_directory(make_package):
    thames_valley = Recipient.objects.get(code="thames-valley")
    package = make_package("draft")
    services.set_subject_postcode(actor=package.prepared_by, package=package, postcode="ox1 9zz")
    suggestion = services.suggest_for_package(package)
    assert suggestion.recipient == thames_valley
    assert suggestion.approximate  # area fallback: no ONS lookup loaded in tests
    with pytest.raises(ValidationError):
        services.confirm_routing(actor=package.prepared_by, package=package, recipient=package.recipient)
    services.confirm_routing(actor=package.prepared_by, package=package, recipient=thames_valley)
    package.refresh_from_db()
    assert package.recipient == thames_valley
    decision = RoutingDecision.objects.get(subject_id=str(package.pk))
    assert decision.chosen == thames_valley and not decision.overridden


def test_sending_emails_the_secure_contact_without_any_content(
    make_package, make_recipient, mailoutbox, django_capture_on_commit_callbacks
):
    from safeguard.routing.models import RecipientKind

    ncb = make_recipient("NCB Mailland", kind=RecipientKind.INTERNATIONAL, country="IE")
    with django_capture_on_commit_callbacks(execute=True):
        package = make_package("sent")
        overseas = make_package("sent", recipient=ncb)
    assert len(mailoutbox) == 2
    uk, international = mailoutbox
    assert uk.to == [package.recipient.secure_contact]
    assert f"/staff/force/{package.reference}/" in uk.body
    assert "/acknowledge/" in international.body and overseas.reference in international.subject
    for message in mailoutbox:
        assert "moderator" not in message.body.lower() and "secret" not in message.body.lower()


def test_evidence_vault_files_are_referenced_by_hash(make_staff, make_recipient, new_report):
    from safeguard.evidence.models import EvidenceFile

    report = new_report()
    EvidenceFile.objects.create(
        report=report,
        size=99,
        sha256="c" * 64,
        sha1="d" * 40,
        md5="e" * 32,
        detected_type="image/png",
        uploaded_by_label="partner:test",
    )
    package = services.create_draft_dissemination(
        actor=make_staff("analyst"), recipient=make_recipient(), report_ids=[report.pk]
    )
    assert {"sha256": "c" * 64, "size": 99, "type": "image/png", "report": report.reference} in (
        package.evidence_references
    )
