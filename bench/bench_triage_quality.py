"""Triage quality on a labelled synthetic set (issue 20): does the real pipeline band reports as a supervisor would?

Every item of `bench/data/triage_labelled.jsonl` (labelled by hand by the rubric in `bench/data/TRIAGE_RUBRIC.md`,
never by running the engine) goes in through the route its channel takes, on a fresh database:
- `public` and `follow_up`: `reporting.services.create_report` with the journey's fields (the child's age in
  `details["public_web"]["child_age"]`, where the age question stores it); a `follow_up` item's additions go in
  through `reporting.services.add_information` after its first triage, and it is triaged again;
- `partner`: a partner-API document (`incidentSummary`, `personOrUserReported`, `victims[0].age`, the narrative in
  `additionalInfo`), validated by the API's schema, mapped by `partners.mapping.report_fields` and accepted by
  `reporting.intake.accept` with Source.PARTNER_API;
- `referral`: the same document as one line of a JSON Lines file run through the referral import
  (`referrals.services.create_import` + `run_import`).
Then `triage.tasks.triage_reports` runs synchronously and each report's priority and stored identifiers are read.

Prints, for the tune half, the test half and all (`tune`, `test`, no suffix):
- `triage p1p2 recall: R`: share of items labelled P1/P2 that the engine puts in P1/P2 (goal >= 0.95);
- `triage over-escalation: R`: share of items labelled P4 that land in P1/P2 (goal <= 0.05);
- `identifier recall: R`: labelled identifiers found among the report's identifiers (same kind, value equal to
  `subjects.normalise.normalise(kind, value)`, or the raw form where that gives none: `unnormalised`; any
  platform, any role) (goal >= 0.95);
- `triage exact band: R` (a diagnostic: engine band == labelled band) and `triage reports: N`.

    .venv/bin/python bench/bench_triage_quality.py [--explain] [--split tune|test] [--data PATH]

`--explain` prints every miss (id, labelled band, engine band, the engine's reasons, missing identifiers).
BENCH_SMOKE=1: every 12th item only (seconds).
"""

import argparse
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _django import SMOKE, emit, setup

DATA = Path(__file__).resolve().parent / "data" / "triage_labelled.jsonl"
INCIDENT_DATE = "2026-11-20T18:00:00Z"
ENVIRONMENT_DETAILS = {  # the partner document's internetDetails section for each environment
    "online_game": lambda platform: {"onlineGamingIncident": {"gameName": platform or "Unknown game"}},
    "chat_room": lambda platform: {"chatImIncident": {"chatClient": platform or "Unknown", "chatRoomName": "lobby"}},
    "instant_messaging": lambda platform: {"chatImIncident": {"chatClient": platform or "Unknown"}},
    "social_network": lambda platform: {"chatImIncident": {"chatClient": platform or "Unknown"}},
    "video_chat": lambda platform: {"chatImIncident": {"chatClient": platform or "Unknown"}},
    "email": lambda platform: {"emailIncident": {"emailAddresses": []}},
}
CATEGORY_ANNOTATIONS = {
    "threatened_to_share": "sextortion",
    "asked_for_images": "solicitation_of_images",
    "meet_up": "offline_meeting_proposed",
    "keep_secret": "asked_to_keep_secret",
}


def load(path: Path) -> list[dict]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return items[::12] if SMOKE else items


def partner_document(item: dict) -> dict:
    """The partner API's document for an item: identifiers typed in the 'about the person' box go in the person
    section's fields by kind (a partner sends them structured); the narrative goes in additionalInfo."""
    person: dict = {}
    box = item.get("subject_identifiers") or ""
    for identifier in item["identifiers"]:
        if identifier["value"] not in box:
            continue  # only in the narrative: the partner's free text carries it
        kind, value = identifier["kind"], identifier["value"]
        if kind == "username":
            if "screenName" not in person:
                person["screenName"] = value
            else:
                person.setdefault("associatedAccounts", []).append(value)
        elif kind == "email":
            person.setdefault("emails", []).append(value)
        elif kind == "phone":
            person.setdefault("phones", []).append(value)
        elif kind == "url":
            person.setdefault("profileUrls", []).append(value)
        elif kind == "ip":
            person.setdefault("ipCaptureEvents", []).append(
                {"ipAddress": value, "eventName": "Login", "dateTime": INCIDENT_DATE}
            )
    if person and item.get("platform"):
        person["espService"] = item["platform"]
    categories = item.get("categories") or []
    summary: dict = {
        "incidentType": (
            "unsolicited_obscene_material_sent_to_child"
            if "sent_sexual_content" in categories
            else "online_enticement_of_children"
        ),
        "incidentDateTime": INCIDENT_DATE,
        "reportAnnotations": [CATEGORY_ANNOTATIONS[c] for c in categories if c in CATEGORY_ANNOTATIONS],
    }
    if item.get("platform"):
        summary["platform"] = item["platform"]
    if item.get("danger_now"):
        summary["escalateToHighPriority"] = True
        summary["escalationReason"] = "Our moderator thinks a child may be in danger now."
    document: dict = {"incidentSummary": summary, "additionalInfo": item["account"]}
    environment = ENVIRONMENT_DETAILS.get(item.get("environment") or "")
    if environment:
        document["internetDetails"] = environment(item.get("platform") or "")
    if person:
        document["personOrUserReported"] = person
    if item.get("child_age") is not None:
        document["victims"] = [{"age": item["child_age"]}]
    return document


