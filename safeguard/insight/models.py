"""The pre-aggregated rollup the threat assessment reads (docs/adr/0080).

Reports are counted once into `MonthlyCount` by month x source group x area, and within that by each breakdown
dimension in turn (environment, activity, age band): every dashboard filter (period, region, source) is a
column and every breakdown is a `dimension`, so a page reads a few thousand rows, never the reports.
`PlatformCount` keeps the platforms behind each environment and activity for the emerging-threat analysis.
"""

from django.db import models


class Dimension(models.TextChoices):
    ENVIRONMENT = "environment", "Online environment"
    ACTIVITY = "activity", "Activity"
    AGE_BAND = "age_band", "Victim age band"


class MonthlyCount(models.Model):
    month = models.DateField()  # the first day of the month the report was received
    source = models.CharField(max_length=20)  # dimensions.SourceGroup
    area = models.CharField(max_length=30)  # education Region value, "outside_uk" or "unknown"
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    value = models.CharField(max_length=30)
    reports = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "source", "area", "dimension", "value"], name="insight_monthly_count_key"
            )
        ]
        indexes = [models.Index(fields=["dimension", "month"], name="insight_count_dim_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.source}/{self.area} {self.dimension}={self.value}: {self.reports}"


class PlatformCount(models.Model):
    month = models.DateField()
    dimension = models.CharField(max_length=20, choices=Dimension.choices)  # environment or activity
    value = models.CharField(max_length=30)
    platform_key = models.CharField(max_length=100)  # case and spacing folded, so "Chat Hub" = "chathub"
    platform = models.CharField(max_length=100)  # as first written, for display
    reports = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "dimension", "value", "platform_key"], name="insight_platform_count_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.dimension}={self.value} {self.platform}: {self.reports}"


class RollupState(models.Model):
    """One row: how far the rollup has counted (reports are counted in id order, each exactly once)."""

    last_report_id = models.PositiveBigIntegerField(default=0)
    reports_counted = models.PositiveBigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"rollup up to report {self.last_report_id}"
