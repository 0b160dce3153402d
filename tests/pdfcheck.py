"""Is a PDF readable? Every character against what it is printed on, and no machine text for people.

`pdf_problems(data)` parses the PDF (pdfplumber, a test-only dependency) and returns one line per problem:
- a character whose colour has less than WCAG's 4.5:1 contrast with the filled rectangle under it (white where
  none is), e.g. a table body filled with a chart's bar colour behind black text;
- an ISO timestamp (`2026-12-07T06:04:01.123456`), which people should read as a date and time;
- a stored code with an underscore (`young_person`) where its label belongs: the values of every `choices` field.
Used by each app's test of the PDFs it makes.
"""

import io
import re

import pdfplumber
from django.apps import apps

MIN_CONTRAST = 4.5
ISO_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?")
WHITE = (1.0, 1.0, 1.0)


def _rgb(colour) -> tuple[float, float, float]:
    if colour is None:
        return (0.0, 0.0, 0.0)
    colour = tuple(colour) if isinstance(colour, list | tuple) else (colour,)
    if len(colour) == 1:
        return (colour[0],) * 3
    if len(colour) == 4:  # CMYK
        c, m, y, k = colour
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return tuple(colour[:3])


def _luminance(rgb) -> float:
    def channel(v):
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def raw_codes() -> set[str]:
    """Every stored choice value that has an underscore (a label exists for each)."""
    codes = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and "_" in value:
                    codes.add(value)
    return codes


def pdf_problems(data: bytes) -> list[str]:
    problems = []
    codes = raw_codes()
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            fills = [r for r in page.rects if r.get("fill")]
            low = {}
            for char in page.chars:
                if char["text"].isspace():
                    continue
                x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
                under = WHITE
                for rect in fills:  # drawing order: the last fill under the character is what it sits on
                    if rect["x0"] <= x <= rect["x1"] and rect["top"] <= y <= rect["bottom"]:
                        under = _rgb(rect.get("non_stroking_color"))
                ratio = contrast(_rgb(char.get("non_stroking_color")), under)
                if ratio < MIN_CONTRAST:
                    low.setdefault(round(ratio, 2), []).append(char["text"])
            for ratio, chars in low.items():
                sample = "".join(chars[:40])
                problems.append(f"page {number}: {len(chars)} characters at contrast {ratio}:1, e.g. {sample!r}")
            text = page.extract_text() or ""
            for stamp in ISO_TIMESTAMP.findall(text):
                problems.append(f"page {number}: machine timestamp {stamp!r}")
            words = set(re.findall(r"[A-Za-z0-9_]+", text))
            for code in sorted(words & codes):
                problems.append(f"page {number}: stored code {code!r} instead of its label")
    return problems
