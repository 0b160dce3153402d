"""Two-person rule, status transitions, audit, and what the public sees at each status."""

import pytest
from django.core.exceptions import PermissionDenied

from safeguard.audit.models import Action, AuditEntry
from safeguard.wanted import services
from safeguard.wanted.models import WantedEvent, WantedStatus

pytestmark = pytest.mark.django_db


def audit_for(person):
    return list(AuditEntry.objects.filter(object_type="wanted.wantedperson", object_id=str(person.pk)))


def test_the_author_cannot_approve_their_own_record(make_staff):
    supervisor = make_staff("supervisor")
    person = services.create_wanted_person(user=supervisor, fields=_fields())
    services.submit_for_approval(user=supervisor, person=person)
    with pytest.raises(services.WantedError, match="second person"):
        services.approve_and_publish(user=supervisor, person=person)
    person.refresh_from_db()
    assert person.status == WantedStatus.AWAITING_APPROVAL
    assert person.published_at is None


def test_whoever_sent_it_for_approval_cannot_approve_it(draft, make_staff):
    submitter = make_staff("supervisor")
    services.submit_for_approval(user=submitter, person=draft)
    with pytest.raises(services.WantedError, match="second person"):
        services.approve_and_publish(user=submitter, person=draft)


def test_a_second_person_publishes_and_it_is_audited_as_a_disclosure(draft, author, approver):
    services.submit_for_approval(user=author, person=draft)
    person = services.approve_and_publish(user=approver, person=draft)
    assert person.status == WantedStatus.PUBLISHED
    assert person.approved_by == approver and person.published_at
    disclosure = [e for e in audit_for(person) if e.action == Action.DISCLOSURE]
    assert disclosure[0].recipient == "public website"
    assert disclosure[0].actor == approver
    assert WantedEvent.objects.filter(person=person, status=WantedStatus.PUBLISHED).count() == 1


def test_a_draft_cannot_be_published_without_being_submitted(draft, approver):
    with pytest.raises(services.WantedError, match="cannot become published"):
        services.approve_and_publish(user=approver, person=draft)


def test_investigators_cannot_approve(draft, author, make_staff):
    services.submit_for_approval(user=author, person=draft)
    with pytest.raises(PermissionDenied):
        services.approve_and_publish(user=make_staff("investigator"), person=draft)


def test_analysts_cannot_write_records(make_staff):
    with pytest.raises(PermissionDenied):
        services.create_wanted_person(user=make_staff("analyst"), fields=_fields())


def test_editing_while_awaiting_approval_sends_it_back_to_draft(draft, author):
    services.submit_for_approval(user=author, person=draft)
    person = services.update_wanted_person(user=author, person=draft, fields={"last_known_area": "Much Puddling"})
    assert person.status == WantedStatus.DRAFT
    assert [e.detail.get("fields") for e in audit_for(person) if e.action == Action.ALTERATION][-1] == [
        "last_known_area"
    ]


def test_published_records_cannot_be_edited(published, author):
    with pytest.raises(services.WantedError, match="Only a draft"):
        services.update_wanted_person(user=author, person=published, fields={"full_name": "Someone Else"})


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ([], {WantedStatus.LOCATED, WantedStatus.ARRESTED, WantedStatus.WITHDRAWN}),
        ([WantedStatus.LOCATED], {WantedStatus.ARRESTED}),
        ([WantedStatus.ARRESTED], set()),
        ([WantedStatus.WITHDRAWN], set()),
    ],
)
def test_status_changes_after_publication(make_published, author, path, allowed):
    person = make_published()
    for step in path:
        person = services.change_public_status(user=author, person=person, to=step)
    for target in (WantedStatus.LOCATED, WantedStatus.ARRESTED, WantedStatus.WITHDRAWN):
        if target in allowed:
            continue
        with pytest.raises(services.WantedError):
            services.change_public_status(user=author, person=person, to=target)


