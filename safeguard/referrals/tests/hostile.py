"""Hostile referral files, generated as they are read (or streamed to disk for bench/bench_referral_hostile.py).

Nothing here is stored as a blob: each file is a generator of blocks, so a 200 MB file costs no memory to make.
The content is filler ("x" or a repeated neutral sentence); no incident is described.
"""

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path

FILLER = b"Filler text for a size test. "  # neutral, 29 bytes


def _repeat(piece: bytes, size: int, block: int = 1 << 16) -> Iterator[bytes]:
    chunk = piece * (block // len(piece) + 1)
    left = size
    while left > 0:
        part = chunk[: min(block, left)]
        left -= len(part)
        yield part


def huge_text_node_xml(size: int) -> Iterator[bytes]:
    """One <report> whose additionalInfo is one text node of `size` bytes, then one ordinary report."""
    yield b'<?xml version="1.0" encoding="utf-8"?>\n<reportBundle><report id="HUGE"><additionalInfo>'
    yield from _repeat(FILLER, size)
    yield b"</additionalInfo></report>"
    yield ORDINARY_XML_REPORT
    yield b"</reportBundle>\n"


ORDINARY_XML_REPORT = (
    b'<report id="OK-1"><incidentSummary><incidentType>online_enticement_of_children</incidentType>'
    b"<incidentDateTime>2026-10-01T12:00:00Z</incidentDateTime></incidentSummary>"
    b"<personOrUserReported><screenName>hostile_test_user</screenName></personOrUserReported>"
    b"<additionalInfo>Asked the child to keep the chat secret.</additionalInfo></report>"
)


def huge_attribute_xml(size: int) -> Iterator[bytes]:
    """A start tag whose one attribute is `size` bytes long (expat must hold a tag whole)."""
    yield b'<reportBundle><report id="'
    yield from _repeat(b"a", size)
    yield b'"></report></reportBundle>'


def deep_nesting_xml(size: int) -> Iterator[bytes]:
    """Elements nested ever deeper, as many as `size` bytes allow."""
    yield b"<reportBundle>"
    yield from _repeat(b"<a>", size)


def many_texts_in_one_report_xml(size: int, *, text: int = 60 * 1024) -> Iterator[bytes]:
    """One report holding many elements each just under the per-element cap, `size` bytes in all."""
    yield b"<reportBundle><report>"
    piece = b"<displayName>" + b"x" * text + b"</displayName>"
    for _ in range(max(size // len(piece), 1)):
        yield piece
    yield b"</report></reportBundle>"


def long_jsonl_lines(count: int, length: int) -> Iterator[bytes]:
    """`count` lines of exactly `length` bytes each (line ending not counted): {"additionalInfo": "xxx..."}."""
    head, tail = b'{"additionalInfo": "', b'"}'
    body = length - len(head) - len(tail)
    for _ in range(count):
        yield head
        yield from _repeat(b"x", body)
        yield tail + b"\n"


def one_endless_jsonl_line(size: int) -> Iterator[bytes]:
    """One line of `size` bytes with no line ending, then an ordinary line."""
    yield from _repeat(b"x", size)
    yield b"\n" + json.dumps({"additionalInfo": "Asked the child to keep the chat secret."}).encode() + b"\n"


def huge_csv_field(size: int) -> Iterator[bytes]:
    """A documented header, one row whose screen_name field is `size` bytes (no line ending inside), then one row."""
    yield b"incident_type,incident_datetime,screen_name\n"
    yield b"online_enticement_of_children,2026-10-01T12:00:00Z,"
    yield from _repeat(b"x", size)
    yield b"\nonline_enticement_of_children,2026-10-01T12:00:00Z,ordinary_user\n"


class GeneratedFile(io.RawIOBase):
    """A read-only binary stream over a generator of blocks: never holds more than one block."""

    def __init__(self, blocks: Iterator[bytes]):
        self.blocks = blocks
        self.left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.left:
            try:
                self.left = next(self.blocks)
            except StopIteration:
                return 0
        n = min(len(buffer), len(self.left))
        buffer[:n] = self.left[:n]
        self.left = self.left[n:]
        return n


def stream(blocks: Iterator[bytes]) -> io.BufferedReader:
    return io.BufferedReader(GeneratedFile(blocks), 1 << 16)


def write(path: Path, blocks: Iterator[bytes]) -> int:
    """Stream the blocks to `path`; returns the size written."""
    size = 0
    with open(path, "wb") as out:
        for block in blocks:
            out.write(block)
            size += len(block)
    return size


# name -> (format, generator of a file of about `size` bytes), for the bench.
CASES: dict[str, tuple[str, Callable[[int], Iterator[bytes]]]] = {
    "xml_huge_text_node": ("xml", huge_text_node_xml),
    "xml_many_capped_texts": ("xml", many_texts_in_one_report_xml),
    "xml_huge_attribute": ("xml", huge_attribute_xml),
    "xml_deep_nesting": ("xml", deep_nesting_xml),
    "jsonl_lines_just_over_limit": ("jsonl", lambda size: long_jsonl_lines(max(size // (1 << 20), 1), (1 << 20) + 1)),
    "jsonl_lines_at_limit": ("jsonl", lambda size: long_jsonl_lines(max(size // (1 << 20), 1), 1 << 20)),
    "jsonl_one_endless_line": ("jsonl", one_endless_jsonl_line),
    "csv_huge_field": ("csv", huge_csv_field),
}
