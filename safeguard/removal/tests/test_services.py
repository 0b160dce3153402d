"""Remove it services: a request with its codes, replays, more codes, withdrawal, checking, all audited."""

import re

import pytest

from safeguard.audit.models import Action, AuditEntry
from safeguard.removal import services
from safeguard.removal.models import RemovalRequest
from safeguard.removal.references import normalise_reference

from .conftest import image_item, video_item

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r"^RI-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def _entries(removal):
    return list(AuditEntry.objects.filter(object_type="removal.removalrequest", object_id=str(removal.pk)))


def test_submit_makes_a_request_with_an_unambiguous_reference_and_a_hashed_secret(fake_list):
    sent = services.submit(items=[image_item(1), video_item(2)], threatened=False, form_token="t1")
    removal = sent.removal
    assert REFERENCE.match(removal.reference)
    assert removal.item_count == 2
    assert sent.secret and sent.secret.replace("-", "") not in removal.secret_hash
    assert removal.secret_hash.startswith("hmac-sha256$")
    assert len(fake_list.active[removal.reference]) == 2
    (entry,) = _entries(removal)
    assert entry.action == Action.COLLECTION
    assert entry.detail["codes"] == 2 and entry.detail["kinds"] == {"image": 1, "video": 1}
    assert image_item(1)["md5"] not in str(entry.detail)  # counts, never the codes themselves


def test_the_same_form_posted_twice_makes_one_request():
    first = services.submit(items=[image_item(1)], threatened=False, form_token="same-token")
    again = services.submit(items=[image_item(1)], threatened=False, form_token="same-token")
    assert again.replayed and again.removal.pk == first.removal.pk and again.secret == ""
    assert RemovalRequest.objects.count() == 1


def test_bad_codes_store_nothing_and_say_which_picture(fake_list):
    with pytest.raises(services.RemovalError) as refused:
        services.submit(items=[image_item(1), {**image_item(2), "md5": "nope"}], threatened=False, form_token="x")
    assert refused.value.code == "bad_md5" and refused.value.index == 1
    assert RemovalRequest.objects.count() == 0 and fake_list.active == {}
    assert not AuditEntry.objects.filter(object_type="removal.removalrequest").exists()


def test_low_quality_and_empty_and_too_many_are_refused():
    with pytest.raises(services.RemovalError) as low:
        services.submit(items=[image_item(1, quality=20)], threatened=False)
    assert low.value.code == "low_quality"
    with pytest.raises(services.RemovalError) as empty:
        services.submit(items=[], threatened=False)
    assert empty.value.code == "no_items"
    with pytest.raises(services.RemovalError) as many:
        services.submit(items=[image_item(n) for n in range(51)], threatened=False)
    assert many.value.code == "too_many" and "50" in str(many.value)
    assert RemovalRequest.objects.count() == 0


def test_check_opens_only_with_both_right_and_accepts_what_people_type():
    sent = services.submit(items=[image_item(1)], threatened=False)
    ref = sent.removal.reference
    typed = ref.lower().replace("-", " ").replace("0", "o")
    assert services.check(reference=typed, secret=sent.secret.lower()) == sent.removal
    assert services.check(reference=ref, secret="AAAA-BBBB-CCCC") is None
    assert services.check(reference="RI-0000-0000", secret=sent.secret) is None
    assert services.check(reference="not a reference", secret=sent.secret) is None
    consultations = [e for e in _entries(sent.removal) if e.action == Action.CONSULTATION]
    assert len(consultations) == 1


def test_a_reference_with_too_many_wrong_secrets_refuses_for_a_while():
    sent = services.submit(items=[image_item(1)], threatened=False)
    for _ in range(services.MAX_WRONG_SECRETS_PER_REFERENCE):
        assert services.check(reference=sent.removal.reference, secret="AAAA-BBBB-CCCC") is None
    assert services.check(reference=sent.removal.reference, secret=sent.secret) is None


def test_add_more_adds_codes_and_refuses_duplicates_without_storing_any():
    sent = services.submit(items=[image_item(1)], threatened=False)
    ref = sent.removal.reference
    assert services.add_more(reference=ref, secret=sent.secret, items=[image_item(2), image_item(3)]) == 2
    with pytest.raises(services.RemovalError) as duplicate:
        services.add_more(reference=ref, secret=sent.secret, items=[image_item(4), image_item(1)])
    assert duplicate.value.code == "duplicate" and duplicate.value.index == 1
    assert RemovalRequest.objects.get().item_count == 3
    with pytest.raises(services.RemovalError) as wrong:
        services.add_more(reference=ref, secret="AAAA-BBBB-CCCC", items=[image_item(5)])
    assert wrong.value.code == "wrong_details"


def test_withdraw_takes_every_code_back_once_and_then_refuses_additions_kindly(fake_list):
    sent = services.submit(items=[image_item(1), image_item(2)], threatened=False)
    ref = sent.removal.reference
    assert services.withdraw(reference=ref, secret=sent.secret) == 2
    assert services.withdraw(reference=ref, secret=sent.secret) == 0  # again: nothing changes
    removal = RemovalRequest.objects.get()
    assert removal.withdrawn and fake_list.withdrawn[ref] == 2
    with pytest.raises(services.RemovalError) as refused:
        services.add_more(reference=ref, secret=sent.secret, items=[image_item(3)])
    assert refused.value.code == "withdrawn"
    assert "start again" in str(refused.value)
    assert [e.action for e in _entries(removal)].count(Action.ALTERATION) == 1


def test_reference_normalising():
    assert normalise_reference("ri-abcd-1234") == "RI-ABCD-1234"
    assert normalise_reference("r1 abcd 1234") == "RI-ABCD-1234"
    assert normalise_reference("abcd1234") == "RI-ABCD-1234"
    assert normalise_reference("RI-ABCD-123") == ""
    assert normalise_reference("SG-ABCD-1234") == ""
