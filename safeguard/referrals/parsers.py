"""Streaming readers for referral files: JSON Lines, CSV and tipline-style XML.

Each reader yields `Record`s in file order, one per line (or per <report> element), holding either the
record as a ReferralIn-shaped dict or the problems that stopped it being read. Memory stays flat: files
are read in blocks and each record is dropped once yielded. A problem with one line never stops the
others; only a problem with the file itself (an XML bomb, a file that is not UTF-8 at all, a CSV
header that cannot be mapped) raises `FileProblem`, and then nothing after that point is read.

Documented behaviour for awkward input (docs/adr/0071):
- Line endings: \\n, \\r\\n and \\r are all accepted, mixed in one file.
- A UTF-8 byte-order mark at the start is skipped. UTF-16/32 files are refused as a whole (save as UTF-8).
- A line that is not UTF-8 is rejected with the offending byte and position; the other lines import.
- Blank lines are skipped (they still count as lines, so numbers match a text editor's).
- XML (read with expat directly, docs/adr/0100): no DTD at all (so no entity expansion, no external entities,
  no network), elements nested at most MAX_XML_DEPTH deep, at most MAX_XML_ELEMENTS_PER_REPORT elements per
  report, one element's text at most MAX_XML_TEXT_BYTES and one report's at most MAX_XML_REPORT_BYTES (that
  report is refused, counted as the bytes arrive), one tag or comment at most MAX_XML_TOKEN_BYTES (the file is
  refused from there). The encoding declared in the XML declaration is honoured. A file that ends early
  (truncated) stops the import after the last complete report, a resumable point the page shows (`FileTruncated`):
  the reports before it are kept, and importing the complete file again imports only the rest (duplicates).
- JSON Lines: a line of more than MAX_LINE_BYTES bytes (its ending not counted) is refused, counted as the bytes
  arrive; at most MAX_LINE_BYTES + BLOCK bytes of a line are ever held.
"""

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO
from xml.etree.ElementTree import TreeBuilder
from xml.parsers import expat

from .schemas import CSV_COLUMNS, IGNORE, REQUIRED_CSV_COLUMNS, csv_row_to_record

BLOCK = 1 << 20
MAX_LINE_BYTES = 1 << 20  # one referral line; anything longer is refused as a line, not held in memory
MAX_XML_DEPTH = 32
MAX_XML_ELEMENTS_PER_REPORT = 5_000
# One element's text: the longest field a referral has is additionalInfo, at most 10,000 characters (schemas.LongText),
# so at most 40 KB of UTF-8; 64 KB leaves room and still refuses a 200 MB text node after its first 64 KB.
MAX_XML_TEXT_BYTES = 64 * 1024
# One report's text and attribute values together: the same budget as one JSON line (MAX_LINE_BYTES).
MAX_XML_REPORT_BYTES = MAX_LINE_BYTES
# One tag (with its attributes), comment or processing instruction: expat must hold it whole before reporting it.
MAX_XML_TOKEN_BYTES = MAX_LINE_BYTES
XML_FEED = 64 * 1024  # bytes handed to expat at a time
_UTF16_32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class FileProblem(Exception):
    """The file as a whole cannot be read (from this point on). The message is for the person who sent it."""


class FileTruncated(FileProblem):
    """The file ends early: every record up to `resume_after` was complete and read; nothing after it exists."""

    def __init__(self, message: str, *, resume_after: int):
        super().__init__(message)
        self.resume_after = resume_after


@dataclass
class Record:
    line_no: int
    element: str = ""
    data: dict | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)  # (field, reason)
    offset: int = 0  # bytes of the file read so far, for progress
    # JSON Lines read for the import: the line's bytes, not yet decoded, for the validator to read straight from
    # bytes (pydantic's JSON parser in Rust); `decoded` gives the reader's own dict and messages (ADR 0075).
    raw: bytes | None = None


