"""The package as the recipient gets it: a JSON document (schema in docs/schemas/) and a PDF made from the same data.

Only what may be released goes in: the sanitised text of each item (never the original once sanitised), the
grades and conditions, and evidence as hashes unless the package includes files and every item allows it.
"""

import json
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import format as format_date
from fpdf import FPDF

from safeguard.subjects.normalise import KIND_LABELS, Kind

from .models import Dissemination

SCHEMA_ID = "https://safeguard.example/schemas/dissemination-package.schema.json"
SCHEMA_PATH = Path(settings.BASE_DIR) / "docs" / "schemas" / "dissemination-package.schema.json"
SCHEMA_VERSION = "1.0"
CENTRE_NAME = getattr(settings, "SAFEGUARD_CENTRE_NAME", "Safeguard national online child-protection centre")


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _when(value) -> str:
    """A time as an officer reads it on paper: "7 December 2026, 14:05 (UK time)"."""
    return f"{format_date(timezone.localtime(value), 'j F Y, H:i')} (UK time)" if value else ""


def kind_label(kind: str) -> str:
    try:
        return KIND_LABELS[Kind(kind)]
    except ValueError:
        return kind.replace("_", " ").capitalize()


def package_document(package: Dissemination) -> dict:
    """The machine-readable package, valid against docs/schemas/dissemination-package.schema.json."""
    items = list(package.items.all())
    files_allowed = package.include_evidence_files and not any(item.no_evidence_files for item in items)
    recipient = package.recipient
    return {
        "$schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "reference": package.reference,
        "status": package.status,
        "sender": CENTRE_NAME,
        "recipient": {
            "code": recipient.code,
            "name": recipient.name,
            "kind": recipient.kind,
            "country": recipient.country,
        },
        "case": {"reference": package.case.reference, "title": package.case.title} if package.case_id else None,
        "approved_at": _iso(package.approved_at),
        "sent_at": _iso(package.sent_at),
        "acknowledgement_due": _iso(package.acknowledgement_due),
        "acknowledged_at": _iso(package.acknowledged_at),
        "summary": package.summary,
        "risk_assessment": package.risk_assessment,
        "actions_requested": package.actions_requested,
        "intelligence": [
            {
                "position": item.position,
                "grade": item.grade,
                "source_evaluation": item.source_evaluation,
                "intelligence_assessment": item.intelligence_assessment,
                "handling_code": item.handling_code,
                "handling_conditions": item.handling_conditions,
                "sanitised": bool(item.sanitised_text),
                "text": item.release_text,
            }
            for item in items
        ],
        "reports": [
            {"reference": r.reference, "received_at": _iso(r.created_at), "categories": list(r.categories or [])}
            for r in package.reports.order_by("created_at")
        ],
        "subjects": [{"label": s.label} for s in package.subjects.order_by("pk")],
        "identifiers": [
            {"kind": i["kind"], "platform": i.get("platform", ""), "value": i["value"]} for i in package.identifiers
        ],
        "evidence": {
            "mode": "files_on_request" if files_allowed else "hashes_only",
            "items": [
                {
                    "sha256": e["sha256"],
                    "size": e.get("size"),
                    "type": e.get("type", ""),
                    "report": e.get("report", ""),
                }
                for e in package.evidence_references
            ],
        },
    }


def package_json(package: Dissemination) -> bytes:
    return json.dumps(package_document(package), indent=2, ensure_ascii=False).encode()


# -------------------------------------------------------------------------------------------------- PDF

