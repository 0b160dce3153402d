from django.apps import AppConfig


class DisseminationConfig(AppConfig):
    name = "safeguard.dissemination"

    def ready(self) -> None:
        # Sent packages hold subjects: register them with subjects' deconfliction registry.
        from . import deconfliction  # noqa: F401
