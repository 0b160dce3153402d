import io
import zipfile

import pytest

from safeguard.evidence.inspection import check_empty, check_polyglot, inspect_archive

from .images import jpeg, png


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_empty_file():
    assert "empty" in check_empty(0)
    assert check_empty(1) is None


def test_plain_images_are_not_polyglots():
    assert check_polyglot(png(), "image/png") is None
    assert check_polyglot(jpeg(), "image/jpeg") is None


def test_image_with_an_appended_zip_is_a_polyglot():
    reason = check_polyglot(png() + _zip({"note.txt": b"hello"}), "image/png")
    assert "ZIP archive" in reason and "polyglot" in reason


@pytest.mark.parametrize("make, mime", [(png, "image/png"), (jpeg, "image/jpeg")])
def test_image_with_trailing_data_is_a_polyglot(make, mime):
    reason = check_polyglot(make() + b"<html><script>alert(1)</script></html>" * 3, mime)
    assert "after the end of the image" in reason


def test_image_that_starts_as_a_web_page_is_a_polyglot():
    data = b"GIF89a<script>x</script>" + bytes(100)
    assert "web page, script or PDF" in check_polyglot(data, "image/gif")


def test_office_documents_are_zips_by_design():
    docx_like = _zip({"word/document.xml": b"<w:document/>"})
    assert check_polyglot(docx_like, "application/vnd.openxmlformats-officedocument.wordprocessingml.document") is None


def test_a_plain_zip_is_accepted_and_listed():
    reason, details = inspect_archive(_zip({"chat.txt": b"synthetic chat", "img/a.png": png()}), "application/zip")
    assert reason is None
    assert details["archive_member_count"] == 2
    assert "chat.txt" in details["archive_members"]


@pytest.mark.parametrize("name", ["../../etc/passwd", "/abs/path.txt", "dir\\..\\..\\x.txt", "C:/windows/x.txt"])
def test_path_traversal_names_are_quarantined(name):
    reason, _ = inspect_archive(_zip({name: b"x"}), "application/zip")
    assert "unsafe path" in reason


def test_nested_archives_are_quarantined():
    inner = _zip({"a.txt": b"a"})
    assert "another archive" in inspect_archive(_zip({"inner.zip": inner}), "application/zip")[0]
    # Detected by content too, whatever the name says.
    assert "another archive" in inspect_archive(_zip({"inner.txt": inner}), "application/zip")[0]


def test_zip_bomb_is_stopped_by_actual_unpacked_size(settings):
    settings.SAFEGUARD_EVIDENCE_ARCHIVE_LIMITS = {"max_unpacked_bytes": 1_000_000}
    reason, _ = inspect_archive(_zip({"zeros.bin": bytes(5_000_000)}), "application/zip")
    assert "zip bomb" in reason


def test_zip_bomb_is_stopped_by_ratio():
    reason, _ = inspect_archive(_zip({"zeros.bin": bytes(20_000_000)}), "application/zip")
    assert "zip bomb" in reason and "times its size" in reason


def test_too_many_members(settings):
    settings.SAFEGUARD_EVIDENCE_ARCHIVE_LIMITS = {"max_members": 3}
    reason, _ = inspect_archive(_zip({f"{i}.txt": b"x" for i in range(5)}), "application/zip")
    assert "holds 5 files" in reason


def test_damaged_zip_and_other_archive_types():
    assert "damaged or malformed" in inspect_archive(b"PK\x03\x04" + bytes(50), "application/zip")[0]
    assert "not opened automatically" in inspect_archive(b"\x1f\x8b" + bytes(50), "application/gzip")[0]