class _Counting(io.RawIOBase):
    """A read-only stream that counts the bytes handed out (progress for parsers that read ahead)."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


def _refuse_utf16(head: bytes) -> None:
    if head.startswith(_UTF16_32_BOMS):
        raise FileProblem("The file is UTF-16 or UTF-32 text. Save it as UTF-8 and upload it again.")


def _not_utf8(exc: UnicodeDecodeError) -> str:
    return f"Not UTF-8 text: byte 0x{exc.object[exc.start]:02X} at position {exc.start + 1}. Save the file as UTF-8."


# --- physical lines -------------------------------------------------------------------------------------

_NEWLINE = re.compile(rb"\r\n|\r|\n")


def physical_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes | None, int]]:
    """(line number, bytes without the line ending or None when over MAX_LINE_BYTES, bytes read so far).

    The limit is exact: a line of MAX_LINE_BYTES bytes (its ending not counted) comes out, one of
    MAX_LINE_BYTES + 1 does not. It is checked as the blocks arrive: the part of a line kept between blocks is never
    over MAX_LINE_BYTES (plus a "\r" that may start a "\r\n"); a longer line is dropped as it is read.
    """
    line_no = 0
    pending = b""
    skipping = False  # inside a line that is too long: drop bytes until its end
    total = 0
    first = True
    while True:
        block = stream.read(BLOCK)
        total += len(block)
        if first:
            _refuse_utf16(block[:4])
            if block.startswith(codecs.BOM_UTF8):
                block = block[len(codecs.BOM_UTF8) :]
            first = False
        if not block:
            break
        data = pending + block
        # A "\r" at the very end may be the first half of "\r\n": keep it for the next block.
        cut = len(data) - 1 if data.endswith(b"\r") else len(data)
        start = 0
        # `pending` holds no line ending but perhaps a last "\r": only the new bytes (and that "\r") need a scan.
        for match in _NEWLINE.finditer(data, max(len(pending) - 1, 0), cut):
            line_no += 1
            if skipping or match.start() - start > MAX_LINE_BYTES:
                skipping = False
                yield line_no, None, total
            else:
                yield line_no, data[start : match.start()], total
            start = match.end()
        if skipping or cut - start > MAX_LINE_BYTES:
            skipping, pending = True, data[cut:]  # only a trailing "\r", if any
        else:
            pending = data[start:]
    if skipping:
        yield line_no + 1, None, total
    elif pending:
        line = pending.removesuffix(b"\r")  # a last "\r" is that line's ending
        yield line_no + 1, (None if len(line) > MAX_LINE_BYTES else line), total


# --- JSON Lines -----------------------------------------------------------------------------------------


def jsonl_records(stream: BinaryIO, *, undecoded: bool = False) -> Iterator[Record]:
    """One Record per non-blank line. With `undecoded`, valid-looking lines come as their bytes (`Record.raw`):
    the import validates them straight from bytes and calls `decoded` only for a line that fails."""
    for line_no, raw, offset in physical_lines(stream):
        if raw is None:
            reason = f"Line longer than {MAX_LINE_BYTES:,} bytes ({MAX_LINE_BYTES // 1024} KB): refused unread"
            yield Record(line_no, problems=[("", reason)], offset=offset)
            continue
        if not raw.strip():
            continue
        yield Record(line_no, raw=raw, offset=offset) if undecoded else _jsonl_record(line_no, raw, offset)


def decoded(record: Record) -> Record:
    """An undecoded JSON Lines record as the reader would have given it: its dict, or the reader's problem."""
    if record.raw is None:
        return record
    return _jsonl_record(record.line_no, record.raw, record.offset)


def _jsonl_record(line_no: int, raw: bytes, offset: int) -> Record:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Record(line_no, problems=[("", _not_utf8(exc))], offset=offset)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return Record(line_no, problems=[("", f"Not valid JSON: {exc.msg} at column {exc.colno}")], offset=offset)
    if not isinstance(data, dict):
        return Record(line_no, problems=[("", "Each line must be one JSON object ({...})")], offset=offset)
    return Record(line_no, data=data, offset=offset)


# --- CSV ------------------------------------------------------------------------------------------------


def _clean_header(name: str) -> str:
    return name.strip().lower().replace(" ", "_")


