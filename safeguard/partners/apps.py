from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PartnersConfig(AppConfig):
    name = "safeguard.partners"
    label = "partners"
    verbose_name = "Industry partners"

    def ready(self) -> None:
        from safeguard.reporting import entry_context

        from .button import prefill_for_step, verify_context
        from .models import ApiKey, Partner

        # The public journey accepts a signed Report Abuse button context (reporting.entry_context, ADR 0013).
        entry_context.register(entry_context.EntryContext(verify=verify_context, prefill=prefill_for_step))

        # A key revoked or a partner suspended or given new limits in this process takes effect here at
        # once; other processes see it when their short-lived copy runs out (keys.py, limits.py, ADR 0016).
        for model in (ApiKey, Partner):
            for signal in (post_save, post_delete):
                signal.connect(_forget_keys, sender=model, dispatch_uid=f"partners.forget_keys.{model.__name__}")


def _forget_keys(**kwargs) -> None:
    from .keys import forget_cached_keys
    from .limits import forget_leases

    forget_cached_keys()
    forget_leases()  # a partner's limits may have changed
