"""Every URL under /staff/ refuses a session that has not passed both sign-in factors.

Walks the real URL configuration, so a staff page added later by anyone is covered automatically.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from safeguard.accounts.middleware import TWO_FACTOR_PAGES

pytestmark = pytest.mark.django_db


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, ns)
        elif isinstance(entry, URLPattern):
            yield route, f"{namespace}{entry.name}" if entry.name else ""


def staff_urls(sample_reference):
    """(path, url name) for every pattern under staff/, with sample values filled in."""
    for route, name in _walk(get_resolver().url_patterns):
        if not route.lstrip("^").startswith("staff/"):
            continue
        path = re.sub(r"<(?:\w+:)?reference>", sample_reference, route.lstrip("^").rstrip("$"))
        path = re.sub(r"<(?:int:)?\w+>", "1", path)
        path = re.sub(r"<\w+:\w+>", "x", path)
        yield "/" + path.replace("\\Z", ""), name


@pytest.fixture
def every_staff_url(new_report):
    urls = [(path, name) for path, name in staff_urls(new_report().reference) if name not in TWO_FACTOR_PAGES]
    assert len(urls) >= 5, urls  # queue, report, status, assign, audit log, accounts...
    return urls


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_sign_in(client, every_staff_url, method):
    for path, name in every_staff_url:
        response = getattr(client, method)(path)
        assert response.status_code == 302, (path, name)
        assert response["Location"].startswith(reverse("accounts:login")), (path, name)


@pytest.mark.parametrize("method", ["get", "post"])
def test_password_only_is_sent_to_enter_a_code(password_only_client, every_staff_url, method):
    for role in ("analyst", "supervisor", "administrator"):
        client = password_only_client(role)
        for path, name in every_staff_url:
            response = getattr(client, method)(path)
            assert response.status_code == 302, (role, path, name)
            assert response["Location"].startswith(reverse("accounts:verify")), (role, path, name)


@pytest.mark.parametrize("method", ["get", "post"])
def test_no_device_is_sent_to_enrol(password_only_client, every_staff_url, method):
    client = password_only_client("supervisor", enrolled=False)
    for path, name in every_staff_url:
        response = getattr(client, method)(path)
        assert response.status_code == 302, (path, name)
        assert response["Location"].startswith(reverse("accounts:enrol")), (path, name)


def test_unverified_requests_write_no_audit_entries(password_only_client, every_staff_url):
    from safeguard.audit.models import AuditEntry

    client = password_only_client("supervisor")
    before = AuditEntry.objects.count()
    for path, _name in every_staff_url:
        client.get(path)
    assert AuditEntry.objects.count() == before


def test_two_factor_pages_exist():
    for name in TWO_FACTOR_PAGES:
        assert reverse(name).startswith("/staff/")
