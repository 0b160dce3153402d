"""verify_audit catches tampering; the audit log page is role-scoped and itself audited."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from safeguard.audit.models import Action, AuditEntry
from safeguard.audit.services import Actor, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    return [
        record(action=Action.COLLECTION, actor=Actor.system("test"), obj=("reporting.report", str(n)), detail={"n": n})
        for n in range(1, 6)
    ]


def run_verify(capsys):
    with pytest.raises(SystemExit) as exited:
        call_command("verify_audit")
    captured = capsys.readouterr()
    return exited.value.code, captured.out + captured.err


def test_intact_chain_passes(chain, capsys):
    call_command("verify_audit")
    assert "Audit log intact: 5 entries verified." in capsys.readouterr().out


def test_edited_row_is_caught(chain, capsys):
    AuditEntry.objects.filter(sequence=3).update(detail={"n": 999})
    code, output = run_verify(capsys)
    assert code == 1
    assert "BROKEN at sequence 3" in output and "contents changed" in output


def test_edited_actor_label_is_caught(chain, capsys):
    AuditEntry.objects.filter(sequence=2).update(actor_label="someone else")
    code, output = run_verify(capsys)
    assert code == 1 and "sequence 2" in output


def test_deleted_row_is_caught(chain, capsys):
    AuditEntry.objects.filter(sequence=4).delete()
    code, output = run_verify(capsys)
    assert code == 1
    assert "BROKEN at sequence 4" in output and "missing" in output


def test_deleted_last_row_is_caught(chain, capsys):
    AuditEntry.objects.filter(sequence=5).delete()
    code, output = run_verify(capsys)
    assert code == 1 and "sequence 5" in output


def test_rehashed_forgery_is_caught(chain, capsys):
    """Even recomputing the edited row's own hash fails: the next entry no longer follows it."""
    from safeguard.audit.services import compute_hash

    entry = AuditEntry.objects.get(sequence=2)
    entry.detail = {"n": "forged"}
    entry.entry_hash = compute_hash(entry)
    AuditEntry.objects.filter(pk=entry.pk).update(detail=entry.detail, entry_hash=entry.entry_hash)
    code, output = run_verify(capsys)
    assert code == 1 and "sequence 3" in output


def test_audit_page_lists_entries_and_records_its_own_consultation(supervisor_client, chain):
    response = supervisor_client.get(reverse("staff:audit_log"))
    assert response.status_code == 200
    assert [e.sequence for e in response.context["page"].object_list][:6] == [6, 5, 4, 3, 2, 1]
    own = AuditEntry.objects.get(sequence=6)
    assert own.action == Action.CONSULTATION and own.actor == supervisor_client.user
    assert own.object_type == "audit.auditentry"


def test_audit_page_filters_by_report_reference(admin_client, make_report):
    report = make_report()
    other = make_report()
    response = admin_client.get(reverse("staff:audit_log"), {"reference": report.reference})
    listed = {(e.object_type, e.object_id) for e in response.context["page"].object_list}
    assert listed == {("reporting.report", str(report.pk))}
    assert ("reporting.report", str(other.pk)) not in listed
    consultation = AuditEntry.objects.filter(object_type="audit.auditentry").latest("sequence")
    assert consultation.detail == {"filters": {"object_type": "reporting.report", "object_id": str(report.pk)}}


def test_audit_page_explains_unknown_reference_and_bad_action(admin_client, chain):
    response = admin_client.get(reverse("staff:audit_log"), {"reference": "SG-ZZZZ-ZZZZ", "action": "burgle"})
    body = response.content.decode()
    assert "No report has the reference SG-ZZZZ-ZZZZ" in body and "Choose an action from the list" in body
    assert list(response.context["page"].object_list) == []


def test_audit_page_refused_to_analysts(analyst_client):
    assert analyst_client.get(reverse("staff:audit_log")).status_code == 403
    assert not AuditEntry.objects.filter(object_type="audit.auditentry").exists()


def test_audit_page_shows_report_references(admin_client, make_report):
    report = make_report()
    body = admin_client.get(reverse("staff:audit_log")).content.decode()
    assert f"Report {report.reference}" in body