def csv_header(stream: BinaryIO) -> list[str]:
    """The file's column names (as written), for the mapping step."""
    for _line_no, raw, _ in physical_lines(stream):
        if raw is None:
            raise FileProblem("The header line is too long")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileProblem(f"Header: {_not_utf8(exc)}") from None
        if text.strip():
            return [c.strip() for c in next(csv.reader([text]))]
    raise FileProblem("The file is empty: expected a header line naming the columns")


def resolve_columns(header: list[str], mapping: dict[str, str]) -> tuple[list[str], list[str]]:
    """Each file column's documented name ("" = ignored), and the problems that stop the import."""
    resolved, problems, unknown = [], [], []
    for name in header:
        if name in mapping:
            target = mapping[name]
        elif _clean_header(name) in CSV_COLUMNS:
            target = _clean_header(name)
        else:
            unknown.append(name)
            target = IGNORE
        if target and target not in CSV_COLUMNS:
            problems.append(f"Column '{name}' is mapped to '{target}', which is not a documented column")
        resolved.append(target)
    if unknown:
        problems.append(
            "Columns not in the documented header: "
            + ", ".join(f"'{u}'" for u in unknown)
            + ". Map each to a documented column or choose not to import it."
        )
    taken = [c for c in resolved if c]
    for column in sorted({c for c in taken if taken.count(c) > 1}):
        problems.append(f"More than one column gives '{column}'")
    for column in REQUIRED_CSV_COLUMNS:
        if column not in taken:
            problems.append(f"Required column '{column}' is missing")
    return resolved, problems


class _Overlong(Exception):
    """A CSV line (or a record over several lines) longer than MAX_LINE_BYTES characters: dropped unread."""


class _BoundedLines:
    """The text's physical lines for csv.reader, none longer than MAX_LINE_BYTES characters and no record longer.

    csv.reader reads whole lines, so one 200 MB field with no line ending would sit in memory whole. Here each line is
    read with readline(limit): a longer line is read on and dropped as it arrives, and `_Overlong` is raised
    through the reader (which starts afresh at the next row). A record's lines (a quoted field may hold line
    endings) are counted since the last row came out: past MAX_LINE_BYTES the same happens. `count` numbers the
    physical lines read, dropped ones included, so line numbers match an editor.
    """

    def __init__(self, text):
        self.text = text
        self.count = 0
        self.since_row = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.text.readline(MAX_LINE_BYTES + 1)
        if not line:
            raise StopIteration
        self.count += 1
        too_long = len(line) > MAX_LINE_BYTES and line[-1] not in "\r\n"
        while line and line[-1] not in "\r\n" and too_long:
            line = self.text.readline(MAX_LINE_BYTES + 1)
        self.since_row += len(line)
        if too_long or self.since_row > MAX_LINE_BYTES + 2:
            self.since_row = 0
            raise _Overlong
        return line

    def row_done(self) -> None:
        self.since_row = 0


