"""Sent packages as holders of subjects, registered with subjects' deconfliction registry (from
`DisseminationConfig.ready()`: subjects sits below dissemination and never imports it).

Which packages hold a subject, and why:
- Sent or acknowledged: the package has left the centre and a force may be acting on it now (a warrant, an
  arrest, a safeguarding visit). A second team acting on the same person then could spoil the force's work.
  Drafts and approved packages have not reached anyone; the report or case they came from holds the subject
  meanwhile (and the bulk referral import makes many drafts nobody works yet).
- Until a final outcome is recorded: a conviction, no further action, or a network dismantled ends the force's
  work on the package. Other outcomes (subject identified, arrest, charge, children safeguarded, network
  disrupted) are steps on the way: the force is still working the person. A force that never reports an
  outcome keeps the package held: silence is not a sign the force has stopped.

The holder is the analyst who prepared the package (the sender is only in the audit log, and the preparer is
the one who knows it); the notice names the receiving force, which is the one to contact through them.
"""

from collections.abc import Iterable

from django.db import connection

from safeguard.subjects import deconfliction
from safeguard.subjects.deconfliction import Holding
from safeguard.subjects.models import Subject

from .models import Dissemination, DisseminationStatus, Outcome, OutcomeKind

HOLDING_STATUS = (DisseminationStatus.SENT, DisseminationStatus.ACKNOWLEDGED)
FINAL_OUTCOMES = (OutcomeKind.CONVICTION, OutcomeKind.NO_FURTHER_ACTION, OutcomeKind.NETWORK_DISMANTLED)


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


def _held_rows(subject_ids: list[int]) -> tuple[str, list]:
    """SQL giving (package id, subject id) for every held package about one of the subjects."""
    links = Dissemination.subjects.through._meta.db_table
    packages, outcomes = Dissemination._meta.db_table, Outcome._meta.db_table
    sql = (
        f"SELECT p.id AS package_id, l.subject_id FROM {links} l JOIN {packages} p ON p.id = l.dissemination_id "  # noqa: S608 - our own table names
        f"WHERE l.subject_id IN ({_marks(subject_ids)}) AND p.status IN ({_marks(HOLDING_STATUS)}) "
        f"AND NOT EXISTS (SELECT 1 FROM {outcomes} o WHERE o.dissemination_id = p.id "
        f"AND o.kind IN ({_marks(FINAL_OUTCOMES)}))"
    )
    return sql, [*subject_ids, *HOLDING_STATUS, *FINAL_OUTCOMES]


def _held_by_packages(subject_ids: list[int]) -> set[int]:
    rows, params = _held_rows(subject_ids)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT subject_id FROM ({rows}) x", params)  # noqa: S608
        return {row[0] for row in cursor.fetchall()}


@deconfliction.register_provider(held=_held_by_packages)
def sent_packages(subject: Subject, exclude_report_id: int | None) -> Iterable[Holding]:
    """The preparer of each sent package about the subject that has no final outcome yet."""
    rows, params = _held_rows([subject.pk])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT package_id FROM ({rows}) x", params)  # noqa: S608
        package_ids = {row[0] for row in cursor.fetchall()}
    if not package_ids:
        return
    packages = Dissemination.objects.filter(pk__in=package_ids).select_related("prepared_by", "recipient")
    for package in packages.order_by("pk"):
        yield Holding(
            owner=package.prepared_by,
            kind="dissemination",
            label=package.reference,
            note=f"sent to {package.recipient.name}, who may be acting on it: ask before contacting the force",
        )
