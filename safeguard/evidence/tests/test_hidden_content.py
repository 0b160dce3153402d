"""Files that hide other content (issue 21, ADR 0101): images read to their real end, PDFs that act when opened.

The parsers (core.file_structure), the ingest decision (quarantined, the picture part still matched) and
the staff page's note. The entry points (partner API, public form) are in test_hidden_content_entry.py.
"""

import io
import tracemalloc
import zlib

import pytest

from safeguard.audit.services import Actor
from safeguard.core.file_structure import image_extent, pdf_active_content, trailing_bytes
from safeguard.core.vault.streams import hash_bytes
from safeguard.evidence import services
from safeguard.evidence.hashing import analyse_image
from safeguard.evidence.hashlists import import_hash_list
from safeguard.evidence.inspection import check_polyglot
from safeguard.evidence.models import FileStatus
from safeguard.reporting.models import Priority, Report

from . import hidden_samples as samples
from .images import encode, jpeg, pattern, png

PUBLIC = Actor(label="anonymous member of the public")


# --- images: where they really end ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "mime"),
    [
        (lambda: png(2), "image/png"),
        (lambda: jpeg(2), "image/jpeg"),
        (lambda: encode(pattern(2), "JPEG", progressive=True, quality=80), "image/jpeg"),
        (lambda: samples.gif(2), "image/gif"),
        (lambda: samples.webp(2), "image/webp"),
        (lambda: encode(pattern(2), "BMP"), "image/bmp"),
    ],
    ids=["png", "jpeg", "progressive-jpeg", "gif", "webp", "bmp"],
)
def test_clean_images_end_exactly_where_the_file_ends(make, mime):
    data = make()
    extent = image_extent(data, mime)
    assert extent.end == len(data) and not extent.problem
    assert trailing_bytes(data, extent) == 0 and check_polyglot(data, mime) is None


def test_multi_picture_jpeg_and_animated_gif_are_one_image_each():
    """Phone cameras write MPO (more JPEGs after the first); an animated GIF has many frames. Neither is hidden."""
    mpo = io.BytesIO()
    pattern(3).save(mpo, "MPO", save_all=True, append_images=[pattern(4)])
    assert image_extent(mpo.getvalue(), "image/jpeg").end == len(mpo.getvalue())
    animated = io.BytesIO()
    pattern(3).save(animated, "GIF", save_all=True, append_images=[pattern(4), pattern(5)])
    assert image_extent(animated.getvalue(), "image/gif").end == len(animated.getvalue())


def test_jpeg_with_appended_data_containing_ff_d9_is_caught():
    """The old check took the last FF D9 in the file as the end: appended data holding FF D9 hid behind it."""
    image = jpeg(5)
    data = samples.jpeg_with_ffd9_tail(5)
    assert data.endswith(b"\xff\xd9")
    assert image_extent(data, "image/jpeg").end == len(image)
    assert trailing_bytes(data, image_extent(data, "image/jpeg")) == len(data) - len(image)
    assert "after the end of the image" in check_polyglot(data, "image/jpeg")


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (samples.gif(6) + samples.HTML + b";", "image/gif"),  # ends on the GIF trailer byte, as the old check wanted
        (samples.webp(6) + samples.HTML, "image/webp"),  # the old check did not look after WebP images at all
        (png(6) + b"<script>x</sc", "image/png"),  # 13 bytes: the old check let up to 16 through
    ],
    ids=["gif-ending-in-3b", "webp", "png-short-tail"],
)
def test_trailing_data_the_old_check_missed(data, mime):
    assert "after the end of the image" in check_polyglot(data, mime)


def test_padding_alone_is_not_hidden_data():
    data = png(7) + b"\0" * 64 + b"\r\n"
    assert trailing_bytes(data, image_extent(data, "image/png")) == 0 and check_polyglot(data, "image/png") is None


def test_png_chunk_checksums_are_checked():
    data = bytearray(png(8))
    data[40] ^= 0xFF  # inside the first IDAT chunk
    extent = image_extent(bytes(data), "image/png")
    assert extent.end is None and "checksum" in extent.problem


# --- PDFs: active content ------------------------------------------------------------------------------------


def test_the_issues_open_action_javascript_pdf_is_found():
    found = pdf_active_content(samples.open_action_javascript_pdf())
    assert found.flagged and "JavaScript" in found.active
    assert "an action that runs when the document is opened" in found.active
    assert not found.obfuscated and not found.in_compressed_streams