def public_fields(item: dict) -> dict:
    categories = item.get("categories") or []
    public_web: dict = {"danger_now_answer": "yes" if item.get("danger_now") else "no"}
    if item.get("child_age") is not None:
        public_web["child_age"] = item["child_age"]
    return {
        "reporter_role": item.get("role") or "",
        "child_in_danger_now": bool(item.get("danger_now")),
        "categories": categories,
        "other_category_detail": item["account"][:200] if "something_else" in categories else "",
        "platform_name": item.get("platform") or "",
        "environment": item.get("environment") or "",
        "subject_identifiers": item.get("subject_identifiers") or "",
        "account": item["account"],
        "details": {"public_web": public_web},
    }


def submit(items: list[dict], workdir: Path) -> dict[str, int]:
    """Put every item in through its channel's route; returns item id -> report id."""
    from types import SimpleNamespace

    from safeguard.audit.services import Actor
    from safeguard.partners.mapping import report_fields
    from safeguard.partners.schemas import ReportIn
    from safeguard.referrals import services as referrals
    from safeguard.reporting import intake
    from safeguard.reporting.models import Report, Source
    from safeguard.reporting.services import create_report

    report_of: dict[str, int] = {}
    partner = SimpleNamespace(name="Bench Partner Chat", slug="bench-partner")
    referral_lines = []
    for item in items:
        channel = item["channel"]
        if channel in ("public", "follow_up"):
            made = create_report(actor=Actor.of(None), source=Source.PUBLIC_WEB, fields=public_fields(item))
            report_of[item["id"]] = made.report.pk
        elif channel == "partner":
            payload = ReportIn.model_validate(partner_document(item)).model_dump(mode="json", exclude_none=True)
            fields = report_fields(partner=partner, payload=payload, partner_report_id=item["id"], files=[])
            (report,) = intake.accept(
                actor=Actor.system("bench partner"),
                source=Source.PARTNER_API,
                items=[intake.Incoming(fields=fields, audit_detail={"partner": partner.slug})],
            )
            report_of[item["id"]] = report.pk
        elif channel == "referral":
            referral_lines.append(json.dumps({**partner_document(item), "partnerReference": item["id"]}))
        else:
            raise ValueError(f"{item['id']}: unknown channel {channel!r}")
    if referral_lines:
        path = workdir / "referrals.jsonl"
        path.write_text("\n".join(referral_lines) + "\n", encoding="utf-8")
        imp = referrals.create_import(
            user=None, partner="Bench NCB", fmt="jsonl", original_name=path.name, path=path, check=False
        )
        done = referrals.run_import(imp.pk, workers=0, overlap=False)
        if done is None or done.rejected:
            raise SystemExit(f"referral import: {done and done.rejected} lines rejected")
        for pk, details in Report.objects.filter(source=Source.REFERRAL).values_list("pk", "details"):
            report_of[details["referral"]["partnerReference"]] = pk
    return report_of


