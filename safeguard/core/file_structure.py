"""What a file's own structure says about it, read without decoding it: where an image really ends, and
whether a PDF carries content that acts (scripts, launch actions, embedded files, forms that send data).

Pure functions over bytes (no Django), in core so both the public form (reporting) and evidence ingest
use the same reading (ADR 0101). Each parser follows the format's own framing, never a search for a
marker: an end marker's bytes can appear inside appended data (JPEG's FF D9 in a ZIP) or inside the image.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

# Bytes allowed after an image's end without comment: padding some encoders and transfers add.
_PADDING = b"\0\r\n \t"
_ACTIVE_MARKUP = re.compile(rb"<\s*(script|html|svg|iframe|object|embed|body|meta)\b|<\?php|<\?xml", re.IGNORECASE)


@dataclass(frozen=True)
class ImageExtent:
    """`end`: offset just after the format's end marker (None: not found). `problem`: plain words when the
    structure could not be followed (damaged, truncated, checksum wrong); empty when it was."""

    end: int | None
    problem: str = ""


def image_extent(data: bytes, mime: str) -> ImageExtent | None:
    """Where the image ends by its format's framing. None for types without a usable end (TIFF)."""
    parser = _PARSERS.get(mime)
    return parser(data) if parser else None


def trailing_bytes(data: bytes, extent: ImageExtent | None) -> int:
    """How many bytes follow the image's end, not counting padding (NULs, whitespace) alone."""
    if extent is None or extent.end is None or extent.end >= len(data):
        return 0
    rest = data[extent.end :]
    return len(rest) if rest.strip(_PADDING) else 0