_FONT_DIR = Path(getattr(settings, "DISSEMINATION_PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))


class _PackagePdf(FPDF):
    def __init__(self, reference: str):
        super().__init__(format="A4")
        self.reference = reference
        regular, bold = _FONT_DIR / "DejaVuSans.ttf", _FONT_DIR / "DejaVuSans-Bold.ttf"
        # A Unicode font keeps identifiers exact; without one, the core font shows what Latin-1 can.
        self.unicode = regular.exists() and bold.exists()
        if self.unicode:
            self.add_font("body", "", str(regular))
            self.add_font("body", "B", str(bold))
            self.family = "body"
        else:
            self.family = "helvetica"

    def text_of(self, value) -> str:
        text = "" if value is None else str(value)
        return text if self.unicode else text.encode("latin-1", "replace").decode("latin-1")

    def header(self):
        self.set_font(self.family, "B", 9)
        self.cell(0, 6, self.text_of(f"OFFICIAL-SENSITIVE  |  {self.reference}"), align="C")
        self.ln(8)

    def footer(self):
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.cell(0, 6, self.text_of(f"{self.reference}  page {self.page_no()}/{{nb}}"), align="C")

    def heading(self, text: str):
        self.ln(2)
        self.set_font(self.family, "B", 12)
        self.multi_cell(0, 7, self.text_of(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, "", 10)

    def para(self, text: str):
        self.set_font(self.family, "", 10)
        self.multi_cell(0, 5, self.text_of(text or "None given."), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def pair(self, key: str, value):
        self.set_font(self.family, "B", 10)
        self.cell(50, 5, self.text_of(key))
        self.set_font(self.family, "", 10)
        self.multi_cell(0, 5, self.text_of(value if value not in (None, "") else "None"), new_x="LMARGIN", new_y="NEXT")


def package_pdf(package: Dissemination) -> bytes:
    doc = package_document(package)
    pdf = _PackagePdf(doc["reference"])
    pdf.set_title(f"Dissemination package {doc['reference']}")
    pdf.set_author(doc["sender"])
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font(pdf.family, "B", 16)
    pdf.multi_cell(0, 9, pdf.text_of(f"Dissemination package {doc['reference']}"), new_x="LMARGIN", new_y="NEXT")
    pdf.pair("From", doc["sender"])
    pdf.pair("To", f"{doc['recipient']['name']} ({doc['recipient']['country']})")
    if doc["case"]:
        pdf.pair("Case", f"{doc['case']['reference']} {doc['case']['title']}")
    pdf.pair("Sent", _when(package.sent_at) or "Not yet sent")
    pdf.pair("Acknowledge by", _when(package.acknowledgement_due) or "Set when the package is sent")
    pdf.heading("Summary")
    pdf.para(doc["summary"])
    pdf.heading("Risk assessment")
    pdf.para(doc["risk_assessment"])
    pdf.heading("Actions requested")
    pdf.para(doc["actions_requested"])
    pdf.heading("Graded intelligence (3x5x2)")
    for item in doc["intelligence"]:
        pdf.set_font(pdf.family, "B", 10)
        pdf.multi_cell(
            0, 5, pdf.text_of(f"Item {item['position']}  grade {item['grade']}"), new_x="LMARGIN", new_y="NEXT"
        )
        if item["handling_code"] == "C":
            pdf.pair("Handling conditions", item["handling_conditions"])
        pdf.para(item["text"])
    pdf.heading("Subjects and identifiers")
    pdf.para(", ".join(s["label"] for s in doc["subjects"]) or "No linked subjects.")
    for ident in doc["identifiers"]:
        where = f" ({ident['platform']})" if ident["platform"] else ""
        pdf.pair(kind_label(ident["kind"]), f"{ident['value']}{where}")
    pdf.heading("Reports")
    pdf.para(", ".join(r["reference"] for r in doc["reports"]) or "No reports attached.")
    pdf.heading("Evidence references")
    if doc["evidence"]["mode"] == "hashes_only":
        pdf.para("Evidence is referenced by SHA-256 hash only. Request the material through the centre if needed.")
    else:
        pdf.para("Evidence files may be released on request through the secure contact point.")
    pdf.set_font("courier" if not pdf.unicode else pdf.family, "", 8)
    for e in doc["evidence"]["items"]:
        pdf.multi_cell(
            0,
            4,
            pdf.text_of(f"{e['sha256']}  {e['size']} bytes  {e['type']}  {e['report']}"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    return bytes(pdf.output())
