"""Screenshots from the public: checked from their bytes, sealed at once, joined to a report later.

A file added on the screenshots page is sealed straight away into the evidence vault
(`safeguard.core.vault.storage.Vault`, encrypted per file) under `pending/`, so it survives page loads
without JavaScript and is never on disk in plaintext, not even as an upload temp file (the view reads
uploads into memory only, bounded by the size limit). Its metadata lives in the session draft. On
submission the sealed bytes are copied to their final place (`reports/`) and ingested as evidence
(hashes, type, PDQ, hash-list matching) inside create_report; if the person never submits,
`purge_stale_pending_uploads` removes it later.
"""

import io
import logging
import warnings
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.files.storage import storages
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from PIL import Image

from safeguard.core.file_structure import image_extent, pdf_active_content, trailing_bytes
from safeguard.core.vault.storage import Vault

from .forms import strip_control_chars
from .intake import StoredUpload

logger = logging.getLogger(__name__)

PENDING_DIR = "pending"
FINAL_DIR = "reports"

# Detected type -> (usual extension, the Pillow formats it may decode as; none for PDFs).
# Phone cameras write JPEGs that Pillow reads as MPO (multi-picture JPEG).
ALLOWED_TYPES: dict[str, tuple[str, frozenset[str]]] = {
    "image/jpeg": ("jpg", frozenset({"JPEG", "MPO"})),
    "image/png": ("png", frozenset({"PNG"})),
    "image/gif": ("gif", frozenset({"GIF"})),
    "image/webp": ("webp", frozenset({"WEBP"})),
    "application/pdf": ("pdf", frozenset()),
}
# A screenshot is a few megapixels; anything far larger is more likely a decompression bomb.
MAX_IMAGE_PIXELS = 40_000_000


class UploadRejected(ValueError):
    """The file was not accepted. The message is for the person who chose it."""


def human_size(num_bytes: int) -> str:
    if num_bytes >= 1024 * 1024:
        return f"{num_bytes / (1024 * 1024):g} MB"
    if num_bytes >= 1024:
        return f"{num_bytes / 1024:g} KB"
    return f"{num_bytes} bytes"


def too_big_message() -> str:
    return f"The file must be smaller than {human_size(settings.SAFEGUARD_MAX_UPLOAD_BYTES)}"


def too_many_message() -> str:
    n = settings.SAFEGUARD_MAX_UPLOADS_PER_REPORT
    return f"You can add up to {n} files. Remove one if you want to add another"


WRONG_TYPE_MESSAGE = "The file must be a JPG, PNG, GIF, WebP or PDF"


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading a file part once it passes the limit, so a huge upload never reaches the disk.

    The file is skipped (not in request.FILES) and `request.upload_too_big` is set, so the view can
    say why instead of treating it as "no file chosen".
    """

    def __init__(self, request=None, limit: int | None = None):
        super().__init__(request)
        self.limit = limit if limit is not None else settings.SAFEGUARD_MAX_UPLOAD_BYTES
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.upload_too_big = True  # type: ignore[union-attr]  # a flag the upload view reads
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None


class MemoryOnlyUploadHandler(FileUploadHandler):
    """Keeps every file part in memory, whatever the request's size, so no plaintext temp file is written.

    Django's own MemoryFileUploadHandler steps aside for large requests and lets the temporary-file
    handler spool them to disk; evidence must never be on disk unsealed. Put SizeLimitUploadHandler
    in front: it bounds what this one holds.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file = io.BytesIO()

    def receive_data_chunk(self, raw_data, start):
        self.file.write(raw_data)
        return None  # consumed: nothing further down the chain sees the bytes

    def file_complete(self, file_size):
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def use_memory_only_upload_handlers(request) -> None:
    """For views that receive evidence: bounded by the upload limit, held in memory, never spooled.

    Must run before anything reads request.POST or request.FILES.
    """
    request.upload_handlers = [SizeLimitUploadHandler(request), MemoryOnlyUploadHandler(request)]


def clean_original_name(name: str) -> str:
    """Keep the name a person recognises, without paths or hidden characters."""
    base = PurePath(strip_control_chars(name or "").replace("\\", "/")).name.strip()
    base = base.replace("\n", " ").replace("\t", " ")
    return (base or "file")[:255]


def _check_image(upload, expected_formats: frozenset[str]) -> None:
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise UploadRejected("The picture is too large. Take a smaller screenshot and try again")
                if image.format not in expected_formats:
                    raise UploadRejected(WRONG_TYPE_MESSAGE)
                image.load()  # decode it all: a truncated or corrupt file fails here, not in front of staff
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UploadRejected("The picture is too large. Take a smaller screenshot and try again") from exc
    except Exception as exc:  # Pillow raises many types for damaged files
        raise UploadRejected("The file could not be opened. It may be damaged: try saving it again") from exc