def describe_data(data: bytes) -> list[str]:
    """What a run of bytes looks like, in words (for staff and senders). Empty when nothing is recognised."""
    kinds = []
    if b"PK\x03\x04" in data or b"PK\x05\x06" in data:
        kinds.append("a ZIP archive")
    if _ACTIVE_MARKUP.search(data):
        kinds.append("a web page or script")
    if b"%PDF-" in data:
        kinds.append("a PDF document")
    if any(sig in data for sig in (b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b\x08")):
        kinds.append("another compressed archive")
    if any(sig in data for sig in (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8", b"MZ\x90\x00", b"\x7fELF")):
        kinds.append("another image or a program")
    return kinds


# --- images -------------------------------------------------------------------------------------------------


def _png(data: bytes) -> ImageExtent:
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ImageExtent(None, "The file does not start as a PNG.")
    position = 8
    while True:
        if position + 12 > len(data):
            return ImageExtent(None, "The PNG ends before its end marker (IEND): truncated or damaged.")
        length = int.from_bytes(data[position : position + 4], "big")
        if length > 0x7FFFFFFF:
            return ImageExtent(None, "A PNG chunk declares an impossible length (damaged or altered).")
        chunk_type = data[position + 4 : position + 8]
        body_end = position + 8 + length
        if body_end + 4 > len(data):
            return ImageExtent(None, "The PNG ends before its end marker (IEND): truncated or damaged.")
        crc = int.from_bytes(data[body_end : body_end + 4], "big")
        if zlib.crc32(data[position + 4 : body_end]) != crc:
            name = chunk_type.decode("latin-1")
            return ImageExtent(None, f"A PNG chunk's checksum ({name!r}) does not match: damaged or altered.")
        position = body_end + 4
        if chunk_type == b"IEND":
            return ImageExtent(position)


# Markers with no length field after them: TEM and the restart markers.
_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}


def _jpeg_one(data: bytes, start: int) -> tuple[int | None, str, bool]:
    """(end after EOI or None, problem, saw an MPF (multi-picture) segment) for the JPEG starting at `start`."""
    if data[start : start + 2] != b"\xff\xd8":
        return None, "The file does not start as a JPEG.", False
    position, multi_picture, size = start + 2, False, len(data)
    while True:
        if position >= size or data[position] != 0xFF:
            return None, "The JPEG's segments do not follow one another (damaged or altered).", multi_picture
        while position < size and data[position] == 0xFF:  # fill bytes before a marker
            position += 1
        if position >= size:
            return None, "The JPEG ends before its end marker: truncated or damaged.", multi_picture
        marker = data[position]
        position += 1
        if marker == 0xD9:
            return position, "", multi_picture
        if marker in _JPEG_STANDALONE:
            continue
        if marker in (0x00, 0xD8):
            return None, "The JPEG has a marker where none may be (damaged or altered).", multi_picture
        if position + 2 > size:
            return None, "The JPEG ends before its end marker: truncated or damaged.", multi_picture
        length = int.from_bytes(data[position : position + 2], "big")
        if length < 2 or position + length > size:
            return None, "The JPEG ends before its end marker: truncated or damaged.", multi_picture
        if marker == 0xE2 and data[position + 2 : position + 6] == b"MPF\0":
            multi_picture = True
        position += length
        if marker == 0xDA:  # start of scan: entropy-coded data runs to the next marker other than FF00 / RSTn
            while True:
                position = data.find(b"\xff", position)
                if position < 0 or position + 1 >= size:
                    return None, "The JPEG ends before its end marker: truncated or damaged.", multi_picture
                following = data[position + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    position += 1 if following == 0xFF else 2
                    continue
                break


def _jpeg(data: bytes) -> ImageExtent:
    end, problem, multi_picture = _jpeg_one(data, 0)
    if end is None:
        return ImageExtent(None, problem)
    # A multi-picture JPEG (phone cameras: MPO) stores its further pictures, each a whole JPEG, after the first.
    while multi_picture and data[end : end + 2] == b"\xff\xd8":
        following, _problem, _ = _jpeg_one(data, end)
        if following is None:
            break
        end = following
    return ImageExtent(end)


def _gif_sub_blocks(data: bytes, position: int) -> int | None:
    while position < len(data):
        size = data[position]
        position += 1 + size
        if size == 0:
            return position
    return None


def _gif(data: bytes) -> ImageExtent:
    truncated = ImageExtent(None, "The GIF ends before its trailer: truncated or damaged.")
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 13:
        return ImageExtent(None, "The file does not start as a GIF.")
    packed = data[10]
    position = 13 + (3 * 2 ** ((packed & 7) + 1) if packed & 0x80 else 0)
    while position < len(data):
        block = data[position]
        if block == 0x3B:
            return ImageExtent(position + 1)
        if block == 0x21:  # extension: label, then sub-blocks
            after = _gif_sub_blocks(data, position + 2)
        elif block == 0x2C:  # image: descriptor, optional local colour table, LZW code size, sub-blocks
            if position + 10 > len(data):
                return truncated
            local = data[position + 9]
            table = 3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0
            after = _gif_sub_blocks(data, position + 10 + table + 1)
        else:
            return ImageExtent(None, "The GIF has a block of unknown kind (damaged or altered).")
        if after is None:
            return truncated
        position = after
    return truncated


def _webp(data: bytes) -> ImageExtent:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return ImageExtent(None, "The file does not start as a WebP image.")
    declared = int.from_bytes(data[4:8], "little")
    end = 8 + declared + (declared & 1)
    if declared < 4 or 8 + declared > len(data):
        return ImageExtent(None, "The WebP image is shorter than its header says: truncated or damaged.")
    return ImageExtent(min(end, len(data)))


def _bmp(data: bytes) -> ImageExtent:
    declared = int.from_bytes(data[2:6], "little")
    if data[:2] != b"BM" or declared < 26:
        return ImageExtent(None, "The BMP header does not give the file's size.")
    if declared > len(data):
        return ImageExtent(None, "The BMP image is shorter than its header says: truncated or damaged.")
    return ImageExtent(declared)


_PARSERS = {"image/png": _png, "image/jpeg": _jpeg, "image/gif": _gif, "image/webp": _webp, "image/bmp": _bmp}


# --- PDFs ---------------------------------------------------------------------------------------------------

# Name (as written after the /, escapes decoded) -> what it does, in words.
PDF_ACTIVE_NAMES = {
    "JavaScript": "JavaScript",
    "JS": "JavaScript",
    "AA": "actions that run on events (opening pages, fields)",
    "Launch": "an action that launches a program or file",
    "EmbeddedFile": "embedded files",
    "EmbeddedFiles": "embedded files",
    "RichMedia": "rich media (Flash or video)",
    "XFA": "an XFA form",
    "SubmitForm": "a form that sends data out",
    "ImportData": "an action that imports data",
}
DEFAULT_PDF_MAX_INFLATED = 64 * 1024 * 1024  # all of a file's compressed streams together, once inflated
_WATCHED = {*PDF_ACTIVE_NAMES, "OpenAction", "Encrypt", "ObjStm", "Predictor"}
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]*)")
_STREAM_KEYWORD = re.compile(rb">>\s*stream\r?\n")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?![\d\s]*R)")
_IMAGE_FILTERS = {"DCTDecode", "JPXDecode", "CCITTFaxDecode", "JBIG2Decode", "DCT", "CCF"}
_MAX_HEADER = 4096


@dataclass
class PdfFindings:
    active: list[str] = field(default_factory=list)  # what it does, in words, each once
    names: list[str] = field(default_factory=list)  # the names found, decoded (/J#61vaScript -> JavaScript)
    problem: str = ""  # why it could not be checked fully (encrypted, too much compressed content)
    obfuscated: bool = False  # an active name was written with #xx escapes
    in_compressed_streams: bool = False  # an active name was found only inside a compressed stream

    @property
    def flagged(self) -> bool:
        return bool(self.active or self.problem)


def _unescape(raw: bytes) -> bytes:
    return _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw) if b"#" in raw else raw


