from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class EvidenceConfig(AppConfig):
    name = "safeguard.evidence"
    label = "evidence"
    verbose_name = "Evidence vault"

    def ready(self) -> None:
        from safeguard.core.vault.crypto import configured_keyring
        from safeguard.reporting.intake import IntakeStage, register_stage

        from .services import discard_written, ingest_for_intake

        # Parse the master keys at start-up: a mistyped key should stop the service, not the first upload.
        try:
            configured_keyring()
        except ValueError as error:
            raise ImproperlyConfigured(f"SAFEGUARD_EVIDENCE_KEYS: {error}") from None

        # A report's files become evidence in its own transaction (reporting.intake, docs/evidence-wiring.md).
        register_stage(IntakeStage(name="evidence", order=10, files=ingest_for_intake, discard=discard_written))
