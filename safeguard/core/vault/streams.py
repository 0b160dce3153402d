"""Hashing while reading: every sealed file is hashed (SHA-256, SHA-1, MD5) on its way into the vault, and its first
bytes kept for type detection, so a file is read once."""

from __future__ import annotations

import hashlib
import io
from typing import BinaryIO

HEAD_BYTES = 8192  # enough for type detection (filetype needs 261) and text sniffing


class MultiHasher:
    """SHA-256, SHA-1 and MD5 in one pass. MD5 and SHA-1 only because hash lists still use them."""

    def __init__(self) -> None:
        self._hashes = {
            "sha256": hashlib.sha256(),
            "sha1": hashlib.sha1(usedforsecurity=False),
            "md5": hashlib.md5(usedforsecurity=False),
        }
        self.size = 0

    def update(self, data: bytes) -> None:
        for h in self._hashes.values():
            h.update(data)
        self.size += len(data)

    def hexdigests(self) -> dict[str, str]:
        return {name: h.hexdigest() for name, h in self._hashes.items()}


class HashingReader(io.RawIOBase):
    """Passes a stream through, hashing it, counting it and keeping its first bytes for type detection.

    Stops with TooLarge past `max_bytes`, so an endless stream cannot fill the store.
    """

    class TooLarge(Exception):
        pass

    def __init__(self, src: BinaryIO, *, max_bytes: int | None = None) -> None:
        super().__init__()
        self._src = src
        self.hasher = MultiHasher()
        self.head = b""
        self.max_bytes = max_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._src.read(len(buffer))
        if not data:
            return 0
        if len(self.head) < HEAD_BYTES:
            self.head += data[: HEAD_BYTES - len(self.head)]
        self.hasher.update(data)
        if self.max_bytes is not None and self.hasher.size > self.max_bytes:
            raise HashingReader.TooLarge
        size = len(data)
        buffer[:size] = data
        return size


def hash_bytes(data: bytes) -> dict[str, str]:
    hasher = MultiHasher()
    hasher.update(data)
    return hasher.hexdigests()