def run(items: list[dict], workdir: Path) -> dict[str, dict]:
    """Submit, triage (again after follow-up additions) and read back each item's band, reasons and identifiers."""
    from safeguard.reporting.models import Report
    from safeguard.reporting.services import add_information
    from safeguard.subjects.models import ReportIdentifier
    from safeguard.triage.tasks import triage_reports

    report_of = submit(items, workdir)
    triage_reports(report_ids=[report_of[item["id"]] for item in items])
    followed = [item for item in items if item.get("additions")]
    for item in followed:
        report = Report.objects.get(pk=report_of[item["id"]])
        for text in item["additions"]:
            add_information(report=report, text=text)
    if followed:  # as the re-scoring of a report with new information will (issue 20)
        triage_reports(report_ids=[report_of[item["id"]] for item in followed])
    reports = {r.pk: r for r in Report.objects.filter(pk__in=report_of.values())}
    found: dict[int, set[tuple[str, str]]] = {}
    for report_id, kind, value, raw in ReportIdentifier.objects.filter(report_id__in=report_of.values()).values_list(
        "report_id", "kind", "value", "raw"
    ):
        found.setdefault(report_id, set()).add((kind, value or unnormalised(kind, raw)))
    outcome = {}
    for item in items:
        report = reports[report_of[item["id"]]]
        outcome[item["id"]] = {
            "band": report.priority,
            "reasons": report.priority_reasons,
            "identifiers": found.get(report.pk, set()),
        }
    return outcome


def unnormalised(kind: str, raw: str) -> str:
    """What an identifier the normaliser gives no value for is matched on: the synthetic phones of the set are in
    Ofcom's drama range (07700 900xxx), which `normalise_phone` rejects as not valid (kept raw, value empty), so
    they are compared by their E.164 form; anything else by its trimmed, case-folded text."""
    import phonenumbers

    if kind == "phone":
        try:
            number = phonenumbers.parse(raw.strip(), "GB")
            if phonenumbers.is_possible_number(number):
                return "raw:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        except phonenumbers.NumberParseException:
            pass
    return "raw:" + " ".join(raw.split()).casefold()


def expected(identifier: dict) -> tuple[str, str]:
    from safeguard.subjects.normalise import normalise

    kind, value = identifier["kind"], identifier["value"]
    return kind, normalise(kind, value).value or unnormalised(kind, value)


def missing_identifiers(item: dict, identifiers: set[tuple[str, str]]) -> list[dict]:
    return [i for i in item["identifiers"] if expected(i) not in identifiers]


def ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else float("nan")


def figures(items: list[dict], outcome: dict[str, dict], suffix: str) -> None:
    urgent = [i for i in items if i["band"] <= 2]
    routine = [i for i in items if i["band"] == 4]
    labelled = sum(len(i["identifiers"]) for i in items)
    missed = sum(len(missing_identifiers(i, outcome[i["id"]]["identifiers"])) for i in items)
    emit(f"triage p1p2 recall{suffix}", ratio(sum(outcome[i["id"]]["band"] <= 2 for i in urgent), len(urgent)))
    emit(f"triage over-escalation{suffix}", ratio(sum(outcome[i["id"]]["band"] <= 2 for i in routine), len(routine)))
    emit(f"identifier recall{suffix}", ratio(labelled - missed, labelled))
    emit(f"triage exact band{suffix}", ratio(sum(outcome[i["id"]]["band"] == i["band"] for i in items), len(items)))


def explain(items: list[dict], outcome: dict[str, dict]) -> None:
    for item in items:
        got = outcome[item["id"]]
        wrong_band = (item["band"] <= 2) != (got["band"] <= 2)  # a P1/P2 missed, or over-escalated
        missing = missing_identifiers(item, got["identifiers"])
        if not wrong_band and not missing:
            continue
        reasons = "; ".join(str(r) for r in got["reasons"]) or "-"
        print(f"# {item['id']} ({item['split']}, {item['channel']}): labelled P{item['band']}, engine P{got['band']}")
        print(f"#   why: {item['why']}")
        print(f"#   engine reasons: {reasons}")
        if missing:
            print("#   missing identifiers: " + ", ".join(f"{i['kind']} {i['value']!r}" for i in missing))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--explain", action="store_true", help="print each miss, to help tuning")
    parser.add_argument("--split", choices=["tune", "test"], help="explain only this half")
    parser.add_argument("--data", type=Path, default=DATA)
    options = parser.parse_args()
    items = load(options.data)
    workdir = setup()
    try:
        outcome = run(items, workdir)
        if options.explain:
            explain([i for i in items if not options.split or i["split"] == options.split], outcome)
        for split in ("tune", "test"):
            figures([i for i in items if i["split"] == split], outcome, f" {split}")
        figures(items, outcome, "")
        emit("triage reports", len(items))
        raw = sum(expected(i)[1].startswith("raw:") for item in items for i in item["identifiers"])
        print(f"# {raw} labelled identifiers have no normalised value (matched on their raw form, see unnormalised)")
    finally:
        from django.db import connection

        connection.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
