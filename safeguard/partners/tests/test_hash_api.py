"""Partners fetch the self-reported hash list and report matches (issue 22, ADR 0106).

The attacks and failures: a key without the scope reading a young person's hashes; a cursor not from
this feed; a withdrawn or held hash still handed out (or still counted when a partner reports it); a bad
match report losing the good ones beside it; a replayed report counted twice; a page not audited.
"""

import hashlib
import json

import pytest
from jsonschema import Draft202012Validator

from safeguard.audit.models import Action, AuditEntry
from safeguard.evidence import self_reported as sr
from safeguard.evidence.models import PlatformMatch, ReviewState, SharedHash
from safeguard.partners.models import Scope
from safeguard.partners.schemas import MatchAction, SignalType

from .conftest import PartnerClient, make_key

FEED = "/api/v1/hashes/self-reported"
MATCHES = "/api/v1/hashes/matches"


def md5(n) -> str:
    return hashlib.md5(str(n).encode()).hexdigest()  # noqa: S324 (test data)


def pdq(n) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


def image(n, quality=90):
    return {"kind": "image", "md5": md5(n), "pdq": pdq(n), "pdq_quality": quality}


def video(n, frames=3):
    return {
        "kind": "video",
        "md5": md5(f"v{n}"),
        "vpdq": [{"pdq": pdq(f"{n}-{i}"), "quality": 80, "timestamp": float(i)} for i in range(frames)],
    }


def fetch(api, cursor=None, limit=None):
    query = "&".join(f"{k}={v}" for k, v in (("cursor", cursor), ("limit", limit)) if v is not None)
    return api.get(f"{FEED}?{query}" if query else FEED)


@pytest.fixture
def document(client, db):
    return client.get("/api/v1/openapi.json").json()


def _validator(document, component):
    return Draft202012Validator({"$ref": f"#/components/schemas/{component}", "components": document["components"]})


def test_fetch_from_the_start_gives_every_signal_in_the_documented_shape(api, document):
    sr.add_hashes(request_ref="RR-1", items=[image(1), video(2)])
    response = fetch(api)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    _validator(document, "FeedPageOut").validate(body)
    assert body["next_cursor"] == "v1.2" and body["has_more"] is False
    signals = [(i["signal_type"], i["op"]) for i in body["items"]]
    assert signals == [("md5", "add"), ("pdq", "add"), ("md5", "add"), ("vpdq", "add")]
    assert body["items"][0] == {
        "sequence": 1,
        "op": "add",
        "signal_type": "md5",
        "value": md5(1),
        "quality": None,
        "labels": ["self-reported"],
    }
    assert body["items"][1]["value"] == pdq(1) and body["items"][1]["quality"] == 90
    assert body["items"][3]["value"].splitlines()[0] == f"{pdq('2-0')},80,0.000"
    # The same as the service's page, item for item.
    assert body["items"] == sr.feed_page(cursor=None, limit=1000)[0]
    assert fetch(api, cursor="").json() == body  # an empty cursor is the start too


def test_paging_with_the_cursor_reaches_the_end_and_sees_each_hash_once(api):
    sr.add_hashes(request_ref="RR-1", items=[image(n) for n in range(7)])
    cursor, seen, pages = None, [], 0
    while True:
        body = fetch(api, cursor=cursor, limit=3).json()
        pages += 1
        seen += [i["sequence"] for i in body["items"] if i["signal_type"] == "md5"]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            break
    assert pages == 3 and seen == list(range(1, 8)) and cursor == "v1.7"
    # Up to date: the same cursor back and no items.
    assert fetch(api, cursor=cursor).json() == {"items": [], "next_cursor": "v1.7", "has_more": False}


def test_withdrawal_and_hold_come_as_tombstones_and_release_as_an_add(api, make_staff):
    supervisor = make_staff("supervisor")
    sr.add_hashes(request_ref="RR-1", items=[image(1), video(1)])
    (kept,) = sr.add_hashes(request_ref="RR-2", items=[image(2)])
    cursor = fetch(api).json()["next_cursor"]
    sr.withdraw(request_ref="RR-1")
    sr.review(shared_hash_id=kept.pk, state=ReviewState.HELD, by=supervisor, reason="Suspected misuse")
    body = fetch(api, cursor=cursor).json()
    assert {i["op"] for i in body["items"]} == {"remove"} and len(body["items"]) == 6
    assert {i["value"] for i in body["items"] if i["signal_type"] != "vpdq"} >= {md5(1), pdq(1), md5(2), pdq(2)}
    assert all(i["labels"] == [] and i["quality"] is None for i in body["items"])
    sr.review(shared_hash_id=kept.pk, state=ReviewState.SHARED, by=supervisor, reason="Checked")
    again = fetch(api, cursor=body["next_cursor"]).json()
    assert [(i["op"], i["value"]) for i in again["items"]] == [("add", md5(2)), ("add", pdq(2))]
    # From the start, each hash once in its latest state: two tombstones (withdrawn) and one add.
    fresh = fetch(api).json()["items"]
    assert sorted((i["op"], i["signal_type"]) for i in fresh if i["signal_type"] == "md5") == [
        ("add", "md5"),
        ("remove", "md5"),
        ("remove", "md5"),
    ]


