"""Issue 21: web uploads were allowed up to 2 GB. The limit is now one setting sized to what partners send, stated on
the page, and a bigger upload is refused early with that limit and what to do instead (never a 500 or a bare 413)."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from safeguard.referrals import services
from safeguard.referrals.models import ReferralImport

from .conftest import jsonl, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def evidence_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


def _post(client, content: bytes, name="big.jsonl", **extra):
    data = {"partner": "Interpol NCB Ruritania", "format": "", "file": SimpleUploadedFile(name, content)}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("referrals:new"), data, **extra)


def test_the_limit_is_one_setting_sized_for_a_million_referrals():
    assert settings.SAFEGUARD_MAX_REFERRAL_UPLOAD_BYTES == 1024**3  # was 2 GB, hard-coded
    # A million lines (ADR 0070) at the bench's ~616 bytes a JSON line fits, with headroom.
    assert settings.SAFEGUARD_MAX_REFERRAL_UPLOAD_BYTES > 1_000_000 * 616 * 1.5


def test_the_page_states_the_limit(analyst_client):
    body = analyst_client.get(reverse("referrals:new")).content.decode()
    assert "At most 1024 MB" in body and "import_referrals" in body


def test_an_upload_declared_over_the_limit_is_refused_before_its_body_is_read(analyst_client):
    # Content-Length says 2 GB; the body is never read (the test client's real body is tiny).
    response = _post(analyst_client, b"{}", CONTENT_LENGTH=str(2 * 1024**3))
    assert response.status_code == 413
    body = response.content.decode()
    assert "larger than 1024 MB" in body and "import_referrals" in body
    assert "govuk-error-summary" in body or "There is a problem" in body
    assert not ReferralImport.objects.exists()


def test_an_upload_that_passes_the_limit_is_stopped_as_it_arrives(analyst_client, settings):
    settings.SAFEGUARD_MAX_REFERRAL_UPLOAD_BYTES = 100 * 1024  # under the multipart slack: the handler stops it
    response = _post(analyst_client, jsonl(*(record(n) for n in range(1, 400))))
    assert response.status_code == 413
    assert "larger than 100 KB, the most a referral file may be through this page" in response.content.decode()
    assert not ReferralImport.objects.exists()


def test_an_upload_under_the_limit_is_imported(analyst_client, settings):
    settings.SAFEGUARD_MAX_REFERRAL_UPLOAD_BYTES = 100 * 1024
    response = _post(analyst_client, jsonl(record(1), record(2)))
    assert response.status_code == 302
    assert ReferralImport.objects.get().accepted == 2


def test_the_service_refuses_an_oversized_file_too(make_staff, settings):
    from django.core.exceptions import ValidationError

    settings.SAFEGUARD_MAX_REFERRAL_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError, match="the most a referral file may be"):
        services.create_import(
            user=make_staff("investigator"),
            partner="NCB",
            fmt="jsonl",
            original_name="a.jsonl",
            upload=SimpleUploadedFile("a.jsonl", jsonl(record(1))),
        )


def test_the_upload_page_still_requires_the_csrf_token(make_staff):
    from django.test import Client

    from conftest import _sign_in_both_factors

    client = _sign_in_both_factors(Client(enforce_csrf_checks=True), make_staff("investigator"))
    response = _post(client, jsonl(record(1)))
    assert response.status_code == 403
    assert not ReferralImport.objects.exists()
