"""Report references: short, unambiguous to read aloud, and unguessable enough not to enumerate."""

import secrets

# Crockford's base32: no I, L, O or U, so nothing is misread over the phone.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    # 40 random bits, read five at a time: 8 characters, each uniform over the 32. One call to the
    # system's random source rather than eight (batches make thousands of references).
    bits = int.from_bytes(secrets.token_bytes(5), "big")
    chars = "".join(ALPHABET[(bits >> shift) & 31] for shift in range(35, -1, -5))
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
