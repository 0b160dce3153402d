from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "safeguard.insight"
