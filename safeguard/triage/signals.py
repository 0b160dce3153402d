"""Risk signals in what people write: the words of a report read by rules kept in data (ADR 0098).

A pure reader, no database: spaCy's blank English tokenizer, an ``entity_ruler`` whose patterns are JSONL
files (``signal_patterns/en.jsonl`` plus a centre's own, ``settings.SAFEGUARD_TRIAGE_SIGNAL_PATTERNS``) and
negspacy's NegEx with the termsets in ``signal_patterns/negation.json``, so "he never asked me for pictures" or
"our school told us never to send nudes" find nothing. The sentencizer and NegEx run only on a text where the
ruler found something: most texts of a bulk file have no signal and cost only the tokenizer and the ruler.

Labels in a pattern file: a signal name (any case), an age label (``AGE_SELF``, ``AGE_CHILD``, ``AGE_CLAIM``,
``SCHOOL_YEAR``: read into ``child_ages`` and, for an age of 18 or more given to the other person, the
``adult_age`` signal) or ``NOT_A_SIGNAL``: a guard that claims words that would otherwise look like a signal
("profile picture", "nice to meet you", "secret santa", "told a trusted adult"); the longest match wins.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import spacy
import srsly
from django.conf import settings
from negspacy.negation import Negex
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc, Span

SIGNAL_NAMES: tuple[str, ...] = (
    "image_request",
    "sextortion",
    "secrecy",
    "meeting",
    "gifts",
    "adult_age",
    "self_harm",
    "danger_now",
)
MAX_CHARS = 20_000
PATTERNS_DIR = Path(__file__).resolve().parent / "signal_patterns"
NEGATION_FILE = PATTERNS_DIR / "negation.json"

GUARD = "NOT_A_SIGNAL"
AGE_SELF, AGE_CHILD, AGE_CLAIM, SCHOOL_YEAR = "AGE_SELF", "AGE_CHILD", "AGE_CLAIM", "SCHOOL_YEAR"
AGE_LABELS = frozenset({AGE_SELF, AGE_CHILD, AGE_CLAIM, SCHOOL_YEAR})
SIGNAL_LABELS = frozenset(name.upper() for name in SIGNAL_NAMES)
KNOWN_LABELS = SIGNAL_LABELS | AGE_LABELS | {GUARD}
_NEGATED = "signal_negated"  # the Span extension NegEx sets

_NUMBER_WORDS = {
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
}  # fmt: skip
_DIGITS = re.compile(r"\d{1,3}")
# "he is 20 minutes away", "told me 30 times": a number with a unit is no age
_UNITS = frozenset(
    "times time minutes minute mins min hours hour hrs days day weeks week months month miles mile km pounds quid "
    "percent % followers metres meters feet foot ft yards grand messages pics photos p pm am o'clock oclock seconds secs".split()
)
_RELATION_STARTS = frozenset({"my", "our", "her", "his"})


@dataclass(frozen=True)
class TextSignals:
    """What one text says: signal -> the matched words as written (not negated, de-duplicated, in text order)."""

    found: dict[str, tuple[str, ...]] = field(default_factory=dict)
    child_ages: tuple[int, ...] = ()  # 0..17, stated ("I'm 13") or inferred ("year 8" -> 12), text order

    def has(self, name: str) -> bool:
        return bool(self.found.get(name))

    @property
    def adult_stated(self) -> bool:
        """The other person is, or says they are, an adult (a stated age of 18 or more counts)."""
        return self.has("adult_age")


def pattern_files() -> list[Path]:
    """The pattern files read, in order: the shipped English one, then a centre's own."""
    extra = getattr(settings, "SAFEGUARD_TRIAGE_SIGNAL_PATTERNS", None) or []
    return [PATTERNS_DIR / "en.jsonl", *(Path(p) for p in extra)]


def read_signals(text: str) -> TextSignals:
    """The signals and child ages in one text ("" finds nothing)."""
    if not text or not text.strip():
        return TextSignals()
    reader = _reader()
    return _read_doc(reader.nlp(text[:MAX_CHARS]))


def read_many(texts: list[str]) -> list[TextSignals]:
    """read_signals for a batch (a bulk file's lines), through spaCy's nlp.pipe; one result per text."""
    reader = _reader()
    docs = reader.nlp.pipe((t or "")[:MAX_CHARS] for t in texts)
    return [_read_doc(doc) for doc in docs]


