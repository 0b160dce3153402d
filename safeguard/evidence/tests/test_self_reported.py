"""The self-reported hash list (issue 22): validation, sequences and tombstones, review, platform matches."""

import hashlib
from datetime import UTC, datetime

import pytest

from safeguard.audit.models import Action, AuditEntry
from safeguard.evidence import self_reported as sr
from safeguard.evidence.models import PlatformMatch, ReviewState, SharedHash, SharedHashState

pytestmark = pytest.mark.django_db


def md5(n) -> str:
    return hashlib.md5(str(n).encode()).hexdigest()  # noqa: S324 (test data)


def pdq(n) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


def image(n, quality=90):
    return {"kind": "image", "md5": md5(n), "pdq": pdq(n), "pdq_quality": quality, "vpdq": None}


def video(n, frames=3):
    return {
        "kind": "video",
        "md5": md5(f"v{n}"),
        "pdq": None,
        "pdq_quality": None,
        "vpdq": [{"pdq": pdq(f"{n}-{i}"), "quality": 80, "timestamp": float(i)} for i in range(frames)],
    }


def error_of(**kwargs) -> sr.SelfReportedHashError:
    with pytest.raises(sr.SelfReportedHashError) as caught:
        sr.add_hashes(**kwargs)
    return caught.value


def test_add_gives_increasing_sequences_and_audits_one_collection():
    first = sr.add_hashes(request_ref="RR-1", items=[image(1), image(2)])
    second = sr.add_hashes(request_ref="RR-2", items=[video(1)])
    sequences = [row.sequence for row in first + second]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3
    assert SharedHash.objects.count() == 3
    entries = AuditEntry.objects.filter(object_type="evidence.selfreportedrequest", action=Action.COLLECTION)
    assert entries.count() == 2
    assert {h["md5"] for h in entries.get(object_id="RR-1").detail["self_reported_hashes"]} == {md5(1), md5(2)}


def test_browser_extras_are_ignored_and_hex_is_lower_cased():
    item = {**image(1), "md5": md5(1).upper(), "width": 100, "height": 80}
    (row,) = sr.add_hashes(request_ref="RR-1", items=[item])
    assert row.md5 == md5(1) and row.pdq == pdq(1) and row.pdq_quality == 90


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"md5": "abc"}, "bad_md5"),
        ({"md5": "g" * 32}, "bad_md5"),
        ({"pdq": "0" * 63}, "bad_pdq"),
        ({"pdq_quality": 101}, "bad_quality"),
        ({"pdq_quality": True}, "bad_quality"),
        ({"pdq_quality": 49}, "low_quality"),
        ({"kind": "audio"}, "bad_kind"),
        ({"vpdq": [{"pdq": "0" * 64, "quality": 90, "timestamp": 0}]}, "bad_vpdq"),
    ],
)
def test_bad_items_are_refused_with_their_index_and_nothing_is_stored(change, code):
    error = error_of(request_ref="RR-1", items=[image(1), {**image(2), **change}])
    assert error.code == code and error.index == 1
    assert "item 2" in str(error)
    assert not SharedHash.objects.exists()


@pytest.mark.parametrize(
    ("frames", "code"),
    [
        ([], "bad_vpdq"),
        (
            [{"pdq": "0" * 64, "quality": 90, "timestamp": 1.0}, {"pdq": "0" * 64, "quality": 90, "timestamp": 0.5}],
            "bad_vpdq",
        ),
        ([{"pdq": "0" * 64, "quality": 90, "timestamp": float("nan")}], "bad_vpdq"),
        ([{"pdq": "0" * 64, "quality": 90}], "bad_vpdq"),
        ([{"pdq": "0" * 64, "quality": 10, "timestamp": 0}], "low_quality"),
        ([{"pdq": "0" * 64, "quality": 90, "timestamp": i} for i in range(sr.MAX_VPDQ_FRAMES + 1)], "bad_vpdq"),
    ],
)
def test_bad_video_frames(frames, code):
    assert error_of(request_ref="RR-1", items=[{**video(1), "vpdq": frames}]).code == code


