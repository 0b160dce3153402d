from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "safeguard.triage"
    label = "triage"

    def ready(self):
        from safeguard.core.metrics import register_figures
        from safeguard.reporting.intake import register_stage

        from .intake_stage import STAGE
        from .metrics import deadline_figures

        register_figures(deadline_figures)
        register_stage(STAGE)
