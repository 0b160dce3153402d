from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "safeguard.reporting"
    label = "reporting"

    def ready(self):
        # The session-expired page offers the way back into the journey, answers kept (core.journeys).
        from safeguard.core.journeys import register_session_journey

        from .journey import DRAFT_KEY

        register_session_journey(path_prefix="/report/", draft_key=DRAFT_KEY, start_url_name="reporting:start")
