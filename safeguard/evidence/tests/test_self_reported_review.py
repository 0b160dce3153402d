"""The supervisor's review of the self-reported hash list (issue 22): selector, pages, hold and release."""

import hashlib

import pytest
from django.urls import reverse

from safeguard.accounts.models import Role
from safeguard.audit.models import Action, AuditEntry
from safeguard.evidence import selectors
from safeguard.evidence import self_reported as sr
from safeguard.evidence.models import ReviewState, SharedHash

pytestmark = pytest.mark.django_db

LIST = reverse("evidence:self_reported")


def md5(n) -> str:
    return hashlib.md5(str(n).encode()).hexdigest()  # noqa: S324 (test data)


def pdq(n) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


def image(n):
    return {"kind": "image", "md5": md5(n), "pdq": pdq(n), "pdq_quality": 90, "vpdq": None}


def video(n, frames=3):
    return {
        "kind": "video",
        "md5": md5(f"v{n}"),
        "vpdq": [{"pdq": pdq(f"{n}-{i}"), "quality": 80, "timestamp": float(i)} for i in range(frames)],
    }


def match(value, client_ref, action="removed", signal_type="md5"):
    return {"signal_type": signal_type, "value": value, "action": action, "client_ref": client_ref,
            "where_seen": "https://chatterbox.example/p/1"}  # fmt: skip


@pytest.fixture
def supervisor(make_staff):
    return make_staff(Role.SUPERVISOR)


@pytest.fixture
def listed(supervisor):
    """Three requests: RI-A (two images, one matched twice and removed once), RI-B (a video, held),
    RI-C (an image, withdrawn)."""
    a1, a2 = sr.add_hashes(request_ref="RI-A", items=[image(1), image(2)])
    (b1,) = sr.add_hashes(request_ref="RI-B", items=[video(3)])
    (c1,) = sr.add_hashes(request_ref="RI-C", items=[image(4)])
    sr.record_platform_matches(
        partner_label="chatterbox", items=[match(md5(1), "c-1"), match(md5(1), "c-2", action="seen")]
    )
    sr.review(shared_hash_id=b1.pk, state=ReviewState.HELD, by=supervisor, reason="Suspected misuse")
    sr.withdraw(request_ref="RI-C")
    return {"a1": a1, "a2": a2, "b1": b1, "c1": c1}


# --- the selector -----------------------------------------------------------------------------------------


def test_listing_is_newest_first_with_counts(supervisor, listed):
    rows = list(selectors.self_reported_for_review(user=supervisor))
    assert [r.pk for r in rows] == sorted((h.pk for h in listed.values()), reverse=True)
    counts = {r.pk: (r.match_count, r.removal_count) for r in rows}
    assert counts[listed["a1"].pk] == (2, 1) and counts[listed["a2"].pk] == (0, 0)


@pytest.mark.parametrize(
    ("state", "expected"),
    [("shared", {"a1", "a2"}), ("held", {"b1"}), ("withdrawn", {"c1"}), ("", {"a1", "a2", "b1", "c1"})],
)
def test_listing_filters_by_state(supervisor, listed, state, expected):
    rows = selectors.self_reported_for_review(user=supervisor, state=state)
    assert {r.pk for r in rows} == {listed[k].pk for k in expected}


def test_listing_filters_by_request_in_any_case(supervisor, listed):
    rows = selectors.self_reported_for_review(user=supervisor, request_ref="ri-a")
    assert {r.pk for r in rows} == {listed["a1"].pk, listed["a2"].pk}
    assert not selectors.self_reported_for_review(user=supervisor, request_ref="RI-NONE").exists()


@pytest.mark.parametrize(("kwargs", "words"), [({"state": "gone"}, "shared, held or withdrawn"),
                                               ({"request_ref": "RI A;"}, "like RI-ABCD-2345")])  # fmt: skip
def test_listing_refuses_bad_filters_plainly(supervisor, kwargs, words):
    with pytest.raises(selectors.ReviewListError, match=words):
        selectors.self_reported_for_review(user=supervisor, **kwargs)


@pytest.mark.parametrize("role", [Role.ANALYST, Role.INVESTIGATOR, Role.ADMINISTRATOR, Role.FORCE_OFFICER])
def test_selectors_and_service_check_the_capability(make_staff, listed, role):
    from django.core.exceptions import PermissionDenied

    user = make_staff(role)
    with pytest.raises(PermissionDenied):
        selectors.self_reported_for_review(user=user)
    with pytest.raises(PermissionDenied):
        selectors.self_reported_detail(user=user, shared_hash_id=listed["a1"].pk)
    with pytest.raises(PermissionDenied):
        sr.review(shared_hash_id=listed["a1"].pk, state="held", by=user, reason="no")


