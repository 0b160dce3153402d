from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "safeguard.accounts"
    label = "accounts"

    def ready(self):
        from . import checks  # noqa: F401 (registers the two-factor middleware check)
