from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "safeguard.routing"
