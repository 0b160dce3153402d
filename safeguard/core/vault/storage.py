"""The vault: sealed files in Django's "evidence" storage, so any Storage backend (local disk, S3) will do.

Plaintext is never written anywhere: `put` encrypts while the storage backend reads, and `open_plaintext`
decrypts while the caller reads.
"""

from __future__ import annotations

import contextlib
import io
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, cast

from django.core.files import File
from django.core.files.storage import Storage, storages

from . import crypto
from .streams import HashingReader


@dataclass(frozen=True)
class SealedFile:
    stored_name: str
    key_id: str
    size: int
    hashes: dict[str, str]  # sha256, sha1, md5 of the plaintext
    head: bytes  # the first bytes of the plaintext, for type detection


class Vault:
    def __init__(self, *, storage: Storage | None = None, keyring: crypto.Keyring | None = None) -> None:
        self.storage = storage if storage is not None else storages["evidence"]
        self.keyring = keyring if keyring is not None else crypto.configured_keyring()

    @staticmethod
    def _new_name(kind: str) -> str:
        # Random and content-free: a listing of the store reveals nothing about what it holds.
        token = secrets.token_hex(16)
        return f"{kind}/{token[:2]}/{token[2:4]}/{token}.sgev"

    def put(self, stream: BinaryIO, *, kind: str = "files", max_bytes: int | None = None) -> SealedFile:
        """Seal and store a stream, hashing it on the way. Raises HashingReader.TooLarge past max_bytes
        (nothing is left stored then)."""
        tap = HashingReader(stream, max_bytes=max_bytes)
        reader = crypto.EncryptingReader(cast(BinaryIO, tap), keyring=self.keyring)
        name = self._new_name(kind)
        try:
            stored_name = self.storage.save(name, File(cast(BinaryIO, reader), name=name))
        except HashingReader.TooLarge:
            self.delete_quietly(name)
            raise
        return SealedFile(
            stored_name=stored_name,
            key_id=reader.header.key_id,
            size=tap.hasher.size,
            hashes=tap.hasher.hexdigests(),
            head=tap.head,
        )

    def put_bytes(self, data: bytes, *, kind: str = "files") -> SealedFile:
        return self.put(io.BytesIO(data), kind=kind)

    def open_plaintext(self, stored_name: str) -> Iterator[bytes]:
        """The plaintext in segments. Raises crypto.EvidenceCryptoError on damage, at the damaged segment."""
        with self.storage.open(stored_name, "rb") as sealed:
            yield from crypto.decrypt_chunks(cast(BinaryIO, sealed), keyring=self.keyring)

    def read_plaintext(self, stored_name: str, *, max_bytes: int) -> bytes:
        """The whole plaintext in memory (for decoding an image), refused beyond max_bytes."""
        parts, total = [], 0
        for part in self.open_plaintext(stored_name):
            total += len(part)
            if total > max_bytes:
                raise ValueError(f"{stored_name} is larger than {max_bytes} bytes")
            parts.append(part)
        return b"".join(parts)

    def key_id_of(self, stored_name: str) -> str:
        with self.storage.open(stored_name, "rb") as sealed:
            return crypto.read_header(cast(BinaryIO, sealed)).key_id

    def rewrap(self, stored_name: str) -> tuple[str, str]:
        """Re-wrap a file's data key under the current master key: (new stored name, key id).

        Storage has no in-place rewrite, so the re-headed copy is saved under a new name first and the
        caller switches its record over before the old copy is deleted (delete_quietly).
        """
        out = io.BytesIO()
        with self.storage.open(stored_name, "rb") as sealed:
            header = crypto.rewrap(cast(BinaryIO, sealed), out, keyring=self.keyring)
        out.seek(0)
        kind = stored_name.split("/", 1)[0] if "/" in stored_name else "files"
        new_name = self._new_name(kind)
        return self.storage.save(new_name, File(out, name=new_name)), header.key_id

    def delete_quietly(self, stored_name: str) -> None:
        with contextlib.suppress(OSError):
            self.storage.delete(stored_name)
