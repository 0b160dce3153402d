"""Report references: short, unambiguous to read aloud, and unguessable enough not to enumerate."""

import secrets

# Crockford's base32: no I, L, O or U, so nothing is misread over the phone.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


_BYTE_TO_CHAR = bytes(ord(ALPHABET[b % 32]) for b in range(256))  # 256 is a multiple of 32: no bias


def new_references(count: int) -> set[str]:
    """Up to `count` new references (fewer if two happen to be equal): 8 random characters each, each uniform
    over the 32, from one read of the system's random source (a bulk import makes thousands at once)."""
    chars = secrets.token_bytes(8 * count).translate(_BYTE_TO_CHAR).decode()
    return {f"SG-{chars[i : i + 4]}-{chars[i + 4 : i + 8]}" for i in range(0, 8 * count, 8)}


def new_reference() -> str:
    chars = secrets.token_bytes(8).translate(_BYTE_TO_CHAR).decode()
    return f"SG-{chars[:4]}-{chars[4:]}"


def normalise_reference(text: str) -> str:
    """Accept what a person types: any case, spaces or missing dashes, O for 0, I/L for 1."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    if cleaned.startswith("SG"):
        cleaned = cleaned[2:]
    if len(cleaned) != 8:
        return ""
    return f"SG-{cleaned[:4]}-{cleaned[4:]}"