def csv_records(stream: BinaryIO, mapping: dict[str, str]) -> Iterator[Record]:
    counting = _Counting(stream)
    head = stream.peek(4)[:4] if hasattr(stream, "peek") else b""
    _refuse_utf16(head)
    # surrogateescape: a bad byte becomes a marker we find in the row, so one bad row is one error.
    text = io.TextIOWrapper(
        io.BufferedReader(counting, BLOCK), encoding="utf-8-sig", errors="surrogateescape", newline=""
    )
    lines = _BoundedLines(text)
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise FileProblem("The file is empty: expected a header line naming the columns") from None
    except _Overlong:
        raise FileProblem(f"The header line is longer than {MAX_LINE_BYTES:,} characters") from None
    except csv.Error as exc:
        raise FileProblem(f"The header line cannot be read: {exc}") from None
    lines.row_done()
    if any("\udc80" <= ch <= "\udcff" for name in header for ch in name):
        raise FileProblem("The header line is not UTF-8 text. Save the file as UTF-8.")
    columns, problems = resolve_columns([c.strip() for c in header], mapping)
    if problems:
        raise FileProblem("; ".join(problems))
    last_line = lines.count
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except (csv.Error, _Overlong) as exc:
            line_no = last_line + 1
            last_line = lines.count
            if isinstance(exc, _Overlong):
                reason = f"Row longer than {MAX_LINE_BYTES:,} characters ({MAX_LINE_BYTES // 1024} KB): refused unread"
            else:
                reason = f"Cannot read this CSV row: {exc}"
            lines.row_done()
            yield Record(line_no, problems=[("", reason)], offset=counting.count)
            continue
        lines.row_done()
        line_no, last_line = last_line + 1, lines.count
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            reason = f"This row has {len(row)} values but the header has {len(columns)} columns"
            yield Record(line_no, problems=[("", reason)], offset=counting.count)
            continue
        bad = next((n for n, cell in enumerate(row) if any("\udc80" <= ch <= "\udcff" for ch in cell)), None)
        if bad is not None:
            reason = f"Not UTF-8 text in column '{header[bad].strip()}'. Save the file as UTF-8."
            yield Record(line_no, problems=[(header[bad].strip(), reason)], offset=counting.count)
            continue
        cells = {name: value for name, value in zip(columns, row, strict=True) if name}
        yield Record(line_no, data=csv_row_to_record(cells), offset=counting.count)


# --- XML ------------------------------------------------------------------------------------------------

_LIST_PERSON = {"displayName": "displayNames", "profileUrl": "profileUrls", "deviceId": "deviceIds"}
_LIST_PERSON.update({"associatedAccount": "associatedAccounts"})


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(element) -> str:
    return (element.text or "").strip()


def _children(element) -> dict[str, list]:
    found: dict[str, list] = {}
    for child in element:
        found.setdefault(_local(child.tag), []).append(child)
    return found


def _first(children: dict, name: str) -> str | None:
    items = children.get(name)
    return _text(items[0]) if items and _text(items[0]) else None


def _boolean(text: str | None):
    if text is None:
        return None
    return {"true": True, "1": True, "false": False, "0": False}.get(text.lower(), text)


def _integer(text: str | None):
    return int(text) if text is not None and text.isdigit() else text


def _put(target: dict, key: str, value) -> None:
    if value not in (None, [], {}):
        target[key] = value


def _xml_summary(element) -> dict:
    c = _children(element)
    summary: dict = {}
    for name in ("incidentType", "incidentDateTime", "incidentDateTimeDescription", "platform", "escalationReason"):
        _put(summary, name, _first(c, name))
    _put(summary, "escalateToHighPriority", _boolean(_first(c, "escalateToHighPriority")))
    annotations = []
    for holder in c.get("reportAnnotations", []):
        # Tipline style is one empty element per flag (<sextortion/>); text values are accepted too.
        annotations += [_text(a) or _local(a.tag) for a in holder]
    _put(summary, "reportAnnotations", annotations)
    return summary


def _xml_internet(element) -> dict:
    c = _children(element)
    internet: dict = {}
    if "webPageIncident" in c:
        web = _children(c["webPageIncident"][0])
        _put(internet, "webPageIncident", {"urls": [_text(u) for u in web.get("url", [])]})
    if "chatImIncident" in c:
        chat = _children(c["chatImIncident"][0])
        internet["chatImIncident"] = {
            k: v for k in ("chatClient", "chatRoomName", "conversationReference") if (v := _first(chat, k))
        }
    if "onlineGamingIncident" in c:
        game = _children(c["onlineGamingIncident"][0])
        internet["onlineGamingIncident"] = {k: v for k in ("gameName", "console") if (v := _first(game, k))}
    if "emailIncident" in c:
        mail = _children(c["emailIncident"][0])
        internet["emailIncident"] = {"emailAddresses": [_text(e) for e in mail.get("emailAddress", [])]}
    if "cellPhoneIncident" in c:
        _put(
            internet, "cellPhoneIncident", {"phoneNumber": _first(_children(c["cellPhoneIncident"][0]), "phoneNumber")}
        )
    return internet


