"""The four `make run` loaders give every kind of record the service makes, so every page has something to show."""

import pytest
from django.core.management import call_command

from safeguard.accounts.models import User
from safeguard.audit.models import Action, AuditEntry
from safeguard.cases.models import Case, CaseStatus, Operation
from safeguard.dissemination.models import Dissemination, DisseminationStatus, Outcome, OutcomeKind
from safeguard.evidence.models import PlatformMatch, ReviewState, SharedHash, SharedHashState
from safeguard.partners.models import PartnerReport
from safeguard.referrals.models import ImportState, ReferralImport
from safeguard.reporting.models import Priority, Report, ReporterRole, Source, Status
from safeguard.retention.models import Decision, RetentionDecision
from safeguard.retention.selectors import due_records
from safeguard.subjects.models import SubjectMerge
from safeguard.wanted.models import Sighting, WantedPerson, WantedStatus

pytestmark = pytest.mark.django_db

LOADERS = ("load_demo_data", "load_education_demo", "load_wanted_demo", "load_dissemination_demo", "load_demo_coverage")


def _load_all():
    for command in LOADERS:
        call_command(command)


def _counts():
    models = (
        Report,
        ReferralImport,
        AuditEntry,
        Dissemination,
        Outcome,
        WantedPerson,
        Sighting,
        Case,
        Operation,
        SubjectMerge,
        SharedHash,
        PlatformMatch,
    )
    return {model.__name__: model.objects.count() for model in models} | {
        "RetentionDecision": RetentionDecision.objects.count()
    }


def test_demo_loaders_make_one_of_every_kind_and_are_idempotent(capsys):
    _load_all()
    first = _counts()
    _load_all()
    assert _counts() == first, "a second run of the loaders made more records"
    capsys.readouterr()

    assert set(AuditEntry.objects.values_list("action", flat=True)) == set(Action.values)
    assert AuditEntry.objects.filter(action=Action.DISCLOSURE).exclude(recipient="").exists()

    assert set(Report.objects.values_list("source", flat=True)) == set(Source.values)
    assert set(Report.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Report.objects.values_list("priority", flat=True)) == set(Priority.values)
    web_roles = Report.objects.filter(source=Source.PUBLIC_WEB).values_list("reporter_role", flat=True)
    assert set(ReporterRole.values) <= set(web_roles)
    assert PartnerReport.objects.filter(report__isnull=False).exists()  # through the partner service, not faked

    assert set(Dissemination.objects.values_list("status", flat=True)) == set(DisseminationStatus.values)
    assert Outcome.objects.filter(kind=OutcomeKind.NO_FURTHER_ACTION).exclude(reason="").exists()

    assert set(WantedPerson.objects.values_list("status", flat=True)) == set(WantedStatus.values)
    assert Sighting.objects.filter(report__source=Source.SIGHTING).exists()

    case = Case.objects.filter(status=CaseStatus.OPEN, enquiries__isnull=False, notes__isnull=False).distinct().get()
    assert case.enquiries.values("status").distinct().count() >= 2
    assert Case.objects.filter(status=CaseStatus.CLOSED).exists()
    assert Operation.objects.filter(cases=case, deployments__isnull=False).exists()

    imp = ReferralImport.objects.get()
    assert imp.state == ImportState.COMPLETED and (imp.accepted, imp.duplicates, imp.rejected) == (6, 1, 1)

    assert SubjectMerge.objects.exists()
    assert RetentionDecision.objects.filter(decision=Decision.DISPOSE).exists()
    supervisor = User.objects.get(username="supervisor")
    assert due_records(user=supervisor)

    # Remove it: the supervisor's review page has hashes in every state, partner matches and a removal.
    assert SharedHash.objects.filter(state=SharedHashState.WITHDRAWN).exists()
    assert SharedHash.objects.filter(review_state=ReviewState.HELD).exclude(review_reason="").exists()
    assert {"removed", "blocked_upload", "seen"} <= set(PlatformMatch.objects.values_list("action", flat=True))


def test_demo_loaders_keep_the_audit_chain_intact(capsys):
    _load_all()
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out
