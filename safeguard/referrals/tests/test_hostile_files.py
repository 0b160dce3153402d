"""Issue 21: hostile referral files. Each attack case as the issue lists it, with the files generated as they are
read (tests/hostile.py), and memory measured with tracemalloc while the reader runs."""

import io
import tracemalloc

import pytest

from safeguard.referrals import parsers
from safeguard.referrals.models import ImportState, ReferralError

from . import hostile
from .conftest import jsonl, record

MB = 1 << 20


def _read_all(data_or_stream, fmt: str, mapping=None) -> list[parsers.Record]:
    source = data_or_stream
    if isinstance(source, bytes):
        source = io.BufferedReader(io.BytesIO(source))
    return list(parsers.open_records(source, fmt, mapping))


def _peak_mb(action) -> tuple[object, float]:
    tracemalloc.start()
    try:
        result = action()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak / MB


# --- XML: a cap on one element's text, enforced while parsing ------------------------------------------


def test_a_200_mb_xml_text_node_is_refused_while_parsing_and_never_held():
    records, peak = _peak_mb(lambda: _read_all(hostile.stream(hostile.huge_text_node_xml(200 * MB)), "xml"))
    assert [r.line_no for r in records] == [1, 2]
    assert records[0].element == "report 1 (id HUGE)"
    assert records[0].data is None
    assert "longer than 64 KB" in records[0].problems[0][1]
    assert records[1].data["partnerReference"] == "OK-1"  # the report after it is read as usual
    assert peak < 4, f"{peak:.1f} MB traced while reading a 200 MB text node"


def test_xml_text_exactly_at_the_cap_is_read_and_one_byte_more_is_refused():
    def report(size: int) -> bytes:
        return (
            b"<reportBundle><report><additionalInfo>"
            + b"x" * size
            + b"</additionalInfo></report>"
            + hostile.ORDINARY_XML_REPORT
            + b"</reportBundle>"
        )

    at_cap = _read_all(report(parsers.MAX_XML_TEXT_BYTES), "xml")
    over = _read_all(report(parsers.MAX_XML_TEXT_BYTES + 1), "xml")
    assert at_cap[0].data is not None and len(at_cap[0].data["additionalInfo"]) == parsers.MAX_XML_TEXT_BYTES
    assert over[0].data is None and "longer than 64 KB" in over[0].problems[0][1]
    assert over[1].data is not None