def store_pending_upload(upload, *, already_added: int) -> StoredUpload:
    """Check one uploaded file and write it under pending/. Raises UploadRejected with a message."""
    if already_added >= settings.SAFEGUARD_MAX_UPLOADS_PER_REPORT:
        raise UploadRejected(too_many_message())
    if upload.size == 0:
        raise UploadRejected("The file is empty. Choose a different file")
    if upload.size > settings.SAFEGUARD_MAX_UPLOAD_BYTES:
        raise UploadRejected(too_big_message())

    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise UploadRejected(WRONG_TYPE_MESSAGE)
    _extension, pillow_formats = ALLOWED_TYPES[kind.mime]
    if pillow_formats:
        _check_image(upload, pillow_formats)

    note = hidden_content_note(upload, kind.mime)
    upload.seek(0)
    sealed = Vault().put(upload, kind=PENDING_DIR, max_bytes=settings.SAFEGUARD_MAX_UPLOAD_BYTES)
    return StoredUpload(
        stored_name=sealed.stored_name,
        original_name=clean_original_name(upload.name),
        content_type=kind.mime,
        size=sealed.size,
        sha256=sealed.hashes["sha256"],
        note=note,
    )


HIDDEN_DATA_NOTE = (
    "This file has something extra attached after the picture. We will still send it with your report, "
    "but our team will check it carefully by hand before anyone opens it."
)
ACTIVE_PDF_NOTE = (
    "This PDF has parts that can run by themselves when it is opened. We will still send it with your report, "
    "but our team will check it carefully by hand before anyone opens it."
)


def hidden_content_note(upload, mime: str) -> str:
    """What to tell the person when a file hides other content (ADR 0101). The file is still taken: evidence
    quarantines it on submission, and the report goes ahead whatever the file holds."""
    upload.seek(0)
    data = upload.read(settings.SAFEGUARD_MAX_UPLOAD_BYTES + 1)
    if mime == "application/pdf":
        return ACTIVE_PDF_NOTE if pdf_active_content(data).flagged else ""
    return HIDDEN_DATA_NOTE if trailing_bytes(data, image_extent(data, mime)) else ""


def to_session(upload: StoredUpload) -> dict:
    return asdict(upload)


def from_session(data: dict) -> StoredUpload:
    return StoredUpload(**data)


def is_pending_name(name: str) -> bool:
    """Only names we made under pending/ are ever deleted or copied on a session's say-so.

    The vault names them pending/ab/cd/<32 hex>.sgev; older drafts may still hold pending/<name>.
    """
    parts = PurePath(name).parts
    return len(parts) in (2, 4) and parts[0] == PENDING_DIR and ".." not in parts and "." not in parts


def discard_pending(uploads: list[StoredUpload]) -> None:
    storage = storages["evidence"]
    for upload in uploads:
        if not is_pending_name(upload.stored_name):
            continue
        try:
            storage.delete(upload.stored_name)
        except OSError:
            logger.exception("Could not remove pending upload %s", upload.stored_name)


def promote_pending(uploads: list[StoredUpload]) -> list[StoredUpload]:
    """Copy pending files to their final place; the pending copies stay until the report commits.

    Copying, not moving, means a failed submission loses nothing: the draft still points at its
    pending files and the person can try again.
    """
    storage = storages["evidence"]
    promoted: list[StoredUpload] = []
    today = datetime.now(UTC)
    try:
        for upload in uploads:
            if not is_pending_name(upload.stored_name) or not storage.exists(upload.stored_name):
                raise FileNotFoundError(upload.stored_name)
            # The sealed bytes are copied as they are: the copy opens with the same wrapped key.
            final_name = f"{FINAL_DIR}/{today:%Y/%m}/{PurePath(upload.stored_name).name}"
            with storage.open(upload.stored_name, "rb") as source:
                saved = storage.save(final_name, source)
            promoted.append(StoredUpload(**{**asdict(upload), "stored_name": saved}))
    except Exception:
        for done in promoted:
            storage.delete(done.stored_name)
        raise
    return promoted


def purge_stale_pending_uploads(*, older_than: timedelta = timedelta(hours=24)) -> int:
    """Delete pending files nobody submitted. Returns how many were removed.

    Drafts live in the session (8 hours at most), so a pending file older than a day belongs to no
    one. Run it from the `purge_pending_uploads` command on a schedule.
    """
    storage = storages["evidence"]
    if not storage.exists(PENDING_DIR):
        return 0
    cutoff = datetime.now(UTC) - older_than
    removed = 0
    for name in _files_under(storage, PENDING_DIR):
        try:
            if storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                removed += 1
        except FileNotFoundError:
            continue  # removed by a submission meanwhile
    if removed:
        logger.info("Removed %d stale pending upload(s)", removed)
    return removed


def _files_under(storage, folder: str, depth: int = 2):
    """File names under folder and its vault fan-out folders (pending/ab/cd/...), through the Storage API."""
    dirs, files = storage.listdir(folder)
    yield from (f"{folder}/{filename}" for filename in files)
    if depth:
        for sub in dirs:
            yield from _files_under(storage, f"{folder}/{sub}", depth - 1)
