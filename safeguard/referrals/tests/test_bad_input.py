"""Bad input: each case is a clear error or documented behaviour (docs/adr/0071), never a crash or silent loss."""

import io

import pytest

from safeguard.referrals import parsers
from safeguard.referrals.models import ImportState, ReferralError

from .conftest import jsonl, record

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<reports><report><additionalInfo>&lol3;</additionalInfo></report></reports>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<reports><report><additionalInfo>&xxe;</additionalInfo></report></reports>
"""
REPORT_XML = """<report id="P-{n}">
  <incidentSummary><incidentType>online_enticement_of_children</incidentType>
    <incidentDateTime>2026-10-01T12:00:00Z</incidentDateTime>
    <reportAnnotations><asked_to_keep_secret/></reportAnnotations></incidentSummary>
  <personOrUserReported>
    <personOrUserReportedPerson><email>xml{n}@example.net</email><address><postalCode>SW1A 1AA</postalCode></address>
    </personOrUserReportedPerson>
    <screenName>xml_user_{n}</screenName>
    <ipCaptureEvent><ipAddress>81.2.69.160</ipAddress><eventName>Login</eventName>
      <dateTime>2026-10-01T11:00:00Z</dateTime></ipCaptureEvent>
  </personOrUserReported>
  <victim><age>12</age></victim>
  <additionalInfo>Proposed meeting offline. Café {n}</additionalInfo>
  <fileDetails><originalFileHash hashType="MD5">0123456789abcdef0123456789abcdef</originalFileHash></fileDetails>