def test_xml_text_cap_counts_utf8_bytes_not_characters():
    text = "é" * (parsers.MAX_XML_TEXT_BYTES // 2 + 1)  # two bytes each: one byte over the cap
    data = f"<r><report><additionalInfo>{text}</additionalInfo></report></r>".encode()
    assert _read_all(data, "xml")[0].problems


def test_many_capped_texts_in_one_report_are_refused_at_the_report_cap():
    records, peak = _peak_mb(lambda: _read_all(hostile.stream(hostile.many_texts_in_one_report_xml(20 * MB)), "xml"))
    assert len(records) == 1 and "KB of text in one report" in records[0].problems[0][1]
    assert peak < 4


def test_a_huge_attribute_refuses_the_file_from_there():
    with pytest.raises(parsers.FileProblem, match="longer than 1024 KB"):
        _read_all(hostile.stream(hostile.huge_attribute_xml(20 * MB)), "xml")


def test_many_comments_are_not_taken_for_one_long_token():
    data = b"<reportBundle>" + b"<!-- c -->" * 300_000 + hostile.ORDINARY_XML_REPORT + b"</reportBundle>"
    assert len(data) > 2 * parsers.MAX_XML_TOKEN_BYTES
    assert _read_all(data, "xml")[0].data is not None


def test_deeply_nested_hostile_file_is_refused_without_reading_on():
    with pytest.raises(parsers.FileProblem, match="nested more than"):
        _read_all(hostile.stream(hostile.deep_nesting_xml(200 * MB)), "xml")


# --- JSON Lines: the line limit exact, checked as bytes arrive -------------------------------------------


@pytest.mark.parametrize("block", [parsers.BLOCK, 4096, 1000, 7])
def test_a_line_of_max_line_bytes_passes_and_one_byte_more_is_refused(monkeypatch, block):
    monkeypatch.setattr(parsers, "MAX_LINE_BYTES", 100)
    monkeypatch.setattr(parsers, "BLOCK", block)
    at_limit = b'{"a": "' + b"x" * 91 + b'"}'
    assert len(at_limit) == 100
    over = b'{"a": "' + b"x" * 92 + b'"}'
    for ending in (b"\n", b"\r\n", b"\r"):
        records = _read_all(at_limit + ending + over + ending + at_limit, "jsonl")
        assert [r.line_no for r in records] == [1, 2, 3]
        assert records[0].data == {"a": "x" * 91} and records[2].data == {"a": "x" * 91}
        assert records[1].data is None and "Line longer than 100 bytes" in records[1].problems[0][1]


def test_the_real_limit_is_exact_at_one_mib():
    at_limit = b"".join(hostile.long_jsonl_lines(1, parsers.MAX_LINE_BYTES))
    over = b"".join(hostile.long_jsonl_lines(1, parsers.MAX_LINE_BYTES + 1))
    lines = list(parsers.physical_lines(io.BufferedReader(io.BytesIO(at_limit + over))))
    assert len(lines[0][1]) == parsers.MAX_LINE_BYTES and lines[1][1] is None


def test_195_lines_just_over_1_mb_are_each_refused_and_memory_stays_flat():
    lines = hostile.long_jsonl_lines(195, parsers.MAX_LINE_BYTES + 1)
    records, peak = _peak_mb(lambda: _read_all(hostile.stream(lines), "jsonl"))
    assert len(records) == 195
    assert all(r.data is None and "Line longer than" in r.problems[0][1] for r in records)
    # A few blocks and at most one limit of a line at any time (195 MB went through): flat, whatever the count.
    _, peak_of_five = _peak_mb(
        lambda: _read_all(hostile.stream(hostile.long_jsonl_lines(5, parsers.MAX_LINE_BYTES + 1)), "jsonl")
    )
    assert peak < 8 and peak - peak_of_five < 1, f"{peak:.1f} MB (5 lines: {peak_of_five:.1f} MB)"


def test_one_endless_line_is_dropped_as_it_arrives():
    records, peak = _peak_mb(lambda: _read_all(hostile.stream(hostile.one_endless_jsonl_line(200 * MB)), "jsonl"))
    assert records[0].problems and records[1].data
    assert peak < 5


# --- CSV: one huge field ---------------------------------------------------------------------------------


def test_a_200_mb_csv_field_is_refused_as_one_row_and_never_held():
    records, peak = _peak_mb(lambda: _read_all(hostile.stream(hostile.huge_csv_field(200 * MB)), "csv", {}))
    assert [r.line_no for r in records] == [2, 3]
    assert "Row longer than" in records[0].problems[0][1]
    assert records[1].data is not None
    assert peak < 12, f"{peak:.1f} MB"


# --- through the import ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_of_lines_just_over_the_limit_refuses_each(importer, tmp_path):
    data = b"".join(hostile.long_jsonl_lines(5, parsers.MAX_LINE_BYTES + 1)) + jsonl(record(1))
    imp = importer(data, chunk_size=100)
    assert imp.state == ImportState.COMPLETED
    assert (imp.accepted, imp.rejected) == (1, 5)
    assert ReferralError.objects.filter(referral_import=imp, reason__startswith="Line longer than").count() == 5


@pytest.mark.django_db
def test_import_of_a_huge_xml_text_node_refuses_that_report_only(importer):
    data = b"".join(hostile.huge_text_node_xml(5 * MB))
    imp = importer(data, "xml", chunk_size=100)
    assert imp.state == ImportState.COMPLETED
    assert (imp.accepted, imp.rejected) == (1, 1)
    assert "longer than 64 KB" in ReferralError.objects.get(referral_import=imp).reason


def test_chunks_end_after_chunk_bytes_so_long_lines_never_gather(monkeypatch):
    from types import SimpleNamespace

    from safeguard.referrals import services

    monkeypatch.setattr(services, "CHUNK_BYTES", 3 * MB)
    data = b"".join(hostile.long_jsonl_lines(12, parsers.MAX_LINE_BYTES))
    imp = SimpleNamespace(format="jsonl", column_mapping={}, checkpoint=0)
    sizes = [len(chunk) for chunk in services._chunks(imp, io.BufferedReader(io.BytesIO(data)), 5_000)]
    assert sum(sizes) == 12 and max(sizes) <= 4
