from django.apps import AppConfig


class DisseminationConfig(AppConfig):
    name = "safeguard.dissemination"