def test_located_is_recorded_with_its_time_and_audited(published, author):
    person = services.change_public_status(user=author, person=published, to=WantedStatus.LOCATED, note="Found")
    assert person.found_at is not None
    last = audit_for(person)[-1]
    assert last.action == Action.ALTERATION
    assert last.detail["removed_from_public_pages"] is True
    assert last.justification == "Found"


# --- public visibility -------------------------------------------------------------------------


def test_drafts_and_records_awaiting_approval_are_not_public(client, draft, author):
    assert client.get(f"/most-wanted/{draft.public_id}/").status_code == 404
    services.submit_for_approval(user=author, person=draft)
    assert client.get(f"/most-wanted/{draft.public_id}/").status_code == 404
    assert draft.full_name not in client.get("/most-wanted/").content.decode()


def test_a_published_person_is_on_the_list_and_has_a_page(client, published):
    listing = client.get("/most-wanted/").content.decode()
    assert published.full_name in listing
    page = client.get(f"/most-wanted/{published.public_id}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Tall, grey hair" in body and "Little Wobbling" in body and "Bram Quill" in body
    assert f'href="/most-wanted/{published.public_id}/sighting/"' in body
    photo = client.get(f"/most-wanted/{published.public_id}/photo.png")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert photo.content.startswith(b"\x89PNG")


def test_public_pages_carry_social_sharing_metadata(client, published):
    body = client.get(f"/most-wanted/{published.public_id}/").content.decode()
    for tag in ('property="og:title"', 'property="og:image"', 'name="twitter:card"', 'rel="canonical"'):
        assert tag in body
    assert f'content="Wanted: {published.full_name}"' in body
    assert 'content="index, follow"' in body


@pytest.mark.parametrize("status", [WantedStatus.LOCATED, WantedStatus.ARRESTED])
def test_found_people_lose_their_details_at_once(client, published, author, status):
    services.change_public_status(user=author, person=published, to=status)
    page = client.get(f"/most-wanted/{published.public_id}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "This person has been found" in body
    for detail in (published.full_name, "Tall, grey hair", "Little Wobbling", "Bram Quill"):
        assert detail not in body
    assert client.get(f"/most-wanted/{published.public_id}/photo.png").status_code == 404
    listing = client.get("/most-wanted/").content.decode()
    assert published.full_name not in listing
    assert "was located" in listing or "was arrested" in listing
    assert client.get(f"/most-wanted/{published.public_id}/sighting/").content.decode().count("found") >= 1


def test_withdrawn_records_disappear_entirely(client, published, author):
    services.change_public_status(user=author, person=published, to=WantedStatus.WITHDRAWN)
    assert client.get(f"/most-wanted/{published.public_id}/").status_code == 404
    assert client.get(f"/most-wanted/{published.public_id}/photo.png").status_code == 404
    listing = client.get("/most-wanted/").content.decode()
    assert published.full_name not in listing and "was located" not in listing


def test_public_pages_are_cache_friendly(client, published, author):
    page = client.get(f"/most-wanted/{published.public_id}/")
    assert "public" in page["Cache-Control"] and "max-age=60" in page["Cache-Control"]
    assert page["ETag"] and page["Last-Modified"]
    again = client.get(f"/most-wanted/{published.public_id}/", HTTP_IF_NONE_MATCH=page["ETag"])
    assert again.status_code == 304
    listing = client.get("/most-wanted/")
    assert "public" in listing["Cache-Control"] and listing["ETag"]
    assert "csrfmiddlewaretoken" not in listing.content.decode() + page.content.decode()
    # Once located, the old validator no longer matches: caches must fetch the notice.
    services.change_public_status(user=author, person=published, to=WantedStatus.LOCATED)
    after = client.get(f"/most-wanted/{published.public_id}/", HTTP_IF_NONE_MATCH=page["ETag"])
    assert after.status_code == 200


def test_forms_are_never_cached(client, published):
    for url in (f"/most-wanted/{published.public_id}/sighting/", "/most-wanted/alerts/"):
        assert "no-store" in client.get(url)["Cache-Control"] or "no-cache" in client.get(url)["Cache-Control"]


def _fields():
    from .conftest import FIELDS

    return dict(FIELDS)
