import base64
import io
import os

import pytest

from safeguard.core.vault import crypto
from safeguard.core.vault.crypto import EvidenceCryptoError, Keyring

OLD = Keyring.parse(f"old:{base64.b64encode(b'o' * 32).decode()}")
NEW_TEXT = f"new:{base64.b64encode(b'n' * 32).decode()},old:{base64.b64encode(b'o' * 32).decode()}"
BOTH = Keyring.parse(NEW_TEXT)
NEW_ONLY = Keyring.parse(f"new:{base64.b64encode(b'n' * 32).decode()}")
SEGMENT = 64  # small segments so a few bytes span several


@pytest.mark.parametrize("size", [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT, 3 * SEGMENT + 7])
def test_round_trip_at_every_segment_boundary(size):
    plain = os.urandom(size)
    sealed = crypto.encrypt_bytes(plain, keyring=OLD, segment_size=SEGMENT)
    assert crypto.decrypt_bytes(sealed, keyring=OLD) == plain
    assert plain[:16] not in sealed[40:] or size < 16


def test_default_segments_handle_a_large_stream_in_pieces():
    plain = os.urandom(3 * crypto.SEGMENT_SIZE + 5)
    sealed = io.BytesIO()
    crypto.encrypt_stream(io.BytesIO(plain), sealed, keyring=OLD)
    sealed.seek(0)
    parts = list(crypto.decrypt_chunks(sealed, keyring=OLD))
    assert len(parts) == 4
    assert b"".join(parts) == plain


def test_header_names_the_key_and_each_file_has_its_own_data_key():
    a = crypto.encrypt_bytes(b"same content", keyring=OLD)
    b = crypto.encrypt_bytes(b"same content", keyring=OLD)
    assert a[:4] == b"SGEV"
    assert crypto.read_header(io.BytesIO(a)).key_id == "old"
    assert a != b


def _sealed(size=3 * SEGMENT + 10):
    return bytearray(crypto.encrypt_bytes(os.urandom(size), keyring=OLD, segment_size=SEGMENT))


def _header_length(sealed) -> int:
    return len(crypto.read_header(io.BytesIO(bytes(sealed))).to_bytes())


def test_a_changed_byte_is_detected():
    sealed = _sealed()
    sealed[_header_length(sealed) + 5] ^= 1
    with pytest.raises(EvidenceCryptoError, match="segment 0"):
        crypto.decrypt_bytes(bytes(sealed), keyring=OLD)


def test_truncation_at_a_segment_boundary_is_detected():
    sealed = _sealed()
    cut = _header_length(sealed) + 2 * (SEGMENT + 16)  # drop the last segment exactly
    with pytest.raises(EvidenceCryptoError, match="segment 1"):
        crypto.decrypt_bytes(bytes(sealed[:cut]), keyring=OLD)


def test_truncation_inside_a_segment_is_detected():
    sealed = _sealed()
    with pytest.raises(EvidenceCryptoError):
        crypto.decrypt_bytes(bytes(sealed[:-3]), keyring=OLD)


def test_appended_data_is_detected():
    sealed = _sealed(2 * SEGMENT)
    with pytest.raises(EvidenceCryptoError):
        crypto.decrypt_bytes(bytes(sealed) + bytes(SEGMENT + 16), keyring=OLD)


def test_a_changed_header_is_detected():
    sealed = _sealed()
    sealed[9] ^= 1  # inside the nonce prefix, authenticated with every segment
    with pytest.raises(EvidenceCryptoError):
        crypto.decrypt_bytes(bytes(sealed), keyring=OLD)


def test_wrong_or_missing_master_key():
    sealed = bytes(_sealed())
    with pytest.raises(EvidenceCryptoError, match="not configured"):
        crypto.decrypt_bytes(sealed, keyring=NEW_ONLY)
    impostor = Keyring.parse(f"old:{base64.b64encode(b'x' * 32).decode()}")
    with pytest.raises(EvidenceCryptoError, match="does not open"):
        crypto.decrypt_bytes(sealed, keyring=impostor)


def test_not_an_evidence_file():
    with pytest.raises(EvidenceCryptoError, match="magic"):
        crypto.decrypt_bytes(b"PK\x03\x04" + bytes(100), keyring=OLD)
    with pytest.raises(EvidenceCryptoError, match="too short"):
        crypto.decrypt_bytes(b"SG", keyring=OLD)


def test_rewrap_changes_only_the_header():
    plain = os.urandom(5 * SEGMENT + 3)
    sealed = crypto.encrypt_bytes(plain, keyring=OLD, segment_size=SEGMENT)
    out = io.BytesIO()
    header = crypto.rewrap(io.BytesIO(sealed), out, keyring=BOTH)
    rewrapped = out.getvalue()

    assert header.key_id == "new"
    old_header_len = _header_length(sealed)
    new_header_len = _header_length(rewrapped)
    # The content ciphertext is byte-for-byte the same: nothing was re-encrypted.
    assert rewrapped[new_header_len:] == sealed[old_header_len:]
    assert rewrapped[:new_header_len] != sealed[:old_header_len]
    # And the old master key is no longer needed to read it.
    assert crypto.decrypt_bytes(rewrapped, keyring=NEW_ONLY) == plain


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no evidence master key"),
        ("justbase64", "id:base64"),
        ("k1:not-base64!!", "not valid base64"),
        (f"k1:{base64.b64encode(b'short').decode()}", "32 bytes"),
        (f"k1:{base64.b64encode(bytes(32)).decode()},k1:{base64.b64encode(bytes(32)).decode()}", "twice"),
    ],
)
def test_keyring_configuration_errors_are_specific(text, message):
    with pytest.raises(ValueError, match=message):
        Keyring.parse(text)


def test_first_key_is_current_and_generated_keys_parse():
    assert BOTH.current_id == "new"
    assert Keyring.parse(crypto.generate_key_text("k2")).current_id == "k2"


def test_settings_provide_a_development_key():
    assert crypto.configured_keyring().current_id == "dev-1"


def test_new_evidence_key_command(capsys):
    from django.core.management import CommandError, call_command

    call_command("new_evidence_key", "2026-11")
    assert Keyring.parse(capsys.readouterr().out.strip()).current_id == "2026-11"
    with pytest.raises(CommandError, match="key id"):
        call_command("new_evidence_key", "bad id!")
