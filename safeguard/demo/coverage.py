"""Demo records for every kind of thing the service can make, so every page and template branch has something
to show: reports in every status, a partner API report, a subject merge, a case with lines of enquiry and notes,
an operation, a retention review due and a retention disposal, and Remove it requests whose hashes a partner matched
(one held by a supervisor, one withdrawn). Made through the apps' own services; idempotent.

Called by `manage.py load_demo_coverage`, the last demo loader (once the staff, reports and force exist). The demo
app is the top layer: it calls every app's services and nothing imports it.
"""

import hashlib
import json
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from safeguard.audit.services import Actor
from safeguard.cases import selectors as case_selectors
from safeguard.cases import services as cases
from safeguard.cases.models import Case, CaseStatus, EnquiryKind, EnquiryStatus, Operation
from safeguard.evidence import self_reported
from safeguard.evidence.models import ReviewState, SharedHash
from safeguard.partners.models import Partner
from safeguard.partners.services import create_partner, open_report
from safeguard.referrals import services as referrals
from safeguard.referrals.models import ReferralImport
from safeguard.removal import services as removal
from safeguard.reporting.models import Report, Status, StatusChange
from safeguard.reporting.services import add_information, create_report
from safeguard.retention.models import Decision, RecordType, RetentionDecision
from safeguard.retention.services import ensure_default_schedules, record_decision
from safeguard.subjects.models import ReportSubject, SubjectMerge
from safeguard.subjects.services import link_report, merge_subjects_by_supervisor
from safeguard.triage.services import change_status
from safeguard.triage.tasks import triage_reports

NOTE = "Demo coverage"
CASE_TITLE = "Demo: ChatterBox account contacting pupils after school"
OPERATION_NAME = "Operation Demo Kestrel"
MERGE_REASON = "Demo: two PixelQuest player names, one person: the same way of writing and the same play times."
DISPOSAL_REASON = "Demo: closed with no further action and past its review date."
# (demo seed, status it ends in) so the queue and report pages show every status.
STATUSES = (
    ("demo-06", Status.RECEIVED),
    ("demo-13", Status.ACTIONED),
    ("demo-17", Status.CLOSED),
    ("demo-20", Status.CLOSED),
)
PARTNER_SLUG = "demo-chatterbox"


def load(*, analyst, investigator, supervisor, force) -> list[str]:
    """Make whatever is missing; returns a line per thing made."""
    made = []
    made += _statuses(analyst)
    made += _partner_report()
    made += _merge(supervisor)
    made += _case_and_operation(investigator, force)
    made += _referrals(investigator)
    made += _retention(analyst, supervisor)
    made += _new_information()
    made += _self_reported(supervisor)
    return made


NEW_INFORMATION_SEED = "demo-new-information"


def _new_information() -> list[str]:
    """A 13-year-old's report that the follow-up made more urgent: the queue's "New information" tag, the report
    page's "What changed", the words that counted and the age question's answer."""

    if _seeded(NEW_INFORMATION_SEED) is not None:
        return []
    report = create_report(
        actor=Actor.system("demo data"),
        source="public_web",
        fields={
            "reporter_role": "young_person",
            "account": "he asked me for pictures in a game chat and said to keep it secret",
            "platform_name": "PixelQuest",
            "environment": "online_game",
            "categories": ["something_else"],
            "other_category_detail": "Someone in a game chat",
            "subject_identifiers": "ShadowFox_77",
            "details": {
                "demo_seed": NEW_INFORMATION_SEED,
                "public_web": {"danger_now_answer": "no", "child_age": 13, "child_age_answer": "given"},
            },
        },
    ).report
    # Triaged now rather than by the worker, which `make run` starts after the loaders: the follow-up below is
    # then a re-scoring (the worker's run of the same follow-up later records nothing twice).
    triage_reports(report_ids=[report.pk])
    addition = add_information(report=report, text="he said he would tell everyone if I don't send one")
    triage_reports(report_ids=[report.pk], cause="follow_up", detail={"addition_id": addition.pk})
    return [f"report {report.reference} with a follow-up that raised its band"]


def _seeded(seed: str) -> Report | None:
    return Report.objects.filter(details__demo_seed=seed).first()