def reset() -> None:
    """Forget the built pipeline (tests that change the pattern setting call it)."""
    global _built
    with _lock:
        _built = None


# -- the pipeline, built once per process ------------------------------------------------------------------


class _Reader:
    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp


_lock = threading.Lock()
_built: _Reader | None = None


def _reader() -> _Reader:
    global _built
    reader = _built
    if reader is None:
        with _lock:
            if _built is None:
                _built = _build()
            reader = _built
    return reader


def load_patterns(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Every pattern of these JSONL files, labels upper-cased and checked (a wrong label names its file)."""
    patterns: list[dict[str, Any]] = []
    for path in paths:
        for number, row in enumerate(srsly.read_jsonl(path), start=1):
            label = str(row.get("label", "")).upper()
            if label not in KNOWN_LABELS or "pattern" not in row:
                raise ValueError(
                    f"{path}:{number}: a signal pattern needs 'pattern' and a label from {sorted(KNOWN_LABELS)}"
                )
            patterns.append({**row, "label": label})
    return patterns


def load_termset(path: Path = NEGATION_FILE) -> dict[str, list[str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {key: list(value) for key, value in data.items() if not key.startswith("_")}


class _LazyNegation:
    """Sentences and NegEx, only for a text where the ruler found something."""

    def __init__(self, nlp: Language, neg_termset: dict[str, list[str]]) -> None:
        self.sentencizer = Sentencizer()
        self.negex = Negex(
            nlp,
            "negex",
            neg_termset=neg_termset,
            ent_types=sorted(SIGNAL_LABELS),
            extension_name=_NEGATED,
        )

    def __call__(self, doc: Doc) -> Doc:
        if doc.ents:
            self.negex(self.sentencizer(doc))
        return doc


@Language.factory("safeguard_signal_negation", default_config={"neg_termset": {}})
def _make_negation(nlp: Language, name: str, neg_termset: dict[str, list[str]]) -> _LazyNegation:
    return _LazyNegation(nlp, neg_termset)


def _build() -> _Reader:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "NORM", "validate": True})
    ruler.add_patterns(load_patterns(pattern_files()))  # type: ignore[attr-defined]
    nlp.add_pipe("safeguard_signal_negation", config={"neg_termset": load_termset()})
    return _Reader(nlp)


# -- from entities to signals --------------------------------------------------------------------------------


def _read_doc(doc: Doc) -> TextSignals:
    if not doc.ents:
        return TextSignals()
    found: dict[str, dict[str, str]] = {}
    ages: dict[int, None] = {}
    for ent in doc.ents:
        label = ent.label_
        if label in SIGNAL_LABELS:
            if not ent._.get(_NEGATED):
                found.setdefault(label.lower(), {}).setdefault(ent.text.lower(), ent.text)
        elif label in AGE_LABELS:
            _read_age(ent, found, ages)
    signals = {name: tuple(found[name].values()) for name in SIGNAL_NAMES if found.get(name)}
    return TextSignals(found=signals, child_ages=tuple(ages))


def _read_age(ent: Span, found: dict[str, dict[str, str]], ages: dict[int, None]) -> None:
    following = ent.doc[ent.end].lower_ if ent.end < len(ent.doc) else ""
    if following in _UNITS:
        return
    number = _number(ent)
    if number is None:
        return
    label = ent.label_
    if label == SCHOOL_YEAR:
        if 1 <= number <= 13:  # England and Wales: year N is the school year of children aged N+4 to N+5
            ages.setdefault(number + 4)
        return
    if number <= 17:
        if label != AGE_CLAIM:  # an age the other person claims is never the child's
            ages.setdefault(number)
        return
    if number > 99:
        return
    adult = label == AGE_CLAIM or (label == AGE_CHILD and ent[0].lower_ not in _RELATION_STARTS)
    if adult:  # AGE_SELF of 18+ is an adult reporter speaking of themself: neither a child nor the other person
        found.setdefault("adult_age", {}).setdefault(ent.text.lower(), ent.text)


def _number(ent: Span) -> int | None:
    for token in reversed(ent):
        lower = token.lower_
        if lower in _NUMBER_WORDS:
            return _NUMBER_WORDS[lower]
        match = _DIGITS.search(lower)
        if match and (token.like_num or lower[0].isdigit() or lower[0] == "y"):
            return int(match.group())
    return None
