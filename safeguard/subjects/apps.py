from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "safeguard.subjects"
    verbose_name = "Subjects and identifiers"
