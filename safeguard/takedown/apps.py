from django.apps import AppConfig


class TakedownConfig(AppConfig):
    name = "safeguard.takedown"
    label = "takedown"
    verbose_name = "Notice and takedown"
