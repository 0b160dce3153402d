from django.apps import AppConfig


class WantedConfig(AppConfig):
    name = "safeguard.wanted"
    verbose_name = "Most Wanted"