</report>"""


def xml_bundle(*numbers, encoding="utf-8") -> bytes:
    body = "".join(REPORT_XML.format(n=n) for n in numbers)
    return f'<?xml version="1.0" encoding="{encoding}"?>\n<reportBundle>{body}</reportBundle>\n'.encode(encoding)


def read(data: bytes, fmt: str, mapping=None) -> list[parsers.Record]:
    return list(parsers.open_records(io.BufferedReader(io.BytesIO(data)), fmt, mapping))


# --- XML ------------------------------------------------------------------------------------------------


def test_xml_bundle_maps_to_the_partner_shape():
    records = read(xml_bundle(1, 2), "xml")
    assert [r.line_no for r in records] == [1, 2]
    data = records[0].data
    assert records[0].element == "report 1 (id P-1)"
    assert data["incidentSummary"]["reportAnnotations"] == ["asked_to_keep_secret"]
    assert data["personOrUserReported"]["emails"] == ["xml1@example.net"]
    assert data["suspectPostcode"] == "SW1A 1AA"
    assert data["victims"] == [{"age": 12}]
    assert data["fileDetails"][0]["originalFileHashType"] == "MD5"
    assert data["partnerReference"] == "P-1"


def test_billion_laughs_is_refused_without_expanding():
    with pytest.raises(parsers.FileProblem, match="DTD or entities"):
        read(BILLION_LAUGHS, "xml")


def test_external_entity_is_refused():
    with pytest.raises(parsers.FileProblem, match="external references are refused"):
        read(EXTERNAL_ENTITY, "xml")


def test_deep_nesting_is_refused():
    deep = b"<reports>" + b"<a>" * 40 + b"</a>" * 40 + b"</reports>"
    with pytest.raises(parsers.FileProblem, match="nested more than"):
        read(deep, "xml")


def test_truncated_xml_keeps_earlier_reports_and_says_where_it_stopped():
    data = xml_bundle(1, 2)
    records = []
    with pytest.raises(parsers.FileProblem, match=r"not well-formed at line \d+.*1 reports before"):
        for item in parsers.open_records(io.BufferedReader(io.BytesIO(data[: len(data) * 3 // 4])), "xml"):
            records.append(item)
    assert [r.line_no for r in records] == [1]


def test_xml_in_its_declared_encoding_is_read():
    records = read(xml_bundle(1, encoding="iso-8859-1"), "xml")
    assert records[0].data["additionalInfo"].endswith("Café 1")


def test_xml_with_bytes_wrong_for_its_declared_encoding_is_a_clear_error():
    data = xml_bundle(1, encoding="iso-8859-1").replace(b'encoding="iso-8859-1"', b'encoding="utf-8"')
    with pytest.raises(parsers.FileProblem, match=r"not well-formed.*declared encoding"):
        read(data, "xml")


# --- JSON Lines -----------------------------------------------------------------------------------------


def test_bom_and_mixed_line_endings_are_accepted():
    lines = [jsonl(record(n)).strip() for n in (1, 2, 3, 4)]
    data = b"\xef\xbb\xbf" + lines[0] + b"\r\n" + lines[1] + b"\n" + lines[2] + b"\r" + lines[3]
    records = read(data, "jsonl")
    assert [r.line_no for r in records] == [1, 2, 3, 4]
    assert all(r.data and not r.problems for r in records)


def test_crlf_split_across_blocks_is_one_line_ending(monkeypatch):
    monkeypatch.setattr(parsers, "BLOCK", 7)
    data = b'{"a":1}\r\n{"b":2}\r\n'
    assert [r.line_no for r in read(data, "jsonl")] == [1, 2]


def test_a_line_that_is_not_utf8_is_rejected_alone():
    data = jsonl(record(1)) + b'{"x": "caf\xe9"}\n' + jsonl(record(3))
    records = read(data, "jsonl")
    assert records[1].problems[0][1].startswith("Not UTF-8 text: byte 0xE9 at position 11")
    assert records[0].data and records[2].data


def test_utf16_file_is_refused_as_a_whole():
    with pytest.raises(parsers.FileProblem, match="UTF-16"):
        read(jsonl(record(1)).decode().encode("utf-16"), "jsonl")


def test_truncated_jsonl_rejects_only_the_cut_line():
    data = jsonl(record(1), record(2))
    records = read(data[:-40], "jsonl")
    assert records[0].data and "Not valid JSON" in records[1].problems[0][1]


def test_over_long_line_is_rejected_without_holding_it(monkeypatch):
    monkeypatch.setattr(parsers, "MAX_LINE_BYTES", 100)
    monkeypatch.setattr(parsers, "BLOCK", 64)
    data = b'{"a": "' + b"x" * 500 + b'"}\n{"b": 1}\n'
    records = read(data, "jsonl")
    assert "longer than" in records[0].problems[0][1] and records[1].data == {"b": 1}


# --- CSV ------------------------------------------------------------------------------------------------

HEADER = "incident_type,incident_datetime,screen_name,emails,postcode,victim_age\r\n"


def test_csv_documented_header():
    data = (
        HEADER + "online_enticement_of_children,2026-10-01T12:00:00Z,sam_x,a@example.net;b@example.net,LS1 4AP,14\n"
    ).encode()
    (row,) = read(data, "csv")
    assert row.line_no == 2
    assert row.data["personOrUserReported"] == {"screenName": "sam_x", "emails": ["a@example.net", "b@example.net"]}
    assert row.data["suspectPostcode"] == "LS1 4AP" and row.data["victims"] == [{"age": 14}]


def test_csv_missing_required_column_stops_before_any_line():
    with pytest.raises(parsers.FileProblem, match="Required column 'incident_datetime' is missing"):
        read(b"incident_type,screen_name\nx,y\n", "csv")


def test_csv_extra_column_needs_a_mapping():
    data = (
        HEADER.strip() + ",Suspect Nickname\r\nonline_enticement_of_children,2026-10-01T12:00:00Z,a,,,,nick\n"
    ).encode()
    with pytest.raises(parsers.FileProblem, match=r"'Suspect Nickname'.*Map each"):
        read(data, "csv")
    (row,) = read(data, "csv", mapping={"Suspect Nickname": "display_names"})
    assert row.data["personOrUserReported"]["displayNames"] == ["nick"]
    (row,) = read(data, "csv", mapping={"Suspect Nickname": ""})
    assert "displayNames" not in row.data["personOrUserReported"]


def test_csv_row_with_missing_or_extra_values_is_rejected_alone():
    data = (
        HEADER
        + "online_enticement_of_children,2026-10-01T12:00:00Z,a\n"
        + "online_enticement_of_children,2026-10-01T12:00:00Z,b,,,,surplus\n"
        + "online_enticement_of_children,2026-10-01T12:00:00Z,c,,,\n"
    ).encode()
    records = read(data, "csv")
    assert records[0].problems == [("", "This row has 3 values but the header has 6 columns")]
    assert records[1].problems == [("", "This row has 7 values but the header has 6 columns")]
    assert records[2].data and records[2].line_no == 4


def test_csv_bom_mixed_endings_and_bad_bytes():
    data = b"\xef\xbb\xbf" + HEADER.encode() + b"online_enticement_of_children,2026-10-01T12:00:00Z,a,,,\r"
    data += b"online_enticement_of_children,2026-10-01T12:00:00Z,caf\xe9,,,\n"
    data += b"online_enticement_of_children,2026-10-01T12:00:00Z,c,,,\r\n"
    records = read(data, "csv")
    assert [r.line_no for r in records] == [2, 3, 4]
    assert records[0].data and records[2].data
    assert "Not UTF-8 text in column 'screen_name'" in records[1].problems[0][1]


# --- through the import ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_xml_bomb_import_fails_clearly_and_imports_nothing(importer):
    imp = importer(BILLION_LAUGHS, "xml")
    assert imp.state == ImportState.FAILED
    assert "DTD or entities" in imp.fatal_error
    assert imp.accepted == 0


@pytest.mark.django_db
def test_truncated_xml_import_keeps_what_came_before(importer):
    data = xml_bundle(1, 2, 3)
    imp = importer(data[: len(data) - 200], "xml", chunk_size=10)
    assert imp.state == ImportState.FAILED
    assert imp.accepted == 2 and "not well-formed" in imp.fatal_error


@pytest.mark.django_db
def test_xml_import_routes_by_postcode_and_records_file_hashes(importer):
    from safeguard.subjects.models import ReportIdentifier

    imp = importer(xml_bundle(1, 2), "xml")
    assert imp.accepted == 2
    assert ReportIdentifier.objects.filter(kind="file_hash", value="0123456789abcdef0123456789abcdef").count() == 2


@pytest.mark.django_db
def test_csv_import_with_bad_rows(importer):
    data = (
        HEADER
        + "online_enticement_of_children,2026-10-01T12:00:00Z,a\n"
        + "online_enticement_of_children,2026-10-01T12:00:00Z,b,,,\n"
    ).encode()
    imp = importer(data, "csv")
    assert (imp.accepted, imp.rejected) == (1, 1)
    assert ReferralError.objects.get(referral_import=imp).line_no == 2


def test_undecoded_jsonl_records_decode_as_the_reader_reads_them():
    data = b'{"a": 1}\n\n[1, 2]\n{not json\n\xff{"b": 2}\n{"c": "caf\xc3\xa9"}\r\n'
    plain = read(data, "jsonl")
    undecoded = list(parsers.open_records(io.BufferedReader(io.BytesIO(data)), "jsonl", undecoded=True))
    assert all(r.raw is not None and r.data is None for r in undecoded)
    again = [parsers.decoded(r) for r in undecoded]
    assert [(r.line_no, r.data, r.problems, r.offset) for r in again] == [
        (r.line_no, r.data, r.problems, r.offset) for r in plain
    ]