def test_hex_escaped_names_are_decoded():
    found = pdf_active_content(samples.hex_escaped_javascript_pdf())
    assert found.flagged and "JavaScript" in found.active and "OpenAction" in found.names and found.obfuscated


@pytest.mark.parametrize("encoding", ["flate", "hex+flate"])
def test_javascript_inside_a_compressed_object_stream_is_found(encoding):
    data = samples.object_stream_javascript_pdf(encoding)
    assert b"JavaScript" not in data and b"/JS" not in data  # nothing to see without inflating
    found = pdf_active_content(data)
    assert found.flagged and "JavaScript" in found.active and found.in_compressed_streams


def test_launch_automatic_actions_and_embedded_files_are_found():
    found = pdf_active_content(samples.launch_and_embedded_file_pdf())
    assert {"Launch", "AA", "EmbeddedFiles"} <= set(found.names)


@pytest.mark.parametrize(
    "name", ["RichMedia", "XFA", "SubmitForm", "ImportData", "JavaScript", "JS", "AA", "Launch", "EmbeddedFile"]
)
def test_each_active_name_is_flagged(name):
    data = samples._pdf([b"<< /Type /Catalog /Pages 2 0 R /X << /%s 4 0 R >> >>" % name.encode(), samples.PAGES])
    assert pdf_active_content(data).flagged


@pytest.mark.parametrize("make", [samples.clean_pdf, samples.clean_pdf_opening_at_page_one])
def test_clean_pdfs_are_not_flagged(make):
    assert not pdf_active_content(make()).flagged


def test_inflation_is_capped():
    found = pdf_active_content(samples.compressed_bomb_pdf(), max_inflated=8 * 1024 * 1024)
    assert found.flagged and not found.active and "too much to check" in found.problem


def test_inflation_runs_a_chunk_at_a_time_with_flat_memory():
    data = samples.compressed_bomb_pdf(200 * 1024 * 1024)  # about 200 KB that unpacks to 200 MB
    tracemalloc.start()
    try:
        found = pdf_active_content(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "too much to check" in found.problem and peak < 16 * 1024 * 1024


def test_a_name_cut_across_an_inflated_chunk_boundary_is_found():
    inner = b" " * (1024 * 1024 - 10) + b"<< /S /JavaScript >>"  # /Jav | aScript, cut at 1 MB
    packed = zlib.compress(inner)
    stream = b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed)
    data = samples._pdf([b"<< /Type /Catalog /Pages 2 0 R >>", samples.PAGES, stream + packed + b"\nendstream"])
    assert "JavaScript" in pdf_active_content(data).active


def test_encrypted_pdfs_cannot_be_checked_and_are_flagged():
    data = samples.clean_pdf().replace(b"/Root 1 0 R", b"/Root 1 0 R /Encrypt << /Filter /Standard /V 2 >>")
    assert "encrypted" in pdf_active_content(data).problem


# --- ingest: quarantined, the picture part matched, the report kept -------------------------------------------


@pytest.fixture
def report(db):
    return Report.objects.create(reference="SGHIDE01", priority=Priority.P4, priority_reasons=["Routine review."])


def _ingest(data: bytes, report, name="upload.bin"):
    return services.ingest(stream=io.BytesIO(data), actor=PUBLIC, original_name=name, report=report)


def _list(rows: list[str]):
    body = "hash_type,value,category,source\n" + "\n".join(rows) + "\n"
    import_hash_list(
        list_name="national",
        list_source="Fictional Agency",
        stream=io.BytesIO(body.encode()),
        file_name="l.csv",
        actor=Actor.system("test"),
    )


def test_png_with_html_and_zip_is_quarantined_with_its_picture_part_recorded(report):
    data = samples.png_html_zip(11)
    evidence = _ingest(data, report)
    assert evidence.status == FileStatus.QUARANTINED
    assert "after the end of the image" in evidence.quarantine_reason and "ZIP archive" in evidence.quarantine_reason
    assert "web page or script" in evidence.quarantine_reason
    # The record is the file as received; the picture part is described beside it.
    assert evidence.sha256 == hash_bytes(data)["sha256"] and evidence.size == len(data)
    trailing = evidence.details["trailing_data"]
    assert trailing["image_bytes"] == len(png(11)) and trailing["image_sha256"] == hash_bytes(png(11))["sha256"]
    assert len(trailing["image_pdq"]) == 64
    assert not evidence.rendition_name and not evidence.pdq  # quarantined: nothing rendered or shown
    assert Report.objects.filter(pk=report.pk).exists()


