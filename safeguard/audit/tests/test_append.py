"""Appending to the chain: one UPDATE .. RETURNING on the head, entries queued to the end of a transaction."""

import pytest
from django.db import transaction

from safeguard.audit.models import Action, AuditChainHead, AuditEntry
from safeguard.audit.services import (
    Actor,
    PendingEntry,
    appended_at_end,
    insert_at_end,
    record,
    record_many,
    verify_chain,
)
from safeguard.partners.models import Partner

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("test")


def test_first_entry_creates_the_head_and_later_ones_follow_it():
    assert not AuditChainHead.objects.exists()
    first = record(action=Action.COLLECTION, actor=SYSTEM, obj=("x.y", "1"))
    second = record(action=Action.CONSULTATION, actor=SYSTEM, obj=("x.y", "1"))
    assert (first.sequence, second.sequence) == (1, 2)
    assert second.previous_hash == first.entry_hash and first.pk and second.pk
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.last_hash) == (2, second.entry_hash)
    assert verify_chain().ok


def test_entries_recorded_in_the_block_are_appended_as_it_ends():
    record(action=Action.COLLECTION, actor=SYSTEM, obj=("x.y", "0"))
    with transaction.atomic(), appended_at_end():
        queued = record(action=Action.COLLECTION, actor=SYSTEM, obj=("x.y", "1"))
        many = record_many([PendingEntry(Action.ALTERATION, SYSTEM, ("x.y", str(n))) for n in (2, 3)])
        assert queued.sequence is None and AuditEntry.objects.count() == 1  # nothing appended yet
    assert [queued.sequence, *(e.sequence for e in many)] == [2, 3, 4]
    assert AuditEntry.objects.get(sequence=2).pk == queued.pk
    assert verify_chain().ok and verify_chain().checked == 4


def test_rows_inserted_at_end_commit_with_the_entries_and_get_their_keys():
    with transaction.atomic(), appended_at_end():
        partner = Partner(name="Riding Along", slug="riding-along")
        insert_at_end(partner)
        record(action=Action.COLLECTION, actor=SYSTEM, obj=("partners.partner", "new"))
        assert partner.pk is None
    assert Partner.objects.get(slug="riding-along").pk == partner.pk
    assert verify_chain().ok


def test_nothing_is_appended_when_the_block_fails():
    with pytest.raises(RuntimeError), transaction.atomic(), appended_at_end():
        record(action=Action.COLLECTION, actor=SYSTEM, obj=("x.y", "1"))
        insert_at_end(Partner(name="Never", slug="never"))
        raise RuntimeError("the work failed")
    assert not AuditEntry.objects.exists() and not Partner.objects.filter(slug="never").exists()


@pytest.mark.django_db(transaction=True)  # no test-case transaction around this one
def test_the_block_needs_a_transaction():
    with pytest.raises(RuntimeError, match="inside a transaction"), appended_at_end():
        pass


def test_a_disclosure_without_recipient_is_refused_at_once_even_when_queued():
    with transaction.atomic(), appended_at_end(), pytest.raises(ValueError, match="recipient"):
        record(action=Action.DISCLOSURE, actor=SYSTEM, obj=("x.y", "1"))


def test_a_big_append_goes_by_the_bulk_path_and_still_verifies():
    record_many([PendingEntry(Action.COLLECTION, SYSTEM, ("x.y", str(n)), {"n": n}) for n in range(450)])
    record(action=Action.CONSULTATION, actor=SYSTEM, obj=("x.y", "1"))
    verdict = verify_chain()
    assert verdict.ok and verdict.checked == 451
