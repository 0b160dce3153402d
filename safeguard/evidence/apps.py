from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class EvidenceConfig(AppConfig):
    name = "safeguard.evidence"
    label = "evidence"
    verbose_name = "Evidence vault"

    def ready(self) -> None:
        from safeguard.core.vault.crypto import configured_keyring

        # Parse the master keys at start-up: a mistyped key should stop the service, not the first upload.
        try:
            configured_keyring()
        except ValueError as error:
            raise ImproperlyConfigured(f"SAFEGUARD_EVIDENCE_KEYS: {error}") from None
