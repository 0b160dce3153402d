import hashlib
import io

import pytest
from django.core.files.storage import InMemoryStorage

from safeguard.core.vault.crypto import EvidenceCryptoError
from safeguard.core.vault.storage import Vault
from safeguard.core.vault.streams import HashingReader

MARKER = b"SYNTHETIC-CHAT-EXPORT: asked to keep the chat secret. " * 2000


def test_put_seals_and_open_plaintext_restores(evidence_dir):
    vault = Vault()
    sealed = vault.put(io.BytesIO(MARKER))
    assert sealed.size == len(MARKER)
    assert sealed.hashes["sha256"] == hashlib.sha256(MARKER).hexdigest()
    assert sealed.hashes["md5"] == hashlib.md5(MARKER).hexdigest()  # noqa: S324 - comparing, not securing
    assert sealed.key_id == "dev-1"
    assert b"".join(vault.open_plaintext(sealed.stored_name)) == MARKER


def test_no_plaintext_reaches_the_disk(evidence_dir):
    Vault().put(io.BytesIO(MARKER))
    files = [p for p in evidence_dir.rglob("*") if p.is_file()]
    assert len(files) == 1
    assert files[0].suffix == ".sgev"
    assert b"SYNTHETIC" not in files[0].read_bytes()


def test_works_with_another_storage_backend():
    vault = Vault(storage=InMemoryStorage())
    sealed = vault.put(io.BytesIO(b"in memory"))
    assert vault.read_plaintext(sealed.stored_name, max_bytes=100) == b"in memory"


def test_too_large_stream_leaves_nothing_behind(evidence_dir):
    with pytest.raises(HashingReader.TooLarge):
        Vault().put(io.BytesIO(bytes(300_000)), max_bytes=100_000)
    assert not [p for p in evidence_dir.rglob("*") if p.is_file()]


def test_damaged_file_raises_on_read(evidence_dir):
    vault = Vault()
    sealed = vault.put(io.BytesIO(MARKER))
    path = evidence_dir / sealed.stored_name
    data = bytearray(path.read_bytes())
    data[-40] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(EvidenceCryptoError):
        vault.read_plaintext(sealed.stored_name, max_bytes=10**7)


def test_read_plaintext_refuses_more_than_asked(evidence_dir):
    vault = Vault()
    sealed = vault.put(io.BytesIO(MARKER))
    with pytest.raises(ValueError, match="larger than"):
        vault.read_plaintext(sealed.stored_name, max_bytes=1000)