def _xml_person(element) -> tuple[dict, str | None]:
    c = _children(element)
    person: dict = {}
    postcode = None
    for name in ("espIdentifier", "espService", "screenName"):
        _put(person, name, _first(c, name))
    for tag, key in _LIST_PERSON.items():
        _put(person, key, [_text(e) for e in c.get(tag, []) if _text(e)])
    emails, phones = [], []
    for named in c.get("personOrUserReportedPerson", []):
        details = _children(named)
        emails += [_text(e) for e in details.get("email", []) if _text(e)]
        phones += [_text(p) for p in details.get("phone", []) if _text(p)]
        for address in details.get("address", []):
            postcode = postcode or _first(_children(address), "postalCode")
    emails += [_text(e) for e in c.get("email", []) if _text(e)]
    phones += [_text(p) for p in c.get("phone", []) if _text(p)]
    _put(person, "emails", emails)
    _put(person, "phones", phones)
    events = []
    for event in c.get("ipCaptureEvent", []):
        e = _children(event)
        item = {k: v for k in ("ipAddress", "eventName", "dateTime") if (v := _first(e, k))}
        _put(item, "port", _integer(_first(e, "port")))
        _put(item, "possibleProxy", _boolean(_first(e, "possibleProxy")))
        events.append(item)
    _put(person, "ipCaptureEvents", events)
    for location in c.get("estimatedLocation", []):
        loc = _children(location)
        _put(person, "estimatedLocation", {k: v for k in ("countryCode", "region", "city") if (v := _first(loc, k))})
    return person, postcode


def _xml_victim(element) -> dict:
    c = _children(element)
    victim: dict = {}
    _put(victim, "age", _integer(_first(c, "age")))
    for name in ("dateOfBirth", "espIdentifier", "screenName", "schoolName"):
        _put(victim, name, _first(c, name))
    _put(victim, "displayNames", [_text(e) for e in c.get("displayName", []) if _text(e)])
    return victim


def _xml_file(element) -> dict:
    c = _children(element)
    details: dict = {}
    for name in ("originalFileName", "fileRelevance", "industryClassification", "details"):
        _put(details, name, _first(c, name))
    for name in ("fileViewedByEsp", "publiclyAvailable"):
        _put(details, name, _boolean(_first(c, name)))
    for hashed in c.get("originalFileHash", []):
        details["originalFileHash"] = _text(hashed)
        if hashed.get("hashType"):
            details["originalFileHashType"] = hashed.get("hashType")
    return details


def xml_report_to_record(element) -> dict:
    """One <report> element as a ReferralIn-shaped dict. Sections `reporter` and `lawEnforcement` are not imported."""
    c = _children(element)
    record: dict = {}
    if "incidentSummary" in c:
        record["incidentSummary"] = _xml_summary(c["incidentSummary"][0])
    if "internetDetails" in c:
        _put(record, "internetDetails", _xml_internet(c["internetDetails"][0]))
    if "personOrUserReported" in c:
        person, postcode = _xml_person(c["personOrUserReported"][0])
        _put(record, "personOrUserReported", person)
        _put(record, "suspectPostcode", postcode)
    _put(record, "victims", [_xml_victim(v) for v in c.get("victim", [])])
    _put(record, "additionalInfo", _first(c, "additionalInfo"))
    _put(record, "fileDetails", [_xml_file(f) for f in c.get("fileDetails", [])])
    reference = element.get("id") or _first(c, "reportId")
    _put(record, "partnerReference", reference)
    return record


class _XmlRefused(Exception):
    """Raised inside an expat handler: the file is refused from this point (carries the message)."""


