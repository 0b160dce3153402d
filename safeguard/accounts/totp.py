"""Reading a TOTP device: its secret as people type it, its QR code, and its current code."""

import time
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps accept it for manual entry (no padding)."""
    return b32encode(device.bin_key).decode().rstrip("=")


def secret_for_reading(device: TOTPDevice) -> str:
    """The same secret in groups of four, easier to copy by hand."""
    secret = secret_base32(device)
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """An inline SVG QR code of the otpauth:// URL: no image request, nothing for a proxy to log."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def current_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The code an authenticator app would show now, or at Unix time `at` (for demo_login and tests)."""
    clock = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    clock.time = time.time() if at is None else at
    return f"{clock.token():0{device.digits}d}"
