from django.apps import AppConfig


class RemovalConfig(AppConfig):
    name = "safeguard.removal"
    label = "removal"
    verbose_name = "Remove it"

    def ready(self):
        from safeguard.audit.selectors import References, register_references
        from safeguard.core.journeys import register_session_journey

        from .journey import SESSION_KEY
        from .selectors import audit_id_for_reference, references_for_audit

        register_references(
            References(
                object_type="removal.removalrequest",
                noun="Remove it request",
                find=audit_id_for_reference,
                label=references_for_audit,
            )
        )
        register_session_journey(path_prefix="/remove-it/", draft_key=SESSION_KEY, start_url_name="removal:start")
