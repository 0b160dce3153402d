"""Envelope encryption of evidence files: AES-256-GCM, one random data key per file.

The data key is wrapped (AES-256-GCM) by a master key named by a key id, so rotating master keys
re-wraps a 60-byte key in the header and never touches the content (`rewrap`).
Content is sealed in 64 KiB segments, each its own AEAD message, so memory stays flat however large
the file. A segment's nonce is the file's random prefix + segment counter + a "last segment" flag
(the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár), so reordering, dropping,
truncating or extending segments fails authentication.

Layout (docs/adr/0020-evidence-encryption-at-rest.md):

    magic "SGEV" | version u8 | segment size u32 | nonce prefix 7B      <- fixed part, AAD of every segment
    key id length u8 | key id | wrapped key length u16 | wrapped key   <- replaced by rewrap
    segments: ciphertext + 16-byte tag each; the last one may be short (or empty)
"""

from __future__ import annotations

import base64
import io
import os
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"SGEV"
VERSION = 1
SEGMENT_SIZE = 64 * 1024
TAG_SIZE = 16
NONCE_PREFIX_SIZE = 7
KEY_SIZE = 32
_FIXED = struct.Struct(">4sBI7s")  # magic, version, segment size, nonce prefix
_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_WRAP_CONTEXT = b"safeguard evidence data key v1"


class EvidenceCryptoError(Exception):
    """A stored file could not be opened: wrong or missing key, damaged, truncated or not ours."""


@dataclass(frozen=True)
class Keyring:
    """Master keys by id. The current key wraps new files; the others still open older ones."""

    keys: dict[str, bytes]
    current_id: str

    @classmethod
    def parse(cls, text: str) -> Keyring:
        """From "kid:base64key,kid2:base64key" (the first is current), as SAFEGUARD_EVIDENCE_KEYS holds."""
        keys: dict[str, bytes] = {}
        order: list[str] = []
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            kid, sep, encoded = item.partition(":")
            if not sep or not _KEY_ID.match(kid):
                raise ValueError(f"evidence key {kid!r}: write each key as id:base64, id of letters, digits, ._-")
            try:
                key = base64.b64decode(encoded, validate=True)
            except ValueError:
                raise ValueError(f"evidence key {kid!r}: the key is not valid base64") from None
            if len(key) != KEY_SIZE:
                raise ValueError(f"evidence key {kid!r}: must be {KEY_SIZE} bytes (256 bits), not {len(key)}")
            if kid in keys:
                raise ValueError(f"evidence key {kid!r} is listed twice")
            keys[kid] = key
            order.append(kid)
        if not order:
            raise ValueError("no evidence master key configured")
        return cls(keys=keys, current_id=order[0])

    def key(self, kid: str) -> bytes:
        try:
            return self.keys[kid]
        except KeyError:
            raise EvidenceCryptoError(f"master key {kid!r} is not configured") from None


def generate_key_text(kid: str) -> str:
    """A new master key in the configuration format, for operators."""
    return f"{kid}:{base64.b64encode(os.urandom(KEY_SIZE)).decode()}"


@dataclass(frozen=True)
class Header:
    fixed: bytes  # magic, version, segment size, nonce prefix: authenticated with every segment
    segment_size: int
    nonce_prefix: bytes
    key_id: str
    wrapped_key: bytes

    def to_bytes(self) -> bytes:
        kid = self.key_id.encode()
        return (
            self.fixed + struct.pack(">B", len(kid)) + kid + struct.pack(">H", len(self.wrapped_key)) + self.wrapped_key
        )