def _names(chunk: bytes) -> tuple[set[str], bool]:
    """The watched names in a chunk of PDF syntax, and whether one of them was written with #xx escapes."""
    found, escaped = set(), False
    for raw in _NAME.findall(chunk):
        name = _unescape(raw).decode("latin-1")
        if name in _WATCHED:
            found.add(name)
            escaped = escaped or b"#" in raw
    return found, escaped


def _filters(header: bytes) -> list[str]:
    if b"/Filter" not in header:
        return []
    after = header.split(b"/Filter", 1)[1]
    listed = after[: after.index(b"]") + 1] if after.lstrip().startswith(b"[") and b"]" in after else after
    names = [_unescape(raw).decode("latin-1") for raw in _NAME.findall(listed)]
    filters = [n for n in names if n.endswith("Decode") or n in {"Fl", "AHx", "A85", "LZW", "RL", "DCT", "CCF"}]
    return filters if listed is not after else filters[:1]


class _Undecodable(Exception):
    """A stream in an encoding not read here (LZW, run-length, a broken Flate stream)."""


_CHUNK = 1024 * 1024
_OVERLAP = 64  # the longest watched name, escaped, is 39 bytes: one cut across a chunk boundary is seen whole


def _inflate_chunks(data: bytes) -> Iterator[bytes]:
    """Inflate a Flate stream a chunk at a time (memory stays flat whatever it unpacks to)."""
    for window in (15, -15):  # some writers leave out the zlib header
        inflater = zlib.decompressobj(window)
        pending, produced = data, False
        try:
            while not inflater.eof:  # until the stream's end, or no progress (input used up, nothing more out)
                chunk = inflater.decompress(pending, _CHUNK)
                pending = inflater.unconsumed_tail
                if chunk:
                    produced = True
                    yield chunk
                elif not pending:
                    break
            return
        except zlib.error:
            if produced:
                return  # damaged part-way: a viewer stops there too
    raise _Undecodable


def _decode_whole(data: bytes, name: str, budget: int) -> bytes:
    if name in {"FlateDecode", "Fl"}:
        out, total = [], 0
        for chunk in _inflate_chunks(data):
            total += len(chunk)
            if total > budget:
                raise OverflowError
            out.append(chunk)
        return b"".join(out)
    if name in {"ASCIIHexDecode", "AHx"}:
        hex_text = re.sub(rb"\s", b"", data.split(b">", 1)[0])
        try:
            return binascii.unhexlify(hex_text + (b"0" if len(hex_text) % 2 else b""))
        except binascii.Error:
            raise _Undecodable from None
    if name in {"ASCII85Decode", "A85"}:
        text = re.sub(rb"\s", b"", data.split(b"~>", 1)[0]).removeprefix(b"<~")
        try:
            return base64.a85decode(text)
        except ValueError:
            raise _Undecodable from None
    raise _Undecodable


