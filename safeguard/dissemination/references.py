"""Dissemination references: read aloud to a force over the phone, so the same unambiguous alphabet as reports."""

import secrets

from safeguard.reporting.references import ALPHABET


def new_dissemination_reference() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"DS-{chars[:4]}-{chars[4:]}"
