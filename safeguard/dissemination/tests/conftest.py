import pytest


@pytest.fixture
def make_recipient(db):
    """A recipient made here so the tests do not depend on the seeded directory's exact contents."""
    import itertools

    from safeguard.routing.models import Recipient, RecipientKind

    counter = itertools.count(1)

    def make(name=None, *, kind=RecipientKind.UK_TERRITORIAL, country="GB", code=None):
        n = next(counter)
        name = name or f"Testshire Constabulary {n}"
        recipient, _ = Recipient.objects.get_or_create(
            code=code or f"test-recipient-{n}-{kind}",
            defaults={"name": name, "kind": kind, "country": country, "secure_contact": f"sic{n}@example.police.uk"},
        )
        return recipient

    return make
