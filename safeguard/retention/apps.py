from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "safeguard.retention"
