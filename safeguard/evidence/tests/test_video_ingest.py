"""Evidence ingest of videos: vPDQ computed from the sealed file, matched against listed videos (HashType.VPDQ)
and young people's self-reported videos, EvidenceMatch recorded, bad videos handled (issue 22, ADR 0108)."""

import hashlib
import io

import pytest

from safeguard.audit.models import AuditEntry
from safeguard.audit.services import Actor
from safeguard.evidence import self_reported as sr
from safeguard.evidence import services, video
from safeguard.evidence.hashlists import import_hash_list
from safeguard.evidence.models import (
    SELF_REPORTED_LIST_NAME,
    EvidenceFile,
    EvidenceMatch,
    FileStatus,
    HashType,
    KnownHash,
)
from safeguard.reporting.models import Priority, Report

from .images import jpeg
from .videos import generated, reencoded, require_vpdq

require_vpdq()
pytestmark = pytest.mark.django_db
PUBLIC = Actor(label="anonymous member of the public")


@pytest.fixture
def report():
    return Report.objects.create(reference="SGVID01", priority=Priority.P4, priority_reasons=["Routine review."])


def _ingest(data: bytes, report=None, name="clip.mp4") -> EvidenceFile:
    return services.ingest(stream=io.BytesIO(data), actor=PUBLIC, original_name=name, report=report)


def _csv_value(frames) -> str:
    return '"' + video.canonical_value(frames) + '"'  # one quoted CSV field, a frame a line


def _list_video(data: bytes, name="national", category="A"):
    frames = video.hash_video_bytes(data)
    body = f"hash_type,value,category,source\nvpdq,{_csv_value(frames)},{category},Fictional Agency\n"
    result = import_hash_list(
        list_name=name,
        list_source="Fictional Agency",
        stream=io.BytesIO(body.encode()),
        file_name="videos.csv",
        actor=Actor.system("test"),
    )
    assert result.applied, result.problems
    return frames


def test_a_video_is_hashed_at_ingest_and_the_frames_kept(report):
    evidence = _ingest(generated("testsrc2"), report)
    assert evidence.status == FileStatus.OK and evidence.detected_type == "video/mp4"
    assert len(evidence.vpdq) == 4 and set(evidence.vpdq[0]) == {"pdq", "quality", "timestamp"}
    assert evidence.details["video"] == {"frames": 4, "seconds": 3.0}
    assert evidence.pdq == "" and evidence.width is None  # not an image: nothing to show staff
    entry = AuditEntry.objects.get(object_type="evidence.evidencefile", object_id=str(evidence.pk))
    assert entry.detail["vpdq_frames"] == 4


def test_a_vpdq_list_row_is_stored_with_its_frames():
    frames = _list_video(generated("testsrc2"))
    (listed,) = KnownHash.objects.filter(hash_type=HashType.VPDQ)
    assert listed.vpdq == video.frames_to_dicts(frames)
    assert listed.value == hashlib.sha256(video.canonical_value(frames).encode()).hexdigest()


def test_a_reencoded_copy_of_a_listed_video_matches_and_raises_the_report(report):
    _list_video(generated("testsrc2"))
    evidence = _ingest(reencoded(generated("testsrc2")), report)
    (match,) = EvidenceMatch.objects.filter(evidence=evidence)
    assert (match.hash_type, match.hash_list_name, match.category) == (HashType.VPDQ, "national", "A")
    assert match.query_match_percent >= 80 and match.compared_match_percent > 0 and match.distance <= 31
    assert not match.is_exact
    report.refresh_from_db()
    assert report.priority == Priority.P2
    assert any("vPDQ" in reason and "of the video's frames" in reason for reason in report.priority_reasons)


def test_the_same_video_matches_exactly(report):
    data = generated("testsrc2")
    _list_video(data)
    matches = list(EvidenceMatch.objects.filter(evidence=_ingest(data, report)))
    assert [(m.hash_type, m.is_exact, m.query_match_percent) for m in matches] == [(HashType.VPDQ, True, 100.0)]


def test_a_different_video_does_not_match(report):
    _list_video(generated("testsrc2"))
    evidence = _ingest(generated("mandelbrot"), report)
    assert not EvidenceMatch.objects.filter(evidence=evidence).exists()
    report.refresh_from_db()
    assert report.priority == Priority.P4


def test_a_removed_list_stops_matching(report):
    from safeguard.evidence.hashlists import remove_hash_list
    from safeguard.evidence.models import HashList

    _list_video(generated("testsrc2"))
    remove_hash_list(hash_list=HashList.objects.get(name="national"), actor=Actor.system("test"), reason="test")
    assert not EvidenceMatch.objects.filter(evidence=_ingest(generated("testsrc2"), report)).exists()


