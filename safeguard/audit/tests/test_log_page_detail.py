"""The audit log page shows each entry's detail in words: no Python reprs, user names not ids, model names."""

from django.urls import reverse

from safeguard.audit.models import Action
from safeguard.audit.services import Actor, record


def _page(client, **query):
    response = client.get(reverse("staff:audit_log"), query)
    assert response.status_code == 200
    return response.content.decode()


def test_a_detail_key_named_items_does_not_break_the_page(supervisor_client):
    # The dissemination demo's entry carries an "items" key, which a template's `.items` would resolve.
    record(
        action=Action.DISCLOSURE,
        actor=Actor.system("test"),
        obj=("dissemination.package", "7"),
        detail={"items": [3, 4], "status": "awaiting_approval"},
        recipient="Thames Valley Police",
    )
    html = _page(supervisor_client)
    assert "Items: 3, 4" in html
    assert "Status: awaiting approval" in html
    assert _page(supervisor_client, action="disclosure").count("Items: 3, 4") == 1
    assert _page(supervisor_client, page="2").count("<html") == 1


def test_lists_dicts_and_codes_read_as_words(supervisor_client):
    record(
        action=Action.ALTERATION,
        actor=Actor.system("test"),
        obj=("reporting.report", "999999"),
        detail={"fields": ["priority", "assigned_to"], "register": {"attended": 3, "booked": 4}, "with_note": True},
    )
    html = _page(supervisor_client)
    assert "Fields: priority, assigned to" in html
    assert "Register: attended 3; booked 4" in html
    assert "With note: yes" in html
    assert "[&#x27;" not in html and "{&#x27;" not in html


def test_an_assignment_names_the_people(supervisor_client, make_staff):
    analyst = make_staff("analyst", first_name="Alex", last_name="Example")
    record(
        action=Action.ALTERATION,
        actor=Actor.system("test"),
        obj=("reporting.report", "999998"),
        detail={"field": "assigned_to", "from": None, "to": analyst.pk},
    )
    html = _page(supervisor_client)
    assert "To: Alex Example" in html
    assert "From: nobody" in html
    assert f"To: {analyst.pk}<" not in html


def test_object_types_are_named_for_people(supervisor_client):
    record(action=Action.CONSULTATION, actor=Actor.system("test"), obj=("cases.case", "5"), detail={})
    html = _page(supervisor_client)
    assert "Case 5" in html
    assert "cases.case" not in html