class _XmlReader:
    """Drives expat directly so that no text is held beyond the caps while the file is parsed.

    ElementTree's iterparse hands an element over only once its text is complete, so one 200 MB text node sat
    in memory whole. Here each piece of character data is counted as expat reports it (in pieces, as the bytes
    arrive): an element's text past MAX_XML_TEXT_BYTES, or a report's text and attributes past
    MAX_XML_REPORT_BYTES, is dropped at once and that report is refused with the reason; the rest of the file
    is read as usual (the parser is never out of step, so nothing needs resynchronising). Only a report's own
    elements are built into a tree, and each tree goes once its report is handed out.
    """

    def __init__(self) -> None:
        self.parser = expat.ParserCreate(namespace_separator=" ")
        p = self.parser
        # Character data in pieces of up to XML_FEED characters (not one call per line of text).
        p.buffer_text, p.buffer_size = True, XML_FEED
        p.StartElementHandler = self.start
        p.EndElementHandler = self.end
        p.CharacterDataHandler = self.data
        p.StartDoctypeDeclHandler = self.doctype
        p.EntityDeclHandler = self.entity
        # No-ops that still mark progress, so a long run of comments is not taken for one endless token.
        p.CommentHandler = self.event
        p.ProcessingInstructionHandler = self.event
        p.XmlDeclHandler = self.event
        self.depth = 0
        self.seen_root = False
        self.builder: TreeBuilder | None = None  # while inside a <report>
        self.report_depth = 0
        self.report_id: str | None = None
        self.elements_in_report = 0
        self.text_bytes = 0  # of the text (or tail) being read now
        self.report_bytes = 0  # text and attributes of the report being read
        self.refusal = ""  # why the report being read is refused
        self.ready: list = []  # (element or None, refusal) of reports finished during the last feed
        self.last_event = 0  # byte index of the last event expat reported

    @staticmethod
    def _name(tag: str) -> str:
        uri, _, local = tag.rpartition(" ")
        return f"{{{uri}}}{local}" if uri else local

    def event(self, *_args) -> None:
        self.last_event = self.parser.CurrentByteIndex

    def doctype(self, *_args) -> None:
        raise _XmlRefused(
            "The XML declares a DTD or entities (DTDForbidden). Referral files must not: entity expansion and "
            "external references are refused as unsafe. Nothing after it was read."
        )

    entity = doctype

    def start(self, tag: str, attrs: dict) -> None:
        self.last_event = self.parser.CurrentByteIndex
        self.depth += 1
        self.text_bytes = 0
        if self.depth > MAX_XML_DEPTH:
            raise _XmlRefused(f"Elements are nested more than {MAX_XML_DEPTH} deep: refused as unsafe")
        name = self._name(tag) if " " in tag else tag
        builder = self.builder
        if builder is None:
            self.seen_root = True
            if self.depth > 2 or not (name == "report" or name.endswith("}report")):
                return  # outside any report: nothing is kept
            builder = self.builder = TreeBuilder()
            self.report_depth = self.depth
            self.elements_in_report, self.report_bytes, self.refusal = 0, 0, ""
            self.report_id = attrs.get("id")
        else:
            self.elements_in_report += 1
            if self.elements_in_report > MAX_XML_ELEMENTS_PER_REPORT and not self.refusal:
                self.refusal = f"More than {MAX_XML_ELEMENTS_PER_REPORT} elements in one report: refused"
        if attrs:
            self.report_bytes += sum(len(k) + len(v) for k, v in attrs.items())
            if self.report_bytes > MAX_XML_REPORT_BYTES and not self.refusal:
                self.refusal = f"More than {MAX_XML_REPORT_BYTES // 1024} KB of text in one report: refused"
            if any(" " in k for k in attrs):
                attrs = {self._name(k): v for k, v in attrs.items()}
        if not self.refusal:
            builder.start(name, attrs)

    def end(self, tag: str) -> None:
        self.last_event = self.parser.CurrentByteIndex
        self.text_bytes = 0
        builder = self.builder
        if builder is not None:
            if not self.refusal:
                builder.end(self._name(tag) if " " in tag else tag)
            if self.depth == self.report_depth:
                self.ready.append((None if self.refusal else builder.close(), self.refusal, self.report_id))
                self.builder = None
        self.depth -= 1

    def data(self, text: str) -> None:
        self.last_event = self.parser.CurrentByteIndex
        if self.builder is None or self.refusal:
            return  # text outside reports, or in a refused report, is never kept
        size = len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
        self.text_bytes += size
        self.report_bytes += size
        if self.text_bytes > MAX_XML_TEXT_BYTES:
            self.refusal = (
                f"The text of one element is longer than {MAX_XML_TEXT_BYTES // 1024} KB "
                f"(the longest field, additionalInfo, is at most 10,000 characters): refused"
            )
        elif self.report_bytes > MAX_XML_REPORT_BYTES:
            self.refusal = f"More than {MAX_XML_REPORT_BYTES // 1024} KB of text in one report: refused"
        else:
            self.builder.data(text)


