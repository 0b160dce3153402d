"""Evidence file responses in a real browser (issue 21, ADR 0101): the blurred picture still shows through
<img> although every file response is an attachment under a sandbox policy; a quarantined file is not shown."""

from safeguard.audit.services import Actor
from safeguard.core.vault.storage import Vault
from safeguard.evidence.tests.hidden_samples import png_html_zip
from safeguard.evidence.tests.images import png
from safeguard.reporting.intake import StoredUpload
from safeguard.reporting.models import Source
from safeguard.reporting.services import create_report

from .test_staff import _sign_in, analyst  # noqa: F401  (the fixture is used by name)


def _upload(data: bytes, name: str) -> StoredUpload:
    sealed = Vault().put_bytes(data, kind="reports")
    return StoredUpload(sealed.stored_name, name, "image/png", sealed.size, sealed.hashes["sha256"])


def test_picture_shows_and_hidden_content_is_described(page, analyst, evidence_dir):  # noqa: F811
    report = create_report(
        actor=Actor(label="member of the public (test)"),
        source=Source.PUBLIC_WEB,
        fields={"account": "They asked to keep the chat secret.", "platform_name": "Fictional Chat"},
        uploads=[_upload(png(60), "chat.png"), _upload(png_html_zip(61), "odd.png")],
    ).report
    _sign_in(page, analyst)
    page.goto(f"{page.base_url}/staff/evidence/reports/{report.reference}/")
    image = page.locator("img.sg-evidence-image")
    assert image.count() == 1  # the quarantined file is never shown
    image.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('img.sg-evidence-image').complete")
    assert page.evaluate("() => document.querySelector('img.sg-evidence-image').naturalWidth") > 0
    assert "Hidden content" in page.content() and "a ZIP archive" in page.content()
