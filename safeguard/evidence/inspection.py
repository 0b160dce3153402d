"""Checks that decide whether a file is safe to process, before anything decodes it.

Each check returns None when the file passes, or a plain-English reason to quarantine it. Quarantined
files are still stored (sealed) for the record; they are never decoded, previewed or matched on content.
"""

from __future__ import annotations

import io
import re
import zipfile

from django.conf import settings

from safeguard.core.file_structure import describe_data, image_extent, trailing_bytes

from .hashing import IMAGE_TYPES

ARCHIVE_TYPES = {
    "application/zip",
    "application/x-tar",
    "application/gzip",
    "application/x-bzip2",
    "application/x-xz",
    "application/x-7z-compressed",
    "application/x-rar-compressed",
    "application/vnd.rar",
    "application/x-lzip",
    "application/zstd",
}
DEFAULT_ARCHIVE_LIMITS = {"max_members": 1000, "max_unpacked_bytes": 200 * 1024 * 1024, "max_ratio": 100}
_ZIP_END_OF_DIRECTORY = b"PK\x05\x06"
_ZIP_LOCAL_HEADER = b"PK\x03\x04"
_ARCHIVE_SUFFIXES = (".zip", ".jar", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".zst", ".cab", ".iso")
_ACTIVE_CONTENT = re.compile(rb"<\s*(script|html|svg|iframe|object|embed)\b|<\?php|%PDF-", re.IGNORECASE)


def archive_limits() -> dict:
    return {**DEFAULT_ARCHIVE_LIMITS, **getattr(settings, "SAFEGUARD_EVIDENCE_ARCHIVE_LIMITS", {})}


EXECUTABLE_TYPES = {
    "application/x-msdownload",
    "application/x-executable",
    "application/x-elf",
    "application/x-mach-binary",
    "application/x-sharedlib",
    "application/x-dex",
}


def check_executable(mime: str) -> str | None:
    if mime in EXECUTABLE_TYPES:
        return f"The file is a program ({mime}); programs are kept for manual handling, never opened."
    return None


def check_empty(size: int) -> str | None:
    return "The file is empty (0 bytes)." if size == 0 else None


def _image_trailer_end(data: bytes, mime: str) -> int | None:
    """Where the image format says the file ends, by its own framing (core.file_structure), or None.

    PNG: chunks to IEND, each CRC checked; JPEG: segments to the scan, entropy data to EOI (never the last
    FF D9 in the file, which appended data can hold); GIF: blocks to the 3B trailer; WebP: the RIFF size.
    """
    extent = image_extent(data, mime)
    return extent.end if extent is not None else None


def check_polyglot(data: bytes, mime: str) -> str | None:
    """A file that is also valid as another kind of file (an image with a ZIP or script attached)."""
    # Office documents, e-books and the like are ZIPs by design; only formats that must not be ZIPs are checked.
    if mime not in IMAGE_TYPES and mime not in {"text/plain", "application/pdf"}:
        return None
    if mime in IMAGE_TYPES:
        if _ACTIVE_CONTENT.search(data[:1024]):
            return f"The file is a {mime} whose first bytes also read as a web page, script or PDF (a polyglot file)."
        extent = image_extent(data, mime)
        if extra := trailing_bytes(data, extent):
            kinds = describe_data(data[-extra:])
            looks = f" ({', '.join(kinds)})" if kinds else ""
            return f"The file has {extra:,} bytes of other data after the end of the image{looks} (a polyglot file)."
    tail = data[-(65536 + 22) :]
    if _ZIP_END_OF_DIRECTORY in tail and _ZIP_LOCAL_HEADER in data:
        return f"The file is a {mime} that also contains a ZIP archive (a polyglot file)."
    return None


def _unsafe_member_name(name: str) -> bool:
    if "\0" in name or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return True
    parts = re.split(r"[\\/]", name)
    return ".." in parts


def inspect_archive(data: bytes, mime: str) -> tuple[str | None, dict]:
    """(quarantine reason or None, details). Only ZIP is opened; other archive kinds are quarantined whole.

    Sizes declared in a ZIP can lie, so members are actually decompressed (to nowhere) and counted,
    stopping as soon as a limit is passed.
    """
    if mime != "application/zip":
        return f"Archives of type {mime} are not opened automatically; kept for manual handling.", {}
    limits = archive_limits()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return "The ZIP archive is damaged or malformed.", {}
    if len(members) > limits["max_members"]:
        return f"The archive holds {len(members):,} files, more than the {limits['max_members']:,} allowed.", {}
    names = []
    unpacked = 0
    for member in members:
        names.append(member.filename[:200])
        if _unsafe_member_name(member.filename):
            return f"The archive contains an unsafe path ({member.filename[:100]!r}) that would escape its folder.", {}
        if member.flag_bits & 0x1:
            return "The archive contains encrypted files that cannot be checked.", {}
        if member.filename.lower().endswith(_ARCHIVE_SUFFIXES):
            return (
                f"The archive contains another archive ({member.filename[:100]!r}); nested archives are not opened.",
                {},
            )
        if member.is_dir():
            continue
        try:
            with archive.open(member) as stream:
                first = stream.read(8)
                if first.startswith((_ZIP_LOCAL_HEADER, b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh", b"\xfd7zXZ")):
                    return f"The archive contains another archive ({member.filename[:100]!r}); not opened.", {}
                unpacked += len(first)
                while chunk := stream.read(1024 * 1024):
                    unpacked += len(chunk)
                    if unpacked > limits["max_unpacked_bytes"]:
                        return (
                            f"The archive unpacks to more than {limits['max_unpacked_bytes']:,} bytes "
                            "(a possible zip bomb).",
                            {},
                        )
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
            return f"The archive member {member.filename[:100]!r} is damaged or uses an unsupported method.", {}
    if data and unpacked / len(data) > limits["max_ratio"]:
        return f"The archive expands {unpacked // len(data):,} times its size (a possible zip bomb).", {}
    return None, {"archive_members": names[:100], "archive_member_count": len(names), "unpacked_bytes": unpacked}
