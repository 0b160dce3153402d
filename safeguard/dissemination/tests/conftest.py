import itertools

import pytest

_counter = itertools.count(1)


@pytest.fixture
def make_recipient(db):
    """A recipient made here so the tests do not depend on the seeded directory's exact contents."""
    from safeguard.routing.models import Recipient, RecipientKind

    def make(name=None, *, kind=RecipientKind.UK_TERRITORIAL, country="GB", code=None):
        n = next(_counter)
        name = name or f"Testshire Constabulary {n}"
        recipient, _ = Recipient.objects.get_or_create(
            code=code or f"test-recipient-{n}",
            defaults={"name": name, "kind": kind, "country": country, "secure_contact": f"sic{n}@example.police.uk"},
        )
        return recipient

    return make


@pytest.fixture
def make_package(make_staff, make_recipient, make_report):
    """A package with one graded item, at the status asked for: draft, approved, sent or acknowledged."""
    from safeguard.dissemination import services

    def make(status="sent", *, recipient=None, preparer=None, approver=None, report=None, **item_fields):
        preparer = preparer or make_staff("analyst")
        recipient = recipient or make_recipient()
        report = report or make_report()
        package = services.create_draft_dissemination(
            actor=preparer, recipient=recipient, report_ids=[report.pk], summary="Synthetic test summary."
        )
        item = {
            "original_text": "An adult account asked a child to keep the chat secret. Source: moderator Jo.",
            "source_evaluation": "2",
            "intelligence_assessment": "B",
            "handling_code": "P",
        } | item_fields
        services.add_item(actor=preparer, package=package, **item)
        if status == "draft":
            return package
        services.approve(actor=approver or make_staff("supervisor"), package=package)
        if status == "approved":
            package.refresh_from_db()
            return package
        services.send(actor=preparer, package=package)
        if status == "acknowledged":
            services.acknowledge(package=package, user=make_staff("force_officer", force=recipient))
        package.refresh_from_db()
        return package

    return make
