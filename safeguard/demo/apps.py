from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data that spans the domains (development only). The top layer: it calls every app's services and
    no app imports it."""

    name = "safeguard.demo"
    label = "demo"
