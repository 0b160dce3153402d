"""Property-based run of the served OpenAPI document: no 5xx, every response fits the schema.

Runs in the normal suite with a small example budget per operation and mode (about a minute in
all). Schemathesis' own pytest plugin (`from_fixture`) does not work with pytest 9 yet, so the
operations are driven here with Hypothesis directly.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection

from safeguard.partners.models import Partner

from .conftest import make_key, make_partner

EXAMPLES_PER_OPERATION = 15


@pytest.fixture
def partner_key(db):
    partner = make_partner(slug="fuzz", name="Fuzz Test Partner")
    Partner.objects.filter(pk=partner.pk).update(requests_per_minute=1_000_000, daily_quota=10_000_000)
    return make_key(partner).plaintext


@pytest.fixture
def keep_test_connection():
    """The bare WSGI app closes database connections after each request (Django's test Client does
    not); on PostgreSQL that would close the test's transaction under it."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("keep_test_connection")
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_schema(partner_key, mode):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 8
    headers = {"Authorization": f"Bearer {partner_key}"}
    for operation in operations:
        # The batch and the match report accept the good items of a partly bad list by design (per-item
        # results), so "a schema-violating request must be rejected" does not apply to them.
        per_item = operation.path.endswith(("/batch", "/hashes/matches"))
        excluded = [negative_data_rejection] if per_item else []
        _explore(operation, mode, headers, excluded)


def _explore(operation, mode, headers, excluded):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def check(case):
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    check()