@pytest.mark.parametrize("limit", ["0", "10001", "-1", "ten", "1.5"])
def test_limit_out_of_bounds_is_refused(api, limit):
    response = fetch(api, limit=limit)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "limit"]


@pytest.mark.parametrize("limit", ["1", "10000"])
def test_limit_bounds_are_accepted(api, limit):
    sr.add_hashes(request_ref="RR-1", items=[image(1), image(2)])
    body = fetch(api, limit=limit).json()
    assert len({i["sequence"] for i in body["items"]}) == int(limit[:1]) * (1 if limit == "1" else 2)
    assert body["has_more"] is (limit == "1")


@pytest.mark.parametrize("cursor", ["v2.1", "1", "v1.", "v1.-1", "v1.01", "v1.1%20", "abc"])
def test_a_cursor_not_from_this_feed_is_a_400_with_a_specific_message(api, cursor, document):
    sr.add_hashes(request_ref="RR-1", items=[image(1)])
    response = fetch(api, cursor=cursor)
    assert response.status_code == 400
    _validator(document, "ErrorOut").validate(response.json())
    (error,) = response.json()["errors"]
    assert error["type"] == "bad_cursor" and error["loc"] == ["query", "cursor"]
    assert "v1.1234" in error["message"] and "next_cursor" in error["message"]


def test_a_cursor_ahead_of_the_feed_is_a_409(api):
    sr.add_hashes(request_ref="RR-1", items=[image(1)])
    response = fetch(api, cursor="v1.99")
    assert response.status_code == 409
    (error,) = response.json()["errors"]
    assert error["type"] == "cursor_ahead" and "ahead of the feed, which is at v1.1" in error["message"]


def test_an_unknown_query_parameter_is_refused_by_name(api):
    for query in ("?since=v1.0", "?cursor=&=0.0"):
        response = api.get(FEED + query)
        assert response.status_code == 422
        (error,) = response.json()["errors"]
        assert error["type"] == "unknown_parameter" and "only cursor and limit" in error["message"]


def test_keys_need_the_scopes_and_existing_scopes_do_not_grant_them(partner):
    sr.add_hashes(request_ref="RR-1", items=[image(1)])
    reporting = PartnerClient(make_key(partner, name="reporting", scopes=[Scope.SUBMIT, Scope.STATUS]).plaintext)
    for response in (fetch(reporting), reporting.post(MATCHES, {"matches": [match(md5(1))]})):
        assert response.status_code == 403
        assert response.json()["errors"][0]["type"] == "insufficient_scope"
    fetch_only = PartnerClient(make_key(partner, name="fetch", scopes=[Scope.HASHES_FETCH]).plaintext)
    assert fetch(fetch_only).status_code == 200
    assert fetch_only.post(MATCHES, {"matches": [match(md5(1))]}).status_code == 403
    report_only = PartnerClient(make_key(partner, name="report", scopes=[Scope.HASHES_REPORT]).plaintext)
    assert fetch(report_only).status_code == 403
    assert report_only.post(MATCHES, {"matches": [match(md5(1))]}).json()["results"][0]["result"] == "ok"
    assert not PlatformMatch.objects.exclude(partner_label=partner.slug).exists()


def test_a_fetched_page_is_audited_as_a_disclosure_to_the_partner(api, partner):
    sr.add_hashes(request_ref="RR-1", items=[image(n) for n in range(5)])
    fetch(api, limit=3)
    fetch(api, cursor="v1.3", limit=3)
    fetch(api, cursor="v1.5", limit=3)  # nothing new: nothing disclosed
    entries = list(AuditEntry.objects.filter(action=Action.DISCLOSURE).order_by("sequence"))
    assert [(e.recipient, e.detail["from_sequence"], e.detail["to_sequence"]) for e in entries] == [
        (f"partner:{partner.slug}", 1, 3),
        (f"partner:{partner.slug}", 4, 5),
    ]
    assert entries[0].detail["items"] == 6