def _statuses(analyst) -> list[str]:

    made = []
    for seed, status in STATUSES:
        report = _seeded(seed)
        if report is None or StatusChange.objects.filter(report=report, note__startswith=NOTE).exists():
            continue
        if report.status == status:
            continue
        change_status(user=analyst, report=report, to_status=status, note=f"{NOTE}: {Status(status).label}.")
        made.append(f"report {report.reference} {Status(status).label.lower()}")
    return made


def _partner_report() -> list[str]:

    partner = Partner.objects.filter(slug=PARTNER_SLUG).first()
    if partner is None:
        partner = create_partner(
            actor=Actor.system("demo data"),
            name="ChatterBox Trust & Safety (demo)",
            slug=PARTNER_SLUG,
            platforms=["ChatterBox"],
            contact_name="Demo Safety Desk",
            contact_email="safety@chatterbox.example",
        )
    if partner.reports.exists():
        return []
    open_report(
        partner=partner,
        finish=True,
        payload={
            "incidentSummary": {
                "incidentType": "online_enticement_of_children",
                "incidentDateTime": (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "platform": "ChatterBox messenger",
                "reportAnnotations": ["offline_meeting_proposed", "asked_to_keep_secret"],
            },
            "personOrUserReported": {"espIdentifier": "cb-user-40417", "screenName": "demo_skater_sam"},
            "victims": [{"age": 13, "espIdentifier": "cb-user-11802", "area": "Much Puddling"}],
            "reporterContact": {"name": "Demo Safety Desk", "email": "safety@chatterbox.example"},
            "additionalInfo": "Adult account asked a child to keep the chat secret and proposed meeting offline.",
        },
    )
    return ["a partner API report"]


MERGE_REPORTS = (
    ("demo-merge-a", "@demo_pixel_knight", "A player asked my son to keep their chats secret from us."),
    ("demo-merge-b", "@demo_pixel_squire", "A new player with a similar name asked my son the same thing again."),
)


def _merge(supervisor) -> list[str]:
    """Two reports about two player names a supervisor judged to be one person: the audit log's combination."""

    if SubjectMerge.objects.filter(reason=MERGE_REASON).exists():
        return []
    for seed, handle, account in MERGE_REPORTS:
        if _seeded(seed) is None:
            made = create_report(
                actor=Actor.system("demo data"),
                source="public_web",
                fields={
                    "account": account,
                    "platform_name": "PixelQuest",
                    "environment": "online_game",
                    "reporter_role": "parent_carer",
                    "categories": ["keep_secret"],
                    "subject_identifiers": f"PixelQuest player {handle}",
                    "details": {"demo_seed": seed},
                },
            ).report
            # Linked now rather than by the triage worker, which `make run` starts after the loaders.
            link_report(made)
    links = {
        link.report.details.get("demo_seed"): link.subject
        for link in ReportSubject.objects.select_related("report", "subject").filter(
            report__details__demo_seed__in=[seed for seed, *_ in MERGE_REPORTS]
        )
    }
    survivor, absorbed = (links.get(seed) for seed, *_ in MERGE_REPORTS)
    if survivor is None or absorbed is None or survivor.pk == absorbed.pk:
        return []
    if survivor.merged_into_id or absorbed.merged_into_id:
        return []
    merge_subjects_by_supervisor(user=supervisor, survivor=survivor, absorbed=absorbed, reason=MERGE_REASON)
    return [f"subject {absorbed.label} merged into {survivor.label}"]


def _case_and_operation(investigator, force) -> list[str]:

    made = []
    case = Case.objects.filter(title=CASE_TITLE).first()
    if case is None:
        reports = [r.pk for r in (_seeded("demo-04"), _seeded("demo-01")) if r is not None]
        case = cases.open_case(
            actor=investigator,
            title=CASE_TITLE,
            report_ids=reports,
            summary="Two reports about one ChatterBox account proposing to meet pupils offline after school.",
        )
        check = cases.add_enquiry(
            actor=investigator,
            case=case,
            kind=EnquiryKind.PLATFORM_REQUEST,
            action="Ask ChatterBox for the account's registration details and recent sign-in times.",
            due_date=timezone.localdate() + timedelta(days=7),
            assignee=investigator,
        )
        cases.update_enquiry(
            actor=investigator,
            enquiry=check,
            status=EnquiryStatus.COMPLETE,
            result="ChatterBox replied: the account was opened last month from a fictional demo address.",
        )
        cases.add_enquiry(
            actor=investigator,
            case=case,
            kind=EnquiryKind.INTELLIGENCE_CHECK,
            action="Check the screen name against earlier reports and referrals.",
            due_date=timezone.localdate() - timedelta(days=1),  # overdue, so the case page shows it
        )
        cases.add_note(
            actor=investigator,
            case=case,
            text="Both children were asked to keep the chat secret; the school has been told to watch for contact.",
        )
        closed = cases.open_case(
            actor=investigator,
            title="Demo: duplicate PixelQuest report, closed",
            report_ids=[r.pk for r in (_seeded("demo-17"),) if r is not None],
        )
        cases.change_case_status(
            actor=investigator, case=closed, status=CaseStatus.CLOSED, reason="Demo: nothing further to do."
        )
        case_selectors.case_detail(user=investigator, case_id=case.pk)  # a consultation on the audit log
        made.append(f"cases {case.reference} and {closed.reference}")
    if not Operation.objects.filter(name=OPERATION_NAME).exists():
        operation = cases.create_operation(
            actor=investigator,
            name=OPERATION_NAME,
            description="Demo: one network of fictional accounts worked with Thames Valley.",
            case_ids=[case.pk],
        )
        cases.record_deployment(
            actor=investigator,
            operation=operation,
            date=timezone.localdate() - timedelta(days=10),
            force=force,
            kind="safeguarding_visit",
            description="Demo: a safeguarding visit to the pupils' school.",
        )
        made.append(OPERATION_NAME)
    return made


REFERRAL_PARTNER = "Interpol NCB Ruritania (demo)"


def _referral_line(n: int, *, screen_name: str, incident_type: str = "online_enticement_of_children") -> dict:
    return {
        "incidentSummary": {
            "incidentType": incident_type,
            "incidentDateTime": (timezone.now() - timedelta(days=20 + n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "platform": "PixelQuest",
            "reportAnnotations": ["asked_to_keep_secret"] if n % 2 else ["offline_meeting_proposed"],
        },
        "personOrUserReported": {
            "screenName": screen_name,
            "emails": [f"{screen_name}@example.invalid"],
            "estimatedLocation": {"countryCode": "GB"},
        },
        "victims": [{"age": 12 + n % 4}],
        "additionalInfo": "Asked the child to keep the chat secret." if n % 2 else "Proposed meeting offline.",
        "partnerReference": f"DEMO-RURITANIA-{n}",
    }


def _referrals(investigator) -> list[str]:
    """A small bulk file from an international partner: accepted lines, one repeated, one the service refuses."""

    if ReferralImport.objects.filter(partner=REFERRAL_PARTNER).exists():
        return []
    lines = [_referral_line(n, screen_name=f"demo_ruritania_{n}") for n in range(1, 7)]
    lines.append(lines[0])  # the same referral twice: de-duplicated, said on the import's error list
    lines.append(_referral_line(8, screen_name="demo_ruritania_8", incident_type="not_a_known_type"))
    content = ContentFile(b"".join(json.dumps(line).encode() + b"\n" for line in lines), name="ruritania.jsonl")
    imp = referrals.create_import(
        user=investigator,
        partner=REFERRAL_PARTNER,
        fmt="jsonl",
        original_name="ruritania-referrals.jsonl",
        upload=content,
    )
    referrals.run_import(imp.pk)
    return [f"a referral import of {len(lines)} lines"]


def _retention(analyst, supervisor) -> list[str]:
    """One closed report past its review date left for review, one disposed of (the audit log's erasure)."""

    ensure_default_schedules()  # seeded by a migration; gone after `manage.py flush`
    made = []
    seven_years_ago = timezone.now() - timedelta(days=7 * 365)
    wanted = [("demo-retention-due", "review due")]
    if not RetentionDecision.objects.filter(reason=DISPOSAL_REASON).exists():
        wanted.append(("demo-retention-disposed", "disposed of"))
    for seed, what in wanted:
        report = _seeded(seed)
        if report is None:
            report = create_report(
                actor=Actor.system("demo data"),
                source="public_web",
                fields={
                    "account": "An old report: someone in a game chat asked my son to keep their chats secret.",
                    "platform_name": "PixelQuest",
                    "reporter_role": "parent_carer",
                    "details": {"demo_seed": seed},
                },
            ).report
            Report.objects.filter(pk=report.pk).update(created_at=seven_years_ago)
            report.refresh_from_db()
            if report.status != Status.CLOSED:
                change_status(user=analyst, report=report, to_status=Status.CLOSED, note=f"{NOTE}: closed.")
            made.append(f"report {report.reference} ({what})")
        if seed == "demo-retention-disposed":
            record_decision(
                actor=supervisor,
                record_type=RecordType.REPORT,
                object_id=str(report.pk),
                decision=Decision.DISPOSE,
                reason=DISPOSAL_REASON,
            )
    return made


# --- Remove it: self-reported hashes, a partner's matches, a hold and a withdrawal --------------------------------

HOLD_REASON = "Demo: suspected misuse, the same code was reported for a well-known public picture. Checking."
# (form token, items, what happens next). The codes are made from strings (never from a picture): the page only
# ever shows codes, so any 32 and 64 hexadecimal characters will do.
SELF_REPORTED = (
    ("demo-remove-it-1", [("image", "a"), ("image", "b"), ("video", "c")], "matched"),
    ("demo-remove-it-2", [("image", "d")], "held"),
    ("demo-remove-it-3", [("image", "e"), ("image", "f")], "withdrawn"),
)


def _code(seed: str, length: int) -> str:
    return hashlib.sha256(f"safeguard demo remove-it {seed}".encode()).hexdigest()[:length]


def _item(kind: str, seed: str) -> dict:
    if kind == "video":
        frames = [{"pdq": _code(f"{seed}-{n}", 64), "quality": 70 + n, "timestamp": float(n)} for n in range(4)]
        return {"kind": "video", "md5": _code(seed, 32), "vpdq": frames}
    return {"kind": "image", "md5": _code(seed, 32), "pdq": _code(f"{seed}-pdq", 64), "pdq_quality": 88}


def _self_reported(supervisor) -> list[str]:
    """Three Remove it requests: one whose codes ChatterBox found (a removal, a sighting, a blocked upload), one a
    supervisor held back, one the young person withdrew. Replays of the same form token change nothing."""
    made = []
    for token, items, then in SELF_REPORTED:
        submitted = removal.submit(
            items=[_item(kind, seed) for kind, seed in items], threatened=False, form_token=token
        )
        request = submitted.removal
        if not submitted.replayed:
            made.append(f"Remove it request {request.reference} ({then})")
        hashes = list(SharedHash.objects.filter(request_ref=request.reference).order_by("pk"))
        if then == "matched":
            where = "https://chatterbox.example/u/demo-account-7/post/"
            reports = [
                {"signal_type": "md5", "value": hashes[0].md5, "action": "removed", "where_seen": f"{where}1"},
                {"signal_type": "pdq", "value": hashes[0].pdq, "action": "seen", "where_seen": f"{where}2"},
                {
                    "signal_type": "pdq",
                    "value": hashes[1].pdq,
                    "action": "no_action",
                    "where_seen": "ChatterBox groups",
                },
                {"signal_type": "md5", "value": hashes[2].md5, "action": "blocked_upload", "where_seen": "ChatterBox"},
            ]
            seen_at = timezone.now() - timedelta(hours=2)
            self_reported.record_platform_matches(
                partner_label=PARTNER_SLUG,
                items=[
                    {**report, "client_ref": f"demo-match-{n}", "seen_at": seen_at - timedelta(minutes=7 * n)}
                    for n, report in enumerate(reports, start=1)
                ],
            )
        elif then == "held" and hashes[0].review_state != ReviewState.HELD:
            self_reported.review(shared_hash_id=hashes[0].pk, state=ReviewState.HELD, by=supervisor, reason=HOLD_REASON)
        elif then == "withdrawn":
            removal.withdraw_request(removal=request)
    return made
