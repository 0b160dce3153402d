from django.apps import AppConfig


class WantedConfig(AppConfig):
    name = "safeguard.wanted"
    verbose_name = "Most Wanted"

    def ready(self):
        # Public pages are cached until a record changes (page_cache.py, ADR 0094).
        from .page_cache import connect_signals

        connect_signals()
