from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "safeguard.reporting"
    label = "reporting"

    def ready(self):
        # The session-expired page offers the way back into the journey, answers kept (core.journeys).
        from safeguard.audit.selectors import References, register_references
        from safeguard.core.journeys import register_session_journey
        from safeguard.core.metrics import register_figures

        from .journey import DRAFT_KEY
        from .metrics import intake_figures
        from .selectors import audit_id_for_reference, references_for_audit

        register_figures(intake_figures)
        register_references(
            References(
                object_type="reporting.report", noun="Report", find=audit_id_for_reference, label=references_for_audit
            )
        )

        register_session_journey(path_prefix="/report/", draft_key=DRAFT_KEY, start_url_name="reporting:start")