def test_a_video_keeps_low_quality_frames_when_some_are_good():
    frames = [{"pdq": pdq(1), "quality": 10, "timestamp": 0}, {"pdq": pdq(2), "quality": 70, "timestamp": 1}]
    (row,) = sr.add_hashes(request_ref="RR-1", items=[{**video(1), "vpdq": frames}])
    assert [f["quality"] for f in row.vpdq] == [10, 70]
    assert row.vpdq_digest == hashlib.sha256(sr.vpdq_value(row.vpdq).encode()).hexdigest()


def test_duplicates_are_not_stored_twice():
    assert error_of(request_ref="RR-1", items=[image(1), image(1)]).code == "duplicate"
    sr.add_hashes(request_ref="RR-1", items=[image(1)])
    error = error_of(request_ref="RR-1", items=[image(2), image(1)])
    assert (error.code, error.index) == ("duplicate", 1)
    assert SharedHash.objects.count() == 1
    assert sr.existing_md5s(request_ref="RR-1") == {md5(1)}
    # Another request may share the same picture (two young people, or a new request).
    sr.add_hashes(request_ref="RR-2", items=[image(1)])


def test_too_many_empty_and_bad_reference():
    assert error_of(request_ref="RR-1", items=[image(n) for n in range(51)]).code == "too_many"
    assert error_of(request_ref="RR-1", items=[]).code == "empty"
    assert error_of(request_ref="", items=[image(1)]).code == "bad_request_ref"
    assert error_of(request_ref="x" * 41, items=[image(1)]).code == "bad_request_ref"


def test_withdraw_tombstones_with_new_sequences_and_refuses_more():
    rows = sr.add_hashes(request_ref="RR-1", items=[image(1), video(1)])
    other = sr.add_hashes(request_ref="RR-2", items=[image(9)])
    assert sr.withdraw(request_ref="RR-1") == 2
    after = {row.pk: row for row in SharedHash.objects.filter(request_ref="RR-1")}
    assert all(row.state == SharedHashState.WITHDRAWN and row.withdrawn_at for row in after.values())
    assert min(row.sequence for row in after.values()) > other[0].sequence
    assert {rows[0].pk, rows[1].pk} == set(after)
    assert sr.withdraw(request_ref="RR-1") == 0
    assert error_of(request_ref="RR-1", items=[image(3)]).code == "withdrawn"
    assert AuditEntry.objects.filter(action=Action.ERASURE, object_id="RR-1").count() == 1
    assert sr.status_for(request_ref="RR-1")["withdrawn"] == 2


def test_feed_pages_from_a_cursor_see_each_change_once_latest_state():
    sr.add_hashes(request_ref="RR-1", items=[image(1), image(2), video(3)])
    items, cursor, more = sr.feed_page(cursor=None, limit=2)
    assert more and cursor == "v1.2"
    assert [(i["signal_type"], i["op"]) for i in items] == [("md5", "add"), ("pdq", "add")] * 2
    assert items[1]["quality"] == 90 and items[0]["labels"] == ["self-reported"]
    items, cursor, more = sr.feed_page(cursor=cursor, limit=2)
    assert not more and [i["signal_type"] for i in items] == ["md5", "vpdq"]
    assert items[1]["value"].count("\n") == 2
    # Nothing new: the same cursor back, no items.
    assert sr.feed_page(cursor=cursor, limit=10) == ([], cursor, False)
    sr.withdraw(request_ref="RR-1")
    items, _, _ = sr.feed_page(cursor=cursor, limit=10)
    assert {i["op"] for i in items} == {"remove"} and len(items) == 6
    assert all(i["labels"] == [] and i["quality"] is None for i in items)
    # A fresh fetch sees only the latest state of each hash: three tombstones, no adds.
    items, _, _ = sr.feed_page(cursor=None, limit=10)
    assert len({i["sequence"] for i in items}) == 3 and {i["op"] for i in items} == {"remove"}


