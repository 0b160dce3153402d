"""Reports made straight into the table, for tests of everything but intake and triage (data-hub-api's
`test/factories.py` style, factory_boy). No priority scoring, no triage task, no audit entry: a test that is about
those uses `make_report` (the real intake pipeline) instead."""

import factory
from factory.django import DjangoModelFactory

from safeguard.reporting.models import Report, Source
from safeguard.reporting.references import ALPHABET


def _reference(n: int) -> str:
    chars = "".join(ALPHABET[(n >> shift) & 31] for shift in range(35, -1, -5))
    return f"SG-{chars[:4]}-{chars[4:]}"


class ReportFactory(DjangoModelFactory):
    class Meta:
        model = Report

    reference = factory.Sequence(lambda n: _reference(n + 1))
    source = Source.PUBLIC_WEB
    account = "Someone in a game chat asked to keep their messages secret."
    platform_name = "PixelQuest"