def test_list_page_queries_do_not_grow_with_rows(supervisor_client, django_assert_max_num_queries):
    items = [image(n) for n in range(40)]
    sr.add_hashes(request_ref="RI-MANY", items=items)
    sr.record_platform_matches(partner_label="chatterbox", items=[match(md5(n), f"m-{n}") for n in range(40)])
    supervisor_client.get(LIST)  # warm the session and the user
    # Session, user, device, the count, the page (counts annotated in it) and the audit entry: 8 whatever the rows.
    with django_assert_max_num_queries(8):
        response = supervisor_client.get(LIST)
    assert response.status_code == 200 and response.content.decode().count('href="/staff/evidence/self-reported/') >= 40


def test_detail_history_matches_and_audit(supervisor, listed):
    detail = selectors.self_reported_detail(user=supervisor, shared_hash_id=listed["b1"].pk)
    assert [e.what for e in detail.history] == ["added", "held"]
    assert detail.history[1].reason == "Suspected misuse" and detail.history[1].by == supervisor.username
    withdrawn = selectors.self_reported_detail(user=supervisor, shared_hash_id=listed["c1"].pk)
    assert [e.what for e in withdrawn.history] == ["added", "withdrawn"]
    matched = selectors.self_reported_detail(user=supervisor, shared_hash_id=listed["a1"].pk)
    assert (matched.match_count, matched.removal_count) == (2, 1)
    assert {m.client_ref for m in matched.matches} == {"c-1", "c-2"}
    entry = AuditEntry.objects.filter(action=Action.CONSULTATION, object_type="evidence.sharedhash").last()
    assert entry.object_id == str(listed["a1"].pk) and entry.actor == supervisor


# --- the pages --------------------------------------------------------------------------------------------


def test_list_page_shows_truncated_hashes_states_and_counts_and_is_audited(supervisor_client, listed):
    response = supervisor_client.get(LIST)
    body = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"].startswith("no-store")
    assert md5(1)[:8] in body and md5(1) not in body  # truncated on the list
    assert "<img" not in body  # hashes only: there are no pictures
    for tag in ("Shared", "Held", "Withdrawn"):
        assert f">{tag}</strong>" in body
    assert "3 frames" in body  # the video's vPDQ
    entry = AuditEntry.objects.filter(action=Action.CONSULTATION, object_id="list").last()
    assert entry.detail["view"] == "self_reported_review_list"
    assert set(entry.detail["shared_hashes"]) == {h.pk for h in listed.values()}
    assert entry.actor == supervisor_client.user


def test_list_page_filters_and_pages(supervisor_client, listed):
    body = supervisor_client.get(LIST, {"state": "held"}).content.decode()
    assert md5("v3")[:8] in body and md5(1)[:8] not in body
    body = supervisor_client.get(LIST, {"request": "RI-A"}).content.decode()
    assert md5(1)[:8] in body and md5(4)[:8] not in body
    bad = supervisor_client.get(LIST, {"request": "RI A;"})
    assert bad.status_code == 400 and "like RI-ABCD-2345" in bad.content.decode()
    bad = supervisor_client.get(LIST, {"state": "gone"})
    assert bad.status_code == 400 and "Choose shared, held, withdrawn or any state" in bad.content.decode()
    sr.add_hashes(request_ref="RI-MANY", items=[image(n) for n in range(100, 150)])
    second = supervisor_client.get(LIST, {"page": 2}).content.decode()
    assert "Page 2 of 2" in second and md5(1)[:8] in second


def test_nav_shows_the_page_only_to_supervisors(supervisor_client, analyst_client):
    assert 'href="/staff/evidence/self-reported/"' in supervisor_client.get(reverse("staff:queue")).content.decode()
    assert 'href="/staff/evidence/self-reported/"' not in analyst_client.get(reverse("staff:queue")).content.decode()


def test_detail_page_shows_full_hashes_matches_and_history(supervisor_client, listed):
    body = supervisor_client.get(reverse("evidence:self_reported_detail", args=[listed["a1"].pk])).content.decode()
    assert md5(1) in body and pdq(1) in body
    assert "chatterbox" in body and "https://chatterbox.example/p/1" in body and "Removed" in body
    assert "Hold this hash back" in body
    held = supervisor_client.get(reverse("evidence:self_reported_detail", args=[listed["b1"].pk])).content.decode()
    assert "Suspected misuse" in held and "Release this hash" in held and pdq("3-0") in held
    gone = supervisor_client.get(reverse("evidence:self_reported_detail", args=[listed["c1"].pk])).content.decode()
    assert "cannot be released" in gone and 'name="reason"' not in gone


def test_unknown_hash_is_404(supervisor_client):
    assert supervisor_client.get(reverse("evidence:self_reported_detail", args=[999])).status_code == 404
    review = reverse("evidence:self_reported_review", args=[999])
    assert supervisor_client.post(review, {"decision": "held", "reason": "x"}).status_code == 404


