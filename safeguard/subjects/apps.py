from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "safeguard.subjects"
    verbose_name = "Subjects and identifiers"

    def ready(self):
        from safeguard.reporting.intake import IntakeStage, register_stage

        from .linking import store_rows

        # The set path (the referral import): the new reports' identifiers and links (reporting.intake).
        register_stage(IntakeStage(name="subjects", order=20, rows_accepted=store_rows))