def _xml_not_well_formed(exc: expat.ExpatError, number: int, *, at_end: bool) -> FileProblem:
    where = f"line {exc.lineno}, column {exc.offset}"
    reason = expat.ErrorString(exc.code)
    if at_end:
        # Every cut of a well-formed file is only found at its end: the reports before the cut were complete.
        return FileTruncated(
            f"The XML ends early (truncated): not well-formed at {where} ({reason}). "
            f"{number} reports before that point were read; nothing after it. The import stopped after report "
            f"{number}: import the complete file again and those {number} reports are recognised as duplicates, "
            "so only the rest are imported.",
            resume_after=number,
        )
    return FileProblem(
        f"The XML is not well-formed at {where} ({reason}): the file may be truncated or not in its declared "
        f"encoding. {number} reports before that point were read; nothing after it."
    )


def xml_records(stream: BinaryIO) -> Iterator[Record]:
    """One Record per <report> (a child or grandchild of the root), fed to expat XML_FEED bytes at a time.

    No DTD at all (so no entities, no external references), nesting at most MAX_XML_DEPTH, caps on one
    element's text (MAX_XML_TEXT_BYTES), on one report's text (MAX_XML_REPORT_BYTES) and on any single tag,
    comment or instruction (MAX_XML_TOKEN_BYTES, which expat must hold whole: beyond it the file is refused).
    """
    head = stream.read(4)
    _refuse_utf16(head)
    reader = _XmlReader()
    number = 0
    fed = 0
    block = head
    final = False
    while True:
        if not block and not final:
            final = True
        try:
            reader.parser.Parse(block, final)
        except _XmlRefused as exc:
            raise FileProblem(str(exc)) from None
        except expat.ExpatError as exc:
            raise _xml_not_well_formed(exc, number, at_end=final) from None
        fed += len(block)
        for element, refusal, report_id in reader.ready:
            number += 1
            label = f"report {number}" + (f" (id {report_id})" if report_id else "")
            if refusal:
                yield Record(number, label, problems=[("", refusal)], offset=fed)
            else:
                yield Record(number, label, data=xml_report_to_record(element), offset=fed)
        reader.ready.clear()
        if fed - reader.last_event > MAX_XML_TOKEN_BYTES:
            raise FileProblem(
                f"One tag, attribute, comment or instruction is longer than {MAX_XML_TOKEN_BYTES // 1024} KB "
                f"(at byte {reader.last_event + 1}): refused as unsafe. {number} reports before it were read; "
                "nothing after it."
            )
        if final:
            break
        block = stream.read(XML_FEED)
    if not reader.seen_root:
        raise FileProblem("The file holds no XML")


def open_records(
    stream: BinaryIO, fmt: str, mapping: dict[str, str] | None = None, *, undecoded: bool = False
) -> Iterator[Record]:
    """The file's records; `undecoded`: JSON Lines as bytes for the import's validator (see `jsonl_records`)."""
    if fmt == "jsonl":
        return jsonl_records(stream, undecoded=undecoded)
    if fmt == "csv":
        return csv_records(stream, mapping or {})
    if fmt == "xml":
        return xml_records(stream)
    raise FileProblem(f"Unknown format '{fmt}'")


def guess_format(name: str) -> str | None:
    lowered = name.lower()
    for suffix, fmt in (
        (".jsonl", "jsonl"),
        (".ndjson", "jsonl"),
        (".json", "jsonl"),
        (".csv", "csv"),
        (".xml", "xml"),
    ):
        if lowered.endswith(suffix):
            return fmt
    return None
