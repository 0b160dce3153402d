"""Generated files that hide other content (issue 21): pattern images with data appended, tiny hand-built PDFs.

All synthetic: the images are seeded geometric patterns, the "script" is app.alert(1).
"""

import io
import zipfile
import zlib

from .images import encode, jpeg, pattern, png

HTML = b"<html><script>alert(1)</script></html>"


def small_zip(members: dict[str, bytes] | None = None, compression=zipfile.ZIP_STORED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, body in (members or {"notes.txt": b"synthetic note"}).items():
            archive.writestr(name, body)
    return out.getvalue()


def png_html_zip(seed: int = 1) -> bytes:
    """The issue's case: a generated pattern PNG + a web page with a script + a small ZIP."""
    return png(seed) + HTML + small_zip()


def jpeg_with_ffd9_tail(seed: int = 1) -> bytes:
    """A JPEG with data appended that holds FF D9 (the end-of-image marker) itself, and ends on it."""
    return jpeg(seed) + HTML + small_zip({"x.bin": b"\xff\xd9" * 4}) + b"\xff\xd9"


def gif(seed: int = 1) -> bytes:
    return encode(pattern(seed), "GIF")


def webp(seed: int = 1) -> bytes:
    return encode(pattern(seed), "WEBP")


def _pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A small PDF with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"


def clean_pdf() -> bytes:
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", PAGES, PAGE])


def clean_pdf_opening_at_page_one() -> bytes:
    """An /OpenAction that only says where to open (a GoTo destination): not active content."""
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>", PAGES, PAGE])


def open_action_javascript_pdf() -> bytes:
    """The issue's case: /OpenAction << /S /JavaScript /JS (app.alert(1)) >>."""
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>", PAGES, PAGE])


def hex_escaped_javascript_pdf() -> bytes:
    """The same with its names hidden behind #xx escapes: /J#61vaScript, /J#53, /Open#41ction."""
    return _pdf(
        [b"<< /Type /Catalog /Pages 2 0 R /Open#41ction << /S /J#61vaScript /J#53 (app.alert(1)) >> >>", PAGES, PAGE]
    )


def _object_stream(first: int, count: int, filter_spec: bytes, encoded: bytes) -> bytes:
    header = b"<< /Type /ObjStm /N %d /First %d /Filter %s /Length %d >>" % (count, first, filter_spec, len(encoded))
    return header + b"\nstream\n" + encoded + b"\nendstream"


def object_stream_javascript_pdf(encoding: str = "flate") -> bytes:
    """JavaScript only inside a compressed object stream: the catalog and its action live in object 4's stream."""
    header = b"1 0 5 48 "
    catalog = b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>".ljust(48)
    action = b"<< /S /JavaScript /JS (app.alert(1)) >>"
    inner = header + catalog + action
    if encoding == "flate":
        spec, encoded = b"/FlateDecode", zlib.compress(inner)
    elif encoding == "hex+flate":
        spec, encoded = b"[/AHx /Fl]", zlib.compress(inner).hex().encode() + b">"
    else:
        raise ValueError(encoding)
    stream = _object_stream(len(header), 2, spec, encoded)
    # Objects 1 and 5 live in the stream (object 4); an xref stream would list them, a viewer finds them anyway.
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", PAGES, PAGE, stream])


def compressed_bomb_pdf(unpacked: int = 80 * 1024 * 1024) -> bytes:
    """A content stream that inflates far past the checking limit."""
    bomb = zlib.compress(bytes(unpacked), 9)
    stream = b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(bomb) + bomb + b"\nendstream"
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", PAGES, PAGE, stream])


def launch_and_embedded_file_pdf() -> bytes:
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 4 0 R >> /AA << /O << /S /Launch /F (x) >> >> >>",
            PAGES,
            PAGE,
            b"<< /Names [(notes.txt) 5 0 R] >>",
            b"<< /Type /Filespec /F (notes.txt) /EF << /F 6 0 R >> >>",
            b"<< /Type /EmbeddedFile /Length 4 >>\nstream\nnote\nendstream",
        ]
    )
