"""The vault: files encrypted at rest (envelope encryption: AES-256-GCM per file, data keys wrapped by rotatable
master keys) in Django's "evidence" storage, hashed as they are sealed.

Infrastructure, in core so that every app that takes files in (the public journey's screenshots, partner uploads,
evidence) can seal them at once without importing the evidence domain above it (ADR 0096). What a file *is*
(type, PDQ, EXIF, hash-list matches) stays in `safeguard.evidence`.
"""