def _decoded_chunks(raw: bytes, filters: list[str], budget: int) -> Iterator[bytes]:
    """The stream through its filters (Flate, ASCIIHex, ASCII85), the last one a chunk at a time when Flate."""
    data = raw
    for name in filters[:-1]:
        data = _decode_whole(data, name, budget)
    if filters[-1] in {"FlateDecode", "Fl"}:
        yield from _inflate_chunks(data)
    else:
        yield _decode_whole(data, filters[-1], budget)


def pdf_active_content(data: bytes, *, max_inflated: int = DEFAULT_PDF_MAX_INFLATED) -> PdfFindings:
    """Names in a PDF that make it act when opened, found through #xx escapes and inside compressed streams.

    Reads the bytes as written and every Flate/ASCIIHex/ASCII85 stream once decoded (object streams hide
    dictionaries there), inflating no more than `max_inflated` bytes in all, a megabyte at a time: past
    that the PDF is reported as not fully checkable, as are encrypted PDFs and object streams in an
    encoding not read here.
    """
    findings = PdfFindings()
    names, escaped = _names(data)
    budget = max_inflated
    for match in _STREAM_KEYWORD.finditer(data):
        object_start = data.rfind(b"obj", max(0, match.start() - _MAX_HEADER), match.start())
        header = data[object_start if object_start >= 0 else max(0, match.start() - _MAX_HEADER) : match.start() + 2]
        filters = _filters(header)
        if not filters or any(f in _IMAGE_FILTERS for f in filters):
            continue  # not encoded, or image data (no dictionaries inside)
        header_names, _ = _names(header)
        if "ObjStm" in header_names and "Predictor" in header_names:
            findings.problem = "The PDF hides objects in a stream whose encoding cannot be checked."
            continue
        start = match.end()
        length = _LENGTH.search(header)
        end = start + int(length.group(1)) if length else -1
        if not start <= end <= len(data):
            end = data.find(b"endstream", start)
        raw = data[start : end if end >= start else len(data)]
        inner: set[str] = set()
        carry = b""
        try:
            for chunk in _decoded_chunks(raw, filters, budget):
                budget -= len(chunk)
                if budget < 0:
                    raise OverflowError
                found, found_escaped = _names(carry + chunk)
                inner |= found
                escaped = escaped or found_escaped
                carry = chunk[-_OVERLAP:]
        except OverflowError:
            findings.problem = (
                f"The PDF's compressed content unpacks to more than {max_inflated:,} bytes, too much to check."
            )
            break
        except _Undecodable:
            if "ObjStm" in header_names:
                findings.problem = "The PDF hides objects in a stream whose encoding cannot be checked."
            continue
        if (inner - names) & set(PDF_ACTIVE_NAMES):
            findings.in_compressed_streams = True
        names |= inner
    if "Encrypt" in names:
        findings.problem = findings.problem or "The PDF is encrypted, so its content cannot be checked."
    active = [name for name in PDF_ACTIVE_NAMES if name in names]
    if "OpenAction" in names and {"JavaScript", "JS", "Launch"} & set(active):
        findings.active.append("an action that runs when the document is opened")
    for name in active:
        if PDF_ACTIVE_NAMES[name] not in findings.active:
            findings.active.append(PDF_ACTIVE_NAMES[name])
    findings.names = sorted(set(active) | ({"OpenAction"} & names if active else set()))
    findings.obfuscated = escaped and bool(active)
    return findings


def describe_pdf(findings: PdfFindings) -> str:
    """One sentence for staff and senders."""
    parts = []
    if findings.active:
        how = []
        if findings.obfuscated:
            how.append("with its names disguised")
        if findings.in_compressed_streams:
            how.append("inside compressed streams")
        parts.append(
            "The PDF contains content that acts when opened ("
            + ", ".join(findings.active)
            + ")"
            + (" " + " and ".join(how) if how else "")
            + "."
        )
    if findings.problem:
        parts.append(findings.problem)
    return " ".join(parts)