def _self_report(data: bytes, ref="RR-V1"):
    frames = video.frames_to_dicts(video.hash_video_bytes(data))  # as the browser sends them
    item = {"kind": "video", "md5": hashlib.md5(data).hexdigest(), "pdq": None, "pdq_quality": None, "vpdq": frames}  # noqa: S324
    (row,) = sr.add_hashes(request_ref=ref, items=[item])
    return row


def test_a_copy_of_a_self_reported_video_matches_the_young_persons_hash(report):
    shared = _self_report(generated("testsrc2"))
    evidence = _ingest(reencoded(generated("testsrc2"), crf=28), report)
    (match,) = EvidenceMatch.objects.filter(evidence=evidence)
    assert match.shared_hash_id == shared.pk and match.known_hash is None
    assert (match.hash_list_name, match.hash_type, match.matched_value) == (
        SELF_REPORTED_LIST_NAME,
        HashType.VPDQ,
        shared.vpdq_digest,
    )
    assert match.query_match_percent >= 80
    report.refresh_from_db()
    assert report.priority == Priority.P2
    audit = AuditEntry.objects.filter(object_id=str(evidence.pk), detail__has_key="matches").get()
    assert audit.detail["matches"][0]["list"] == SELF_REPORTED_LIST_NAME


def test_withdrawn_and_held_self_reported_videos_do_not_match(report, make_staff):
    withdrawn = _self_report(generated("testsrc2"), ref="RR-W")
    held = _self_report(generated("mandelbrot"), ref="RR-H")
    sr.withdraw(request_ref=withdrawn.request_ref)
    supervisor = make_staff("supervisor")
    sr.review(shared_hash_id=held.pk, state="held", by=supervisor, reason="suspected misuse")
    for data in (generated("testsrc2"), generated("mandelbrot")):
        assert not EvidenceMatch.objects.filter(evidence=_ingest(data, report)).exists()


def test_a_truncated_video_is_quarantined_with_a_plain_reason(report):
    data = generated("testsrc2")
    evidence = _ingest(data[: len(data) // 3], report)
    assert evidence.status == FileStatus.QUARANTINED
    assert "damaged or truncated" in evidence.quarantine_reason
    assert evidence.vpdq is None and evidence.stored_name  # kept sealed, not decoded again


def test_a_text_file_named_like_a_video_is_not_hashed_as_one(report):
    evidence = _ingest(b"not a video at all\n" * 50, report, name="clip.mp4")
    assert evidence.detected_type == "text/plain" and evidence.vpdq is None


def test_a_video_over_the_limits_is_kept_and_matched_on_exact_hashes_only(report, settings):
    data = generated("testsrc2", seconds=5)
    settings.SAFEGUARD_VIDEO_MAX_SECONDS = 3
    body = f"hash_type,value,category\nmd5,{hashlib.md5(data).hexdigest()},B\n"  # noqa: S324
    import_hash_list(
        list_name="md5s", list_source="x", stream=io.BytesIO(body.encode()), file_name="a.csv", actor=PUBLIC
    )
    evidence = _ingest(data, report)
    assert evidence.status == FileStatus.OK and evidence.vpdq is None
    assert evidence.details["vpdq_error"] == "too_long" and "3 second limit" in evidence.details["vpdq_not_computed"]
    assert [m.hash_type for m in evidence.matches.all()] == [HashType.MD5]
    settings.SAFEGUARD_VIDEO_MAX_SECONDS = 3600
    settings.SAFEGUARD_VIDEO_MAX_BYTES = len(data) - 1
    evidence = _ingest(data, report)
    assert evidence.details["vpdq_error"] == "too_large" and evidence.vpdq is None


def test_images_are_still_hashed_as_images(report):
    evidence = _ingest(jpeg(3), report, name="photo.jpg")
    assert evidence.status == FileStatus.OK and len(evidence.pdq) == 64 and evidence.vpdq is None


def test_bad_vpdq_list_rows_are_reported_by_line():
    body = "hash_type,value\nvpdq,not frames\n"
    result = import_hash_list(
        list_name="bad", list_source="x", stream=io.BytesIO(body.encode()), file_name="b.csv", actor=PUBLIC
    )
    assert not result.applied
    assert [str(p) for p in result.problems] == ['line 2: vPDQ frame 1 must be "pdq,quality,timestamp", not 1 fields']