def match(value, *, signal_type="md5", action="removed", client_ref="c-1", **extra):
    return {"signal_type": signal_type, "value": value, "action": action, "client_ref": client_ref,
            "where_seen": "https://example.test/p/1", **extra}  # fmt: skip


def test_a_mixed_match_report_keeps_the_good_items(api, partner, document):
    sr.add_hashes(request_ref="RR-1", items=[image(1), video(2)])
    (vid,) = SharedHash.objects.filter(kind="video")
    response = api.post(
        MATCHES,
        {
            "matches": [
                match(md5(1), client_ref="a", seen_at="2026-12-07T18:00:00Z"),
                match("0" * 32, client_ref="b"),
                match("nothex", client_ref="c"),
                match(pdq(1), signal_type="pdq", action="seen", client_ref="d"),
                match(sr.vpdq_value(vid.vpdq), signal_type="vpdq", action="blocked_upload", client_ref="e"),
                match(md5(1), client_ref="a"),
                match(md5(1), action="deleted", client_ref="f"),
                match(md5(1), client_ref="g", seen_at="yesterday"),
                match(md5(1), client_ref="h", seen_at="2026-12-07T18:00:00"),  # no time zone
                {**match(md5(1), client_ref="i"), "surprise": 1},
                {"signal_type": "md5", "value": md5(1), "action": "seen"},  # no client_ref
                match(md5(1), client_ref="j", where_seen=None),
            ]
        },
    )
    assert response.status_code == 200
    body = response.json()
    _validator(document, "MatchesOut").validate(body)
    results = [(r["index"], r["result"], r["field"]) for r in body["results"]]
    assert results == [
        (0, "ok", ""),
        (1, "unknown_hash", ""),
        (2, "invalid", "value"),
        (3, "ok", ""),
        (4, "ok", ""),
        (5, "replay", ""),
        (6, "invalid", "action"),
        (7, "invalid", "seen_at"),
        (8, "invalid", "seen_at"),
        (9, "invalid", "surprise"),
        (10, "invalid", "client_ref"),
        (11, "ok", ""),
    ]
    assert body["recorded"] == 4
    assert all(r["message"] for r in body["results"] if r["result"] != "ok")
    assert "time zone" in body["results"][8]["message"]
    assert PlatformMatch.objects.count() == 4
    assert set(PlatformMatch.objects.values_list("partner_label", flat=True)) == {partner.slug}
    first = PlatformMatch.objects.get(client_ref="a")
    assert first.seen_at.isoformat() == "2026-12-07T18:00:00+00:00" and first.action == "removed"
    entry = AuditEntry.objects.get(object_type="evidence.platformmatch")
    assert entry.actor_label == f"partner:{partner.slug}" and len(entry.detail["platform_matches"]) == 4
    status = sr.status_for(request_ref="RR-1")
    assert status["removed_by_platforms"] == 1 and status["blocked_by_platforms"] == 1


def test_a_replayed_report_is_not_counted_twice(api, other_api):
    sr.add_hashes(request_ref="RR-1", items=[image(1)])
    body = {"matches": [match(md5(1), client_ref="r-1")]}
    assert api.post(MATCHES, body).json()["results"][0]["result"] == "ok"
    again = api.post(MATCHES, body).json()
    assert again == {
        "recorded": 0,
        "results": [
            {"index": 0, "result": "replay", "message": again["results"][0]["message"], "field": ""},
        ],
    }
    assert PlatformMatch.objects.count() == 1
    # Another partner's client_ref is its own.
    assert other_api.post(MATCHES, body).json()["recorded"] == 1
    # With an Idempotency-Key a retry gets the first answer again.
    keyed = {"matches": [match(md5(1), client_ref="r-2")]}
    first = api.post(MATCHES, keyed, headers={"Idempotency-Key": "k-1"})
    retry = api.post(MATCHES, keyed, headers={"Idempotency-Key": "k-1"})
    assert retry.json() == first.json() and retry["Idempotent-Replayed"] == "true"
    assert PlatformMatch.objects.count() == 3