def _review(client, shared, **data):
    return client.post(reverse("evidence:self_reported_review", args=[shared.pk]), data)


def test_hold_then_release_redirects_with_a_banner_and_moves_the_feed(supervisor_client, listed):
    a1 = listed["a1"]
    response = _review(supervisor_client, a1, decision="held", reason="Suspected misuse: a public image")
    assert response.status_code == 302 and response["Location"] == reverse(
        "evidence:self_reported_detail", args=[a1.pk]
    )
    page = supervisor_client.get(response["Location"]).content.decode()
    assert "govuk-notification-banner" in page and "Hash held back" in page
    a1.refresh_from_db()
    assert a1.review_state == ReviewState.HELD and a1.review_reason == "Suspected misuse: a public image"
    items, _, _ = sr.feed_page(cursor=f"v1.{a1.sequence - 1}", limit=10)
    assert {i["op"] for i in items} == {"remove"}
    response = _review(supervisor_client, a1, decision="shared", reason="Checked with the young person's counsellor")
    assert response.status_code == 302
    assert "Hash released" in supervisor_client.get(response["Location"]).content.decode()
    a1.refresh_from_db()
    assert a1.review_state == ReviewState.SHARED
    entries = AuditEntry.objects.filter(
        action=Action.ALTERATION, object_type="evidence.sharedhash", object_id=str(a1.pk)
    )
    assert [e.justification for e in entries.order_by("sequence")] == [
        "Suspected misuse: a public image",
        "Checked with the young person's counsellor",
    ]
    assert all(e.actor == supervisor_client.user for e in entries)


def test_missing_reason_is_a_clear_error_and_changes_nothing(supervisor_client, listed):
    a1 = listed["a1"]
    before = AuditEntry.objects.filter(action=Action.ALTERATION).count()
    for reason in ("", "   "):
        response = _review(supervisor_client, a1, decision="held", reason=reason)
        body = response.content.decode()
        assert response.status_code == 400 and "There is a problem" in body
        assert "Give the reason for holding this hash back" in body and 'href="#id_reason"' in body
    a1.refresh_from_db()
    assert a1.review_state == ReviewState.SHARED
    response = _review(supervisor_client, listed["b1"], decision="shared", reason="")
    assert response.status_code == 400 and "Give the reason for releasing this hash" in response.content.decode()
    assert SharedHash.objects.get(pk=listed["b1"].pk).review_state == ReviewState.HELD
    assert AuditEntry.objects.filter(action=Action.ALTERATION).count() == before


def test_withdrawn_cannot_be_released_and_says_why(supervisor_client, listed):
    c1 = listed["c1"]
    response = _review(supervisor_client, c1, decision="shared", reason="Try anyway")
    body = response.content.decode()
    assert response.status_code == 400 and "withdrawn by the young person" in body
    assert SharedHash.objects.get(pk=c1.pk).state == "withdrawn"


def test_review_is_post_only_with_csrf(supervisor, listed):
    from django.test import Client

    from conftest import _sign_in_both_factors

    client = Client(enforce_csrf_checks=True)
    _sign_in_both_factors(client, supervisor)
    url = reverse("evidence:self_reported_review", args=[listed["a1"].pk])
    assert client.get(url).status_code == 405
    assert client.post(url, {"decision": "held", "reason": "No token"}).status_code == 403
    assert SharedHash.objects.get(pk=listed["a1"].pk).review_state == ReviewState.SHARED


def test_anonymous_is_sent_to_sign_in(client, listed):
    for url in (LIST, reverse("evidence:self_reported_detail", args=[listed["a1"].pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/account/sign-in/" in response["Location"]
    response = client.post(
        reverse("evidence:self_reported_review", args=[listed["a1"].pk]), {"decision": "held", "reason": "x"}
    )
    assert response.status_code in (302, 403)
    assert SharedHash.objects.get(pk=listed["a1"].pk).review_state == ReviewState.SHARED


AN, INV, SUP, ADM = Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR, Role.ADMINISTRATOR
FORCE, EDU = Role.FORCE_OFFICER, Role.EDUCATION_OFFICER


@pytest.mark.parametrize("role", Role.values)
def test_role_matrix(staff_client, listed, role):
    """Only supervisors (REVIEW_SELF_REPORTED) see the list and a hash, and hold or release; every other role 403."""
    expected = 200 if role == SUP else 403
    client = staff_client(role)
    assert client.get(LIST).status_code == expected
    assert client.get(reverse("evidence:self_reported_detail", args=[listed["a1"].pk])).status_code == expected
    response = _review(client, listed["a1"], decision="held", reason="Matrix")
    assert response.status_code == (302 if role == SUP else 403)