def test_json_fast_path_gives_the_same_items():
    import json

    sr.add_hashes(request_ref="RR-1", items=[image(1), video(2)])
    sr.add_hashes(request_ref="RR-2", items=[image(3)])
    sr.withdraw(request_ref="RR-2")
    items, cursor, more = sr.feed_page(cursor=None, limit=10)
    page = sr.feed_page_json(cursor=None, limit=10)
    assert json.loads(page.items_json) == items
    assert (page.next_cursor, page.has_more, page.hashes) == (cursor, more, 3)


@pytest.mark.parametrize("cursor", ["v2.1", "1", "v1.", "v1.-1", "v1.01", "v1.1 ", "v1.99"])
def test_bad_cursors(cursor):
    sr.add_hashes(request_ref="RR-1", items=[image(1)])
    with pytest.raises(sr.SelfReportedHashError) as caught:
        sr.feed_page(cursor=cursor, limit=10)
    assert caught.value.code == "bad_cursor" and "cursor" in str(caught.value)


@pytest.mark.parametrize("limit", [0, 10_001, True])
def test_bad_limits(limit):
    with pytest.raises(sr.SelfReportedHashError) as caught:
        sr.feed_page(cursor=None, limit=limit)
    assert caught.value.code == "bad_limit"


def test_a_fetch_page_is_one_disclosure_naming_the_partner_and_range():
    sr.add_hashes(request_ref="RR-1", items=[image(n) for n in range(5)])
    sr.feed_page_json(cursor=None, limit=3, recipient="partner:chatterbox")
    sr.feed_page(cursor="v1.3", limit=3, recipient="partner:chatterbox")
    sr.feed_page(cursor="v1.5", limit=3, recipient="partner:chatterbox")  # empty: nothing disclosed
    entries = list(AuditEntry.objects.filter(action=Action.DISCLOSURE).order_by("sequence"))
    assert [(e.recipient, e.detail["from_sequence"], e.detail["to_sequence"]) for e in entries] == [
        ("partner:chatterbox", 1, 3),
        ("partner:chatterbox", 4, 5),
    ]
    assert entries[0].detail["items"] == 6


def test_review_hold_and_release_move_the_hash_in_the_feed(make_staff):
    supervisor = make_staff("supervisor")
    (row,) = sr.add_hashes(request_ref="RR-1", items=[image(1)])
    held = sr.review(shared_hash_id=row.pk, state=ReviewState.HELD, by=supervisor, reason="Suspected misuse")
    assert held.sequence > row.sequence and held.reviewed_by_label == f"staff:{supervisor.username}"
    items, cursor, _ = sr.feed_page(cursor=f"v1.{row.sequence}", limit=10)
    assert {i["op"] for i in items} == {"remove"}
    released = sr.review(shared_hash_id=row.pk, state=ReviewState.SHARED, by=supervisor, reason="Checked")
    items, _, _ = sr.feed_page(cursor=cursor, limit=10)
    assert {i["op"] for i in items} == {"add"} and items[0]["sequence"] == released.sequence
    entry = AuditEntry.objects.filter(action=Action.ALTERATION, object_type="evidence.sharedhash").last()
    assert entry.justification == "Checked" and entry.actor == supervisor
    for kwargs, code in [
        ({"state": "shared", "reason": "again"}, "no_change"),
        ({"state": "held", "reason": " "}, "reason_required"),
        ({"state": "gone", "reason": "x"}, "bad_state"),
    ]:
        with pytest.raises(sr.SelfReportedHashError) as caught:
            sr.review(shared_hash_id=row.pk, by=supervisor, **kwargs)
        assert caught.value.code == code
    sr.withdraw(request_ref="RR-1")
    with pytest.raises(sr.SelfReportedHashError) as caught:
        sr.review(shared_hash_id=row.pk, state="held", by=supervisor, reason="late")
    assert caught.value.code == "withdrawn"


