from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "safeguard.cases"

    def ready(self) -> None:
        # Cases and operations hold subjects: register them with subjects' deconfliction registry.
        from . import deconfliction  # noqa: F401
