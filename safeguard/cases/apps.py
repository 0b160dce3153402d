from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "safeguard.cases"