def test_appending_data_to_known_material_does_not_hide_it_from_exact_matching(report):
    picture = png(12)
    _list([f"sha256,{hash_bytes(picture)['sha256']},A1,"])
    evidence = _ingest(picture + samples.HTML + samples.small_zip(), report)
    assert evidence.status == FileStatus.QUARANTINED and evidence.matches.get().hash_type == "sha256"
    report.refresh_from_db()
    assert report.priority == Priority.P2


def test_appended_data_does_not_hide_a_re_encoded_picture_from_pdq(report):
    _list([f"pdq,{analyse_image(png(13)).pdq},B2,"])
    altered = encode(pattern(13).resize((280, 210)), "JPEG", quality=60)
    evidence = _ingest(altered + samples.HTML, report)
    assert evidence.status == FileStatus.QUARANTINED and evidence.matches.get().hash_type == "pdq"


def test_jpeg_with_ff_d9_in_appended_data_is_quarantined(report):
    evidence = _ingest(samples.jpeg_with_ffd9_tail(14), report)
    assert evidence.status == FileStatus.QUARANTINED and "after the end of the image" in evidence.quarantine_reason


def test_jpeg_whose_structure_cannot_be_followed_but_decodes_is_quarantined(report):
    """Junk between segments: the decoder skips it, so where the image ends (and what follows) is unknown."""
    data = jpeg(15)
    cut = 4 + int.from_bytes(data[4:6], "big")  # after the APP0 segment
    odd = data[:cut] + b"ab" + data[cut:]
    assert analyse_image(odd).width == 320  # Pillow decodes it
    evidence = _ingest(odd, report)
    assert evidence.status == FileStatus.QUARANTINED and "hidden data cannot be ruled out" in evidence.quarantine_reason


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (samples.open_action_javascript_pdf, "JavaScript"),
        (samples.hex_escaped_javascript_pdf, "disguised"),
        (samples.object_stream_javascript_pdf, "inside compressed streams"),
        (samples.launch_and_embedded_file_pdf, "embedded files"),
    ],
    ids=["open-action-js", "hex-escaped", "object-stream", "launch-embedded"],
)
def test_pdfs_with_active_content_are_quarantined_with_the_reason(report, make, words):
    evidence = _ingest(make(), report, name="chat.pdf")
    assert evidence.detected_type == "application/pdf" and evidence.status == FileStatus.QUARANTINED
    assert words in evidence.quarantine_reason and "never opened" in evidence.quarantine_reason
    assert evidence.details["pdf_active_content"]["does"]


def test_a_pdf_behind_a_line_of_text_is_still_checked(report):
    """Readers find %PDF- anywhere in the first 1,024 bytes; the type detector then says text/plain."""
    evidence = _ingest(b"Chat export follows\n" + samples.open_action_javascript_pdf(), report, name="chat.txt")
    assert evidence.detected_type != "application/pdf"
    assert evidence.status == FileStatus.QUARANTINED and "JavaScript" in evidence.quarantine_reason


def test_a_pdf_too_big_to_inflate_is_quarantined(report, settings):
    settings.SAFEGUARD_EVIDENCE_PDF_MAX_INFLATED = 4 * 1024 * 1024
    evidence = _ingest(samples.compressed_bomb_pdf(20 * 1024 * 1024), report, name="big.pdf")
    assert evidence.status == FileStatus.QUARANTINED and "too much to check" in evidence.quarantine_reason


@pytest.mark.parametrize(
    ("make", "mime"),
    [
        (lambda: png(16), "image/png"),
        (lambda: jpeg(16), "image/jpeg"),
        (lambda: samples.gif(16), "image/gif"),
        (lambda: samples.webp(16), "image/webp"),
        (samples.clean_pdf, "application/pdf"),
        (samples.clean_pdf_opening_at_page_one, "application/pdf"),
    ],
    ids=["png", "jpeg", "gif", "webp", "pdf", "pdf-open-at-page"],
)
def test_clean_files_are_still_accepted(report, make, mime):
    evidence = _ingest(make(), report)
    assert evidence.detected_type == mime and evidence.status == FileStatus.OK, evidence.quarantine_reason
    assert "trailing_data" not in evidence.details and "pdf_active_content" not in evidence.details


def test_flate_streams_of_an_ordinary_pdf_are_read_without_a_finding():
    content = zlib.compress(b"BT /F1 12 Tf 20 100 Td (Synthetic page) Tj ET")
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream"
    pdf = samples._pdf([b"<< /Type /Catalog /Pages 2 0 R >>", samples.PAGES, samples.PAGE, stream])
    assert not pdf_active_content(pdf).flagged
