"""Remove it references (RI-XXXX-XXXX) and secret codes: Crockford's alphabet, as report references use."""

import secrets

from safeguard.reporting.references import ALPHABET

PREFIX = "RI"
_BYTE_TO_CHAR = bytes(ord(ALPHABET[b % 32]) for b in range(256))  # 256 is a multiple of 32: no bias


def new_reference() -> str:
    chars = secrets.token_bytes(8).translate(_BYTE_TO_CHAR).decode()
    return f"{PREFIX}-{chars[:4]}-{chars[4:]}"


def normalise_reference(text: str) -> str:
    """What a person types: any case, spaces or missing dashes, O for 0, I/L for 1. "" if it cannot be one."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if len(cleaned) == 10 and cleaned[:2] in ("RI", "R1", "RL"):  # the prefix, however it was typed
        cleaned = cleaned[2:]
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    if len(cleaned) != 8 or any(ch not in ALPHABET for ch in cleaned):
        return ""
    return f"{PREFIX}-{cleaned[:4]}-{cleaned[4:]}"


def new_secret() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def normalise_secret(text: str) -> str:
    cleaned = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    return cleaned.translate(str.maketrans("OIL", "011"))
