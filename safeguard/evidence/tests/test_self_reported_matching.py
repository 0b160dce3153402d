"""Uploaded evidence is matched against the self-reported list too (issue 22, ADR 0106).

The failure: a young person's own image, on the self-reported list, arrives in a partner's or the
public's upload and nobody sees that it is theirs; or a withdrawn or held hash still flags files.
"""

import io

import pytest

from safeguard.audit.models import AuditEntry
from safeguard.audit.services import Actor, verify_chain
from safeguard.core.vault.streams import hash_bytes
from safeguard.evidence import self_reported as sr
from safeguard.evidence import services
from safeguard.evidence.hashing import analyse_image
from safeguard.evidence.hashlists import import_hash_list
from safeguard.evidence.models import SELF_REPORTED_LIST_NAME, EvidenceMatch, ReviewState
from safeguard.reporting.models import Priority, Report

from .images import encode, pattern, png

pytestmark = pytest.mark.django_db
PUBLIC = Actor(label="anonymous member of the public")


@pytest.fixture
def report():
    return Report.objects.create(reference="SGTEST01", priority=Priority.P4, priority_reasons=["Routine review."])


@pytest.fixture(autouse=True)
def _fresh_self_reported_index():
    sr._pdq_cache.clear()
    yield
    sr._pdq_cache.clear()


def _share(data: bytes, request_ref="RR-1"):
    found = analyse_image(data)
    item = {"kind": "image", "md5": hash_bytes(data)["md5"], "pdq": found.pdq, "pdq_quality": found.pdq_quality}
    (row,) = sr.add_hashes(request_ref=request_ref, items=[item])
    return row


def _ingest(data: bytes, report):
    return services.ingest(stream=io.BytesIO(data), actor=PUBLIC, original_name="upload.png", report=report)


def test_an_upload_of_a_self_reported_image_is_flagged_with_the_hash(report):
    data = png(31)
    row = _share(data)
    evidence = _ingest(data, report)
    matches = list(evidence.matches.order_by("hash_type"))
    assert [(m.hash_type, m.distance, m.shared_hash_id) for m in matches] == [("md5", 0, row.pk), ("pdq", 0, row.pk)]
    assert all(m.hash_list_name == SELF_REPORTED_LIST_NAME and m.known_hash_id is None for m in matches)
    assert matches[0].list_version == row.sequence
    report.refresh_from_db()
    assert report.priority == Priority.P2
    assert report.priority_reasons[-1] == (
        "An attached file matches exactly an image a young person asked to have removed (the self-reported hash list)."
    )
    (entry,) = AuditEntry.objects.filter(action="combination")
    assert {m["shared_hash"] for m in entry.detail["matches"]} == {row.pk}
    assert verify_chain().ok


def test_an_altered_copy_is_flagged_on_pdq(report):
    row = _share(png(32))
    altered = encode(pattern(32).resize((280, 210)), "JPEG", quality=55)
    (match,) = _ingest(altered, report).matches.all()
    assert (match.hash_type, match.shared_hash_id) == ("pdq", row.pk) and 0 < match.distance <= 31


def test_withdrawn_or_held_hashes_flag_nothing(report, make_staff):
    withdrawn, held = png(33), png(34)
    _share(withdrawn, request_ref="RR-1")
    sr.withdraw(request_ref="RR-1")
    row = _share(held, request_ref="RR-2")
    sr.review(shared_hash_id=row.pk, state=ReviewState.HELD, by=make_staff("supervisor"), reason="Suspected misuse")
    assert not _ingest(withdrawn, report).matches.exists()
    assert not _ingest(held, report).matches.exists()
    report.refresh_from_db()
    assert report.priority == Priority.P4


def test_known_material_and_the_self_reported_list_both_match_known_first(report):
    data = png(35)
    _share(data)
    body = f"hash_type,value,category,source\nmd5,{hash_bytes(data)['md5']},A1,agency\n"
    import_hash_list(
        list_name="national",
        list_source="Fictional Agency",
        stream=io.BytesIO(body.encode()),
        file_name="l.csv",
        actor=Actor.system("test"),
    )
    evidence = _ingest(data, report)
    names = [m.hash_list_name for m in evidence.matches.order_by("distance", "pk")]
    assert sorted(names) == ["national", "self-reported", "self-reported"]
    report.refresh_from_db()
    assert "known material exactly on hash list national" in report.priority_reasons[-1]
    # Matching again records nothing twice.
    assert services.match_evidence(evidence=evidence) == []
    assert EvidenceMatch.objects.filter(evidence=evidence).count() == 3