def match(value, *, signal_type="md5", action="removed", client_ref="c-1", **extra):
    return {"signal_type": signal_type, "value": value, "action": action, "client_ref": client_ref,
            "where_seen": "https://example.test/p/1", **extra}  # fmt: skip


def test_platform_matches_are_per_item_and_replays_not_counted():
    sr.add_hashes(request_ref="RR-1", items=[image(1), video(2)])
    (vid,) = SharedHash.objects.filter(kind="video")
    results = sr.record_platform_matches(
        partner_label="chatterbox",
        items=[
            match(md5(1), client_ref="a"),
            match("0" * 32, client_ref="b"),
            match("nothex", client_ref="c"),
            match(pdq(1), signal_type="pdq", action="seen", client_ref="d"),
            match(sr.vpdq_value(vid.vpdq), signal_type="vpdq", action="blocked_upload", client_ref="e"),
            match(md5(1), client_ref="a"),
            match(md5(1), action="deleted", client_ref="f"),
            match(md5(1), client_ref="g", seen_at=datetime(2026, 12, 1, tzinfo=UTC)),
        ],
    )
    assert [r.result for r in results] == ["ok", "unknown_hash", "invalid", "ok", "ok", "replay", "invalid", "ok"]
    assert results[2].field == "value" and results[6].field == "action"
    assert PlatformMatch.objects.count() == 4
    again = sr.record_platform_matches(partner_label="chatterbox", items=[match(md5(1), client_ref="a")])
    assert again[0].result == "replay" and PlatformMatch.objects.count() == 4
    # Another partner's client_ref is its own.
    assert (
        sr.record_platform_matches(partner_label="pixelshare", items=[match(md5(1), client_ref="a")])[0].result == "ok"
    )
    status = sr.status_for(request_ref="RR-1")
    assert status["shared"] == 2 and status["platforms_matched"] == 2
    assert status["removed_by_platforms"] == 1 and status["blocked_by_platforms"] == 1
    assert status["last_removed_at"] is not None
    per_hash = sr.matches_for(request_ref="RR-1")
    assert per_hash[vid.pk]["removed"] == 1
    assert AuditEntry.objects.filter(object_type="evidence.platformmatch").count() == 2


def test_withdrawn_hashes_are_unknown_to_match_reports():
    sr.add_hashes(request_ref="RR-1", items=[image(1)])
    sr.withdraw(request_ref="RR-1")
    assert sr.record_platform_matches(partner_label="p", items=[match(md5(1))])[0].result == "unknown_hash"


def test_status_for_an_unknown_request_is_all_zero():
    assert sr.status_for(request_ref="nope") == {
        "shared": 0,
        "withdrawn": 0,
        "platforms_matched": 0,
        "removed_by_platforms": 0,
        "blocked_by_platforms": 0,
        "last_removed_at": None,
    }


def test_matches_for_file_md5_exact_and_pdq_near_and_never_held():
    (row,) = sr.add_hashes(request_ref="RR-1", items=[image(1)])
    near = f"{int(pdq(1), 16) ^ 0b111:064x}"  # three bits flipped
    far = f"{int(pdq(1), 16) ^ ((1 << 40) - 1):064x}"
    assert [(m.hash_type, m.distance) for m in sr.matches_for_file(md5=md5(1))] == [("md5", 0)]
    assert [(m.hash_type, m.distance) for m in sr.matches_for_file(md5=md5(2), pdq=near, pdq_quality=80)] == [
        ("pdq", 3)
    ]
    assert sr.matches_for_file(md5=md5(2), pdq=far, pdq_quality=80) == []
    assert sr.matches_for_file(md5=md5(2), pdq=near, pdq_quality=40) == []
    sr.withdraw(request_ref="RR-1")
    assert sr.matches_for_file(md5=md5(1), pdq=near, pdq_quality=80) == []
    assert row.pk