def _wrap(data_key: bytes, *, keyring: Keyring, kid: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(keyring.key(kid)).encrypt(nonce, data_key, _WRAP_CONTEXT + kid.encode())


def _unwrap(header: Header, keyring: Keyring) -> bytes:
    nonce, sealed = header.wrapped_key[:12], header.wrapped_key[12:]
    try:
        return AESGCM(keyring.key(header.key_id)).decrypt(nonce, sealed, _WRAP_CONTEXT + header.key_id.encode())
    except InvalidTag:
        raise EvidenceCryptoError(f"the data key does not open with master key {header.key_id!r}") from None


def _read_exact(src: BinaryIO, size: int) -> bytes:
    buf = bytearray()
    while len(buf) < size:
        chunk = src.read(size - len(buf))
        if not chunk:
            break
        buf += chunk
    return bytes(buf)


def read_header(src: BinaryIO) -> Header:
    fixed = _read_exact(src, _FIXED.size)
    if len(fixed) < _FIXED.size:
        raise EvidenceCryptoError("not an evidence file: too short for a header")
    magic, version, segment_size, prefix = _FIXED.unpack(fixed)
    if magic != MAGIC:
        raise EvidenceCryptoError("not an evidence file: wrong magic bytes")
    if version != VERSION:
        raise EvidenceCryptoError(f"unsupported evidence file version {version}")
    if not 0 < segment_size <= 16 * 1024 * 1024:
        raise EvidenceCryptoError("damaged header: implausible segment size")
    (kid_len,) = struct.unpack(">B", _read_exact(src, 1) or b"\0")
    kid = _read_exact(src, kid_len)
    length_bytes = _read_exact(src, 2)
    if len(kid) != kid_len or len(length_bytes) != 2:
        raise EvidenceCryptoError("damaged header: truncated")
    (wrapped_len,) = struct.unpack(">H", length_bytes)
    wrapped = _read_exact(src, wrapped_len)
    if len(wrapped) != wrapped_len:
        raise EvidenceCryptoError("damaged header: truncated wrapped key")
    try:
        key_id = kid.decode("ascii")
    except UnicodeDecodeError:
        raise EvidenceCryptoError("damaged header: key id is not ASCII") from None
    return Header(fixed, segment_size, prefix, key_id, wrapped)


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    if counter >= 2**32:
        raise EvidenceCryptoError("file too large for one evidence container")
    return prefix + struct.pack(">IB", counter, 1 if last else 0)


class EncryptingReader(io.RawIOBase):
    """Reads as the sealed form of `src`, computed as it is read: hand it to Storage.save()."""

    def __init__(self, src: BinaryIO, *, keyring: Keyring, segment_size: int = SEGMENT_SIZE) -> None:
        super().__init__()
        self._src = src
        self._segment_size = segment_size
        data_key = AESGCM.generate_key(bit_length=256)
        self._aead = AESGCM(data_key)
        prefix = os.urandom(NONCE_PREFIX_SIZE)
        fixed = _FIXED.pack(MAGIC, VERSION, segment_size, prefix)
        self.header = Header(
            fixed, segment_size, prefix, keyring.current_id, _wrap(data_key, keyring=keyring, kid=keyring.current_id)
        )
        self._pending = bytearray(self.header.to_bytes())
        self._counter = 0
        self._lookahead: bytes | None = _read_exact(src, segment_size)
        self._done = False

    def readable(self) -> bool:
        return True

    def _seal_next(self) -> None:
        current = self._lookahead or b""
        following = _read_exact(self._src, self._segment_size) if len(current) == self._segment_size else b""
        last = not following
        nonce = _nonce(self.header.nonce_prefix, self._counter, last)
        self._pending += self._aead.encrypt(nonce, current, self.header.fixed)
        self._counter += 1
        self._lookahead = following
        self._done = last

    def readinto(self, buffer) -> int:
        while not self._pending and not self._done:
            self._seal_next()
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        del self._pending[:size]
        return size


def encrypt_stream(src: BinaryIO, dst: BinaryIO, *, keyring: Keyring, segment_size: int = SEGMENT_SIZE) -> Header:
    reader = EncryptingReader(src, keyring=keyring, segment_size=segment_size)
    while chunk := reader.read(1024 * 1024):
        dst.write(chunk)
    return reader.header


def decrypt_chunks(src: BinaryIO, *, keyring: Keyring) -> Iterator[bytes]:
    """Plaintext, one segment at a time. Raises EvidenceCryptoError on any damage, including truncation.

    A caller must not act on the plaintext until the iterator has finished cleanly: the last segment's
    check is what proves nothing was cut off.
    """
    header = read_header(src)
    aead = AESGCM(_unwrap(header, keyring))
    sealed_size = header.segment_size + TAG_SIZE
    counter = 0
    current = _read_exact(src, sealed_size)
    while True:
        following = _read_exact(src, sealed_size) if len(current) == sealed_size else b""
        last = not following
        if len(current) < TAG_SIZE:
            raise EvidenceCryptoError("damaged or truncated: a segment is shorter than its tag")
        try:
            yield aead.decrypt(_nonce(header.nonce_prefix, counter, last), current, header.fixed)
        except InvalidTag:
            raise EvidenceCryptoError(f"damaged or truncated: segment {counter} fails authentication") from None
        if last:
            return
        counter += 1
        current = following


def decrypt_bytes(sealed: bytes, *, keyring: Keyring) -> bytes:
    return b"".join(decrypt_chunks(io.BytesIO(sealed), keyring=keyring))


def encrypt_bytes(plain: bytes, *, keyring: Keyring, segment_size: int = SEGMENT_SIZE) -> bytes:
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(plain), out, keyring=keyring, segment_size=segment_size)
    return out.getvalue()


def rewrap(src: BinaryIO, dst: BinaryIO, *, keyring: Keyring) -> Header:
    """Copy a sealed file with its data key re-wrapped under the current master key.

    Only the header changes; the content ciphertext is copied byte for byte, never decrypted.
    """
    old = read_header(src)
    data_key = _unwrap(old, keyring)
    kid = keyring.current_id
    new = Header(old.fixed, old.segment_size, old.nonce_prefix, kid, _wrap(data_key, keyring=keyring, kid=kid))
    dst.write(new.to_bytes())
    while chunk := src.read(1024 * 1024):
        dst.write(chunk)
    return new


_keyring_cache: dict[str, Keyring] = {}


def configured_keyring() -> Keyring:
    """The keyring from settings.SAFEGUARD_EVIDENCE_KEYS (parsed once per distinct value)."""
    from django.conf import settings

    text = settings.SAFEGUARD_EVIDENCE_KEYS
    if text not in _keyring_cache:
        _keyring_cache[text] = Keyring.parse(text)
    return _keyring_cache[text]