def test_a_withdrawn_hash_is_unknown_to_match_reports(api):
    sr.add_hashes(request_ref="RR-1", items=[image(1)])
    sr.withdraw(request_ref="RR-1")
    body = api.post(MATCHES, {"matches": [match(md5(1)), match(pdq(1), signal_type="pdq", client_ref="c-2")]})
    assert [r["result"] for r in body.json()["results"]] == ["unknown_hash", "unknown_hash"]
    assert not PlatformMatch.objects.exists()


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ("not json", ["body"]),
        ([], ["body"]),
        ({}, ["body", "matches"]),
        ({"matches": []}, ["body", "matches"]),
        ({"matches": [1]}, ["body", "matches", 0]),
        ({"matches": [match(md5(1))], "extra": True}, ["body", "extra"]),
        ({"matches": [match(md5(n), client_ref=str(n)) for n in range(1001)]}, ["body", "matches"]),
    ],
)
def test_a_body_that_is_not_a_list_of_matches_is_a_422(api, body, loc):
    response = api.post(MATCHES, body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == loc
    assert not PlatformMatch.objects.exists()


def test_the_documented_signal_types_and_actions_are_the_services(document):
    assert set(SignalType.__args__) == set(sr.SIGNAL_TYPES)
    assert set(MatchAction.__args__) == set(sr.ACTIONS)
    schemas = document["components"]["schemas"]
    assert schemas["FeedItemOut"]["properties"]["signal_type"]["enum"] == ["md5", "pdq", "vpdq"]
    parameters = {p["name"]: p for p in document["paths"][FEED]["get"]["parameters"]}
    assert parameters["cursor"]["schema"]["pattern"].startswith("^(v1")
    limit = parameters["limit"]["schema"]
    assert (limit["minimum"], limit["maximum"]) == (1, sr.MAX_FEED_LIMIT)
    request = document["paths"][MATCHES]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert request["properties"]["matches"]["items"]["additionalProperties"] is False


def test_the_page_json_is_valid_json_whatever_the_feed_holds(api):
    sr.add_hashes(request_ref="RR-1", items=[video(1, frames=40), image(3)])
    sr.withdraw(request_ref="RR-1")
    raw = fetch(api).content
    assert json.loads(raw)["items"][1]["value"].count("\n") == 39


def test_a_partner_upload_of_a_self_reported_image_is_flagged(api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from safeguard.core.vault.streams import hash_bytes
    from safeguard.evidence.hashing import analyse_image
    from safeguard.evidence.models import EvidenceMatch
    from safeguard.evidence.tests.images import png
    from safeguard.reporting.models import Priority, Report

    from .conftest import valid_report

    data = png(41)
    found = analyse_image(data)
    (row,) = sr.add_hashes(
        request_ref="RR-1",
        items=[{"kind": "image", "md5": hash_bytes(data)["md5"], "pdq": found.pdq, "pdq_quality": found.pdq_quality}],
    )
    opened = api.post("/api/v1/reports", valid_report()).json()
    upload = api.upload(f"/api/v1/reports/{opened['id']}/files", {"file": SimpleUploadedFile("a.png", data)})
    assert upload.status_code == 201
    finished = api.post(f"/api/v1/reports/{opened['id']}/finish").json()
    report = Report.objects.get(reference=finished["reference"])
    matches = EvidenceMatch.objects.filter(evidence__report=report)
    assert {(m.hash_type, m.shared_hash_id) for m in matches} == {("md5", row.pk), ("pdq", row.pk)}
    # Flagged: kept at P2 or above by triage's hash-match factor, like a known-material match.
    assert report.priority <= Priority.P2 and "A file matched known abuse material on a hash list." in (
        report.priority_reasons
    )


def test_the_page_written_by_the_database_equals_the_services_items(api, make_staff):
    """The fast path writes most items in SQL: every kind of row must read exactly as feed_page gives it."""
    sr.add_hashes(request_ref="RR-1", items=[image(1), {"kind": "image", "md5": md5(2)}, video(3)])
    sr.add_hashes(request_ref="RR-2", items=[image(4), {"kind": "image", "md5": md5(5)}, video(6)])
    (held,) = sr.add_hashes(request_ref="RR-3", items=[image(7)])
    sr.withdraw(request_ref="RR-2")
    sr.review(shared_hash_id=held.pk, state=ReviewState.HELD, by=make_staff("supervisor"), reason="Misuse")
    for cursor, limit in ((None, 10), (None, 2), ("v1.3", 3)):
        assert fetch(api, cursor=cursor, limit=limit).json()["items"] == sr.feed_page(cursor=cursor, limit=limit)[0]
