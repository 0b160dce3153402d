"""Files that hide other content: data after an image's end marker, PDFs that act when opened (ADR 0101).

The choice (ADR 0101): such a file is quarantined, never stripped in place. The bytes as received stay
sealed and are the record (their hashes are the chain of custody); nothing of the file is shown or
offered for opening. The picture before the end marker is still hashed (MD5, SHA-1, SHA-256 and, under
the usual decoding guards, PDQ) and matched against the hash lists, so appending bytes to known material
does not hide it from matching. The report the file came with is never lost: only the file is held back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.conf import settings

from safeguard.core.file_structure import (
    DEFAULT_PDF_MAX_INFLATED,
    describe_data,
    describe_pdf,
    image_extent,
    pdf_active_content,
    trailing_bytes,
)
from safeguard.core.vault.storage import Vault

from .hashing import IMAGE_TYPES, RejectedFile, analyse_image

KEPT = "It is kept sealed as received and is never opened or shown"


def pdf_max_inflated() -> int:
    return int(getattr(settings, "SAFEGUARD_EVIDENCE_PDF_MAX_INFLATED", DEFAULT_PDF_MAX_INFLATED))


@dataclass
class HiddenContent:
    """What was found. `reason`: quarantine reason ("" when nothing was). `deferred`: the structure could not
    be followed to its end; quarantine with this only if the image otherwise decodes (a truncated file
    is rejected by the decoder in its own words). `image_part`: the picture alone, when data followed it."""

    reason: str = ""
    deferred: str = ""
    details: dict = field(default_factory=dict)
    image_part: bytes = b""
    kind: str = ""  # trailing_data | pdf_active_content | structure, for API warning items
    problem: str = ""  # the structure's own problem, in words (with `deferred`)


def _words(kinds: list[str]) -> str:
    if not kinds:
        return "not a kind of file recognised here"
    return "it looks like " + (" and ".join([", ".join(kinds[:-1]), kinds[-1]]) if len(kinds) > 1 else kinds[0])


def find_hidden_content(data: bytes, mime: str) -> HiddenContent:
    """Trailing data after an image (PNG, JPEG, GIF, WebP, BMP) or active content in a PDF."""
    if mime in IMAGE_TYPES:
        extent = image_extent(data, mime)
        extra = trailing_bytes(data, extent)
        if extra and extent is not None and extent.end is not None:
            end = extent.end
            kinds = describe_data(data[end:])
            image = data[:end]
            return HiddenContent(
                reason=(
                    f"The file has {extra:,} bytes of other data after the end of the image ({_words(kinds)}): "
                    f"a polyglot file. {KEPT}; the picture before the end marker was hashed and matched alone."
                ),
                details={
                    "trailing_data": {
                        "image_bytes": end,
                        "trailing_bytes": len(data) - end,
                        "looks_like": kinds,
                        "trailing_sha256": hashlib.sha256(data[end:]).hexdigest(),
                        "image_sha256": hashlib.sha256(image).hexdigest(),
                        "image_sha1": hashlib.sha1(image, usedforsecurity=False).hexdigest(),
                        "image_md5": hashlib.md5(image, usedforsecurity=False).hexdigest(),
                    }
                },
                image_part=image,
                kind="trailing_data",
            )
        if extent is not None and extent.problem:
            return HiddenContent(
                deferred=(
                    f"{extent.problem} The picture decodes, but where it ends cannot be found, so hidden data "
                    f"cannot be ruled out. {KEPT}."
                ),
                kind="structure",
                problem=extent.problem,
            )
        return HiddenContent()
    # PDF readers accept a header anywhere in the first 1,024 bytes: text before it does not make it safe.
    if mime == "application/pdf" or b"%PDF-" in data[:1024]:
        findings = pdf_active_content(data, max_inflated=pdf_max_inflated())
        if not findings.flagged:
            return HiddenContent()
        return HiddenContent(
            reason=f"{describe_pdf(findings)} {KEPT} in a browser; handle it by hand, offline.",
            details={
                "pdf_active_content": {
                    "names": findings.names,
                    "does": findings.active,
                    "disguised_names": findings.obfuscated,
                    "in_compressed_streams": findings.in_compressed_streams,
                    "not_checked": findings.problem or None,
                }
            },
            kind="pdf_active_content",
        )
    return HiddenContent()


def picture_hashes(found: HiddenContent) -> dict:
    """PDQ of the picture part (decoded under analyse_image's guards; nothing kept but the hash)."""
    if not found.image_part:
        return {}
    try:
        image = analyse_image(found.image_part)
    except RejectedFile as rejected:
        return {"image_pdq_error": rejected.reason}
    return {"image_pdq": image.pdq, "image_pdq_quality": image.pdq_quality}


def picture_part(details: dict | None) -> dict:
    """The picture-part hashes recorded at ingest, for matching: {md5, sha1, sha256, pdq, pdq_quality}."""
    trailing = (details or {}).get("trailing_data") or {}
    if not trailing.get("image_sha256"):
        return {}
    return {
        "md5": trailing["image_md5"],
        "sha1": trailing["image_sha1"],
        "sha256": trailing["image_sha256"],
        "pdq": trailing.get("image_pdq", ""),
        "pdq_quality": trailing.get("image_pdq_quality") or 0,
    }


def sender_warning(found: HiddenContent) -> dict | None:
    """An item for the sender (the partner API's `warnings`), in the API's error-item shape."""
    if not found.reason and not found.deferred:
        return None
    if found.kind == "trailing_data":
        extra = found.details["trailing_data"]["trailing_bytes"]
        message = (
            f"The file has {extra:,} bytes of other data after the end of the image. It was kept as received "
            "and will be quarantined: staff are not shown it, only its picture part is matched. The report itself "
            "is unaffected. Send the image without anything appended if you can."
        )
    elif found.kind == "pdf_active_content":
        message = (
            f"{describe_pdf_words(found)} It was kept as received and will be quarantined (never opened in a "
            "browser). The report itself is unaffected. Send a flattened or printed-to-PDF copy if you can."
        )
    else:
        message = (
            f"{found.problem} It was kept as received and will be quarantined (staff are not shown it). "
            "The report itself is unaffected."
        )
    return {"loc": ["body", "file"], "message": message, "type": f"evidence_{found.kind}"}


def describe_pdf_words(found: HiddenContent) -> str:
    info = found.details.get("pdf_active_content", {})
    does = info.get("does") or []
    if does:
        return "The PDF contains content that acts when opened (" + ", ".join(does) + ")."
    return info.get("not_checked") or "The PDF could not be checked."


def warnings_for_stored(*, stored_name: str, content_type: str, size: int) -> list[dict]:
    """Warning items for a sender about a file just sealed in the vault (the partner API's upload answer).

    Reads the stored bytes back (what is checked is what was kept), only for images and PDFs within the
    inspection limit; what ingest will quarantine for hidden content is said here first, in words.
    """
    from .services import max_inspect_bytes  # services imports this module

    if content_type not in IMAGE_TYPES and content_type != "application/pdf":
        return []
    if size > max_inspect_bytes():
        return []  # too large to check automatically: ingest quarantines it and says so on the staff page
    data = Vault().read_plaintext(stored_name, max_bytes=max_inspect_bytes())
    warning = sender_warning(find_hidden_content(data, content_type))
    return [warning] if warning else []


def staff_notes(details: dict | None) -> list[tuple[str, str]]:
    """(label, text) rows for the staff evidence page: what was hidden and what was matched instead."""
    rows = []
    trailing = (details or {}).get("trailing_data")
    if trailing:
        looks = ", ".join(trailing.get("looks_like") or []) or "not a kind of file recognised here"
        rows.append(
            (
                "Hidden content",
                f"{trailing['trailing_bytes']:,} bytes after the end of the image (from byte "
                f"{trailing['image_bytes']:,}); it looks like: {looks}. Not opened.",
            )
        )
        rows.append(("Picture part SHA-256", trailing["image_sha256"]))
        if trailing.get("image_pdq"):
            rows.append(("Picture part PDQ", f"{trailing['image_pdq']} (quality {trailing['image_pdq_quality']})"))
    pdf = (details or {}).get("pdf_active_content")
    if pdf:
        text = "Acts when opened: " + (", ".join(pdf.get("does") or []) or "not determined")
        if pdf.get("names"):
            text += "; names found: " + ", ".join(f"/{name}" for name in pdf["names"])
        if pdf.get("disguised_names"):
            text += "; written disguised with #xx escapes"
        if pdf.get("in_compressed_streams"):
            text += "; hidden inside compressed streams"
        if pdf.get("not_checked"):
            text += f". {pdf['not_checked']}"
        rows.append(("Active content", text + "."))
    return rows
