"""GOV.UK error pages: 400, 403, 404, 500 and the session-expired (CSRF failure) page, public and staff."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.template.loader import get_template
from django.test import Client, RequestFactory
from django.urls import path, reverse

import safeguard.urls
from safeguard.core.errors import permission_denied
from safeguard.core.views import server_error

pytestmark = pytest.mark.django_db

EXIT = 'class="govuk-exit-this-page"'


def _boom(request):
    raise RuntimeError("something broke")


# A URL configuration with pages that fail, for the real 500 path (handler500 and all).
urlpatterns = [*safeguard.urls.urlpatterns, path("boom/", _boom), path("staff/boom/", _boom)]
handler400, handler403, handler404, handler500 = (
    safeguard.urls.handler400,
    safeguard.urls.handler403,
    safeguard.urls.handler404,
    safeguard.urls.handler500,
)


def _assert_public_page(response, status, heading):
    body = response.content.decode()
    assert response.status_code == status
    assert 'class="govuk-template"' in body and 'name="viewport"' in body
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in body
    assert EXIT in body and 'href="/exit"' in body
    assert 'href="tel:999"' in body and 'href="tel:08001111"' in body
    return body


def _assert_staff_page(response, status, heading):
    body = response.content.decode()
    assert response.status_code == status
    assert 'class="govuk-template"' in body and "Safeguard staff" in body
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in body
    assert EXIT not in body
    return body


# --- 404 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/no-such-page/", "/report/no-such-question/", "/most-wanted/99999/"])
def test_public_404_is_a_govuk_page_with_exit_and_a_way_back(client, url):
    body = _assert_public_page(client.get(url), 404, "Page not found")
    assert "If you typed the web address, check it is correct." in body
    assert f'href="{reverse("reporting:start")}"' in body and f'href="{reverse("core:home")}"' in body


def test_staff_404_uses_the_staff_layout(analyst_client):
    body = _assert_staff_page(analyst_client.get("/staff/reports/NO-SUCH-REF/"), 404, "Page not found")
    assert 'aria-label="Staff menu"' in body
    assert f'href="{reverse("staff:queue")}"' in body


def test_staff_404_for_someone_signed_out_offers_sign_in(client):
    body = _assert_staff_page(client.get("/staff/no/such/page/"), 404, "Page not found")
    assert 'aria-label="Staff menu"' not in body
    assert f'href="{reverse("accounts:login")}"' in body


def test_api_404_stays_json(client):
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")


# --- 400 -----------------------------------------------------------------------------------------


def test_public_400_for_a_bad_host_header(client):
    _assert_public_page(
        client.get("/", HTTP_HOST="not-our-host.invalid"), 400, "Sorry, there is a problem with the service"
    )


# --- 403 -----------------------------------------------------------------------------------------


def test_public_403_is_a_govuk_page_with_exit():
    request = RequestFactory().get("/partners/something/")
    request.user = AnonymousUser()
    _assert_public_page(permission_denied(request, PermissionDenied("x")), 403, "You cannot see this page")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/staff/audit/", "the audit log"),
        ("/staff/insight/publications/", "publishing the annual review and threat assessment"),
        ("/staff/wanted/", "Most Wanted records"),
        ("/staff/retention/", "retention reviews"),
    ],
)
def test_staff_403_names_the_role_and_what_it_can_use_instead(analyst_client, url, words):
    body = _assert_staff_page(analyst_client.get(url), 403, "You cannot use this page")
    assert f"Your role (Analyst) does not include {words}." in body
    assert "What your role can use" in body
    for label, name in (("Report queue", "staff:queue"), ("Cases", "cases:list"), ("Education", "education:dashboard")):
        assert f'<li><a class="govuk-link" href="{reverse(name)}">{label}</a></li>' in body
    assert f'href="{reverse("staff:audit_log")}"' not in body
    for raw in ("view_audit_log", "publish_review", "manage_wanted", "review_retention", "analyst)"):
        assert raw not in body


def test_staff_403_for_a_force_officer_lists_only_the_force_portal(staff_client):
    body = _assert_staff_page(staff_client("force_officer").get("/staff/audit/"), 403, "You cannot use this page")
    assert "Your role (Police force officer) does not include the audit log." in body
    section = body.split("What your role can use", 1)[1]
    assert f'href="{reverse("force:home")}">Force portal</a>' in section
    assert reverse("education:dashboard") not in section and reverse("cases:list") not in section


def test_staff_403_for_an_education_officer(staff_client):
    body = _assert_staff_page(staff_client("education_officer").get("/staff/cases/"), 403, "You cannot use this page")
    assert "Your role (Education officer) does not include cases." in body
    assert f'href="{reverse("education:dashboard")}">Education</a>' in body


def test_staff_403_with_a_written_reason_shows_it(rf, make_staff):
    request = rf.get("/staff/force/packages/1/")
    request.user = make_staff("force_officer")
    response = permission_denied(request, PermissionDenied("This package was not sent to your force."))
    assert "This package was not sent to your force." in response.content.decode()


def test_staff_403_reads_the_older_capability_message_too(rf, make_staff):
    request = rf.get("/staff/scoring-model/")
    request.user = make_staff("analyst")
    body = permission_denied(request, PermissionDenied("Your role does not allow this (edit_scoring_model).")).content
    assert b"Your role (Analyst) does not include changing the triage scoring model." in body
    assert b"edit_scoring_model" not in body


# --- 500 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["errors/500.html", "errors/staff_500.html"])
def test_500_templates_render_with_no_context_at_all(name):
    html = get_template(name).render()  # what django.views.defaults.server_error does
    assert 'class="govuk-template"' in html and "Sorry, there is a problem with the service" in html


@pytest.mark.urls(__name__)
def test_public_500_is_a_govuk_page():
    response = Client(raise_request_exception=False).get("/boom/")
    _assert_public_page(response, 500, "Sorry, there is a problem with the service")


@pytest.mark.urls(__name__)
def test_staff_500_uses_the_staff_layout(analyst_client):
    analyst_client.raise_request_exception = False
    _assert_staff_page(analyst_client.get("/staff/boom/"), 500, "Sorry, there is a problem with the service")


def test_server_error_for_the_api_is_json():
    response = server_error(RequestFactory().get("/api/v1/reports"))
    assert response.status_code == 500 and response["Content-Type"] == "application/json"


# --- session expired (CSRF failure) --------------------------------------------------------------


DRAFT_ANSWERS = {
    "about-you": {"role": "parent_carer"},
    "age": {"age_answer": "given", "age": "13", "child_age": 13},
}


def _public_client(*, draft: bool) -> Client:
    client = Client(enforce_csrf_checks=True)
    if draft:
        session = client.session
        session["report_draft"] = {"role": "parent_carer", "answers": dict(DRAFT_ANSWERS)}
        session.save()
    return client


def test_expired_form_on_the_journey_keeps_the_answers_and_links_back_to_the_same_question():
    client = _public_client(draft=True)
    response = client.post("/report/danger/?change=1", {"danger_now": "no"})
    body = _assert_public_page(response, 403, "This page timed out")
    assert "We have kept the answers you already gave." in body
    assert 'href="/report/danger/?change=1"' in body
    assert "CSRF" not in body and "Forbidden" not in body
    # The way back really is a page with the answers still there.
    assert client.session["report_draft"]["answers"] == DRAFT_ANSWERS
    assert client.get("/report/danger/?change=1").status_code == 200


def test_expired_session_on_the_journey_says_kindly_the_answers_were_cleared():
    response = _public_client(draft=False).post("/report/danger/", {"danger_now": "no"})
    body = _assert_public_page(response, 403, "Your session has timed out")
    assert "For your safety, we clear what you have typed after a while" in body
    assert f'href="{reverse("reporting:start")}"' in body and "Start again" in body
    assert "0800&nbsp;1111" in body


def test_expired_form_elsewhere_in_public_still_has_exit_and_a_way_back():
    response = _public_client(draft=False).post("/training/", {})
    body = _assert_public_page(response, 403, "Your session has timed out")
    assert f'href="{reverse("core:home")}"' in body


def test_staff_form_after_sign_in_elsewhere_says_it_had_expired(staff_client, new_report):
    client = staff_client("analyst")
    client.handler.enforce_csrf_checks = True
    report = new_report()
    page = reverse("staff:report", args=[report.reference])
    response = client.post(
        reverse("staff:change_status", args=[report.reference]),
        {"to_status": "in_review"},
        HTTP_REFERER=f"http://testserver{page}",
    )
    body = _assert_staff_page(response, 403, "The form had expired")
    assert f'href="{page}"' in body and "Open the page again" in body
    assert "CSRF" not in body


def test_staff_sign_in_form_that_expired_asks_to_sign_in_again():
    response = Client(enforce_csrf_checks=True).post(reverse("accounts:login"), {"username": "a", "password": "b"})
    body = _assert_staff_page(response, 403, "You were signed out")
    assert f'href="{reverse("accounts:login")}"' in body and "Sign in again" in body


def test_staff_form_sent_after_the_session_ended_explains_at_sign_in(client, new_report):
    """The CSRF cookie outlives the session: the form passes CSRF and meets the sign-in check instead."""
    report = new_report()
    page = reverse("staff:report", args=[report.reference])
    response = client.post(
        reverse("staff:change_status", args=[report.reference]),
        {"to_status": "in_review"},
        HTTP_REFERER=f"http://testserver{page}",
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?expired=1&next=")
    body = client.get(response["Location"]).content.decode()
    assert "You were signed out, so what you sent was not saved." in body
    assert f'name="next" value="{page}"' in body


def test_staff_403_for_someone_signed_out_asks_them_to_sign_in(rf):
    request = rf.get("/staff/account/sign-in/")
    request.user = AnonymousUser()
    body = permission_denied(request, PermissionDenied()).content.decode()
    assert "Sign in to use this page." in body and "Your role" not in body
