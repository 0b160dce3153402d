"""Risk signals in what people write: the words of a report read by rules kept in data (ADR 0098).

A pure reader, no database: spaCy's blank English tokenizer, spaCy EntityRuler patterns in JSONL files
(``signal_patterns/en.jsonl`` plus a centre's own, ``settings.SAFEGUARD_TRIAGE_SIGNAL_PATTERNS``) and
negspacy's NegEx with the termsets in ``signal_patterns/negation.json``, so "he never asked me for pictures" or
"our school told us never to send nudes" find nothing. spaCy's ``entity_ruler`` checks every pattern at load
and is the reference; the pipeline runs them through ``SignalRuler``, which gives the same entities (a test
holds it to that) at a tenth of the cost by trying a pattern only around its rarest required word. Sentences
and NegEx run only on a text where something was found.

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

import numpy
import spacy
from django.conf import settings
from negspacy.negation import Negex
from spacy.attrs import IS_PUNCT, LIKE_NUM, LOWER, NORM, ORTH, SENT_START, SHAPE  # type: ignore[import-not-found]
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

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
_NEGEX_CHUNK = 250  # tokens: longer texts are negated a run of whole sentences at a time

_NUMBER_WORDS = {
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
}  # fmt: skip
_DIGITS = re.compile(r"\d{1,3}")
# "he is 20 minutes away", "told me 30 times": a number with a unit is no age
_UNITS = frozenset(
    {
        "times", "time", "minutes", "minute", "mins", "min", "hours", "hour", "hrs", "days", "day", "weeks", "week",
        "months", "month", "miles", "mile", "km", "pounds", "quid", "percent", "%", "followers", "metres", "meters",
        "feet", "foot", "ft", "yards", "grand", "messages", "pics", "photos", "p", "pm", "am", "o'clock", "oclock",
        "seconds", "secs",
    }
)  # fmt: skip
_RELATION_STARTS = frozenset({"my", "ma", "mi", "our", "her", "his"})


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
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        for number, row in ((n, json.loads(line)) for n, line in enumerate(lines, start=1) if line.strip()):
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


class _Sentences:
    """spaCy's Sentencizer rule (a sentence starts after '.', '!', '?'... once punctuation ends), on arrays."""

    def __init__(self, nlp: Language) -> None:
        self.punct = frozenset(nlp.vocab.strings.add(c) for c in Sentencizer.default_punct_chars)

    def __call__(self, doc: Doc) -> Doc:
        punct = self.punct
        starts = [-1] * len(doc)
        starts[0] = 1
        seen_period = False
        for i, (orth, is_punct) in enumerate(doc.to_array([ORTH, IS_PUNCT]).tolist()):
            in_punct = orth in punct
            if seen_period and not is_punct and not in_punct:
                starts[i] = 1
                seen_period = False
            elif in_punct:
                seen_period = True
        values = numpy.array(starts, dtype="int64").reshape(-1, 1).astype("uint64")
        doc.from_array([SENT_START], values)  # type: ignore[arg-type]  # spaCy's stub wants its own Ints2d
        return doc


class _LazyNegation:
    """Sentences and NegEx, only for a text where the ruler found something."""

    def __init__(self, nlp: Language, neg_termset: dict[str, list[str]]) -> None:
        self.sentencizer = _Sentences(nlp)
        self.negex = Negex(
            nlp,
            "negex",
            neg_termset=neg_termset,
            ent_types=sorted(SIGNAL_LABELS),
            extension_name=_NEGATED,
        )

    def __call__(self, doc: Doc) -> Doc:
        if not doc.ents:
            return doc
        self.sentencizer(doc)
        if len(doc) <= _NEGEX_CHUNK:
            self.negex(doc)
            return doc
        # NegEx reads doc[a:b].ents for every stretch, which is quadratic on a long text with many signals.
        # A negation never reaches past its sentence, so NegEx runs on runs of whole sentences, copied out.
        ents = list(doc.ents)
        chunks: list[tuple[int, int]] = []
        start = 0
        for sent in doc.sents:
            if sent.end - start > _NEGEX_CHUNK and sent.start > start:
                chunks.append((start, sent.start))
                start = sent.start
        chunks.append((start, len(doc)))
        for start, end in chunks:
            inside = [ent for ent in ents if start <= ent.start and ent.end <= end]
            if inside:
                part = doc[start:end].as_doc()
                self.negex(part)
                for original, copy in zip(inside, part.ents, strict=True):
                    original._.set(_NEGATED, copy._.get(_NEGATED))
        return doc


@Language.factory("safeguard_signal_negation", default_config={"neg_termset": {}})
def _make_negation(nlp: Language, name: str, neg_termset: dict[str, list[str]]) -> _LazyNegation:
    return _LazyNegation(nlp, neg_termset)


def _build(*, reference: bool = False) -> _Reader:
    """The pipeline: the anchored ruler (or, for tests, spaCy's plain entity_ruler), then lazy negation."""
    nlp = spacy.blank("en")
    patterns = load_patterns(pattern_files())
    # spaCy's own EntityRuler checks every pattern (validate=True) and, as the reference, reads them all
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "NORM", "validate": True})
    ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    if not reference:
        nlp.remove_pipe("entity_ruler")
        nlp.add_pipe("safeguard_signal_ruler", config={"patterns": patterns})
    nlp.add_pipe("safeguard_signal_negation", config={"neg_termset": load_termset()})
    return _Reader(nlp)


# -- the anchored ruler --------------------------------------------------------------------------------------
# spaCy's Matcher tries every pattern at every token (about 80 ns a pattern a token, more with IN/FUZZY
# predicates): 175 patterns on a 60-token text cost ~3 ms. The anchored ruler gives the same entities for a
# fraction of that. Each token pattern gets an anchor: its required position whose words are rarest (least
# like stop words), looked up in a dict per token; a pattern runs (its own Matcher) only on the window around
# an anchor that occurs, as wide as the pattern can reach. Phrase (string) patterns go to one PhraseMatcher
# on NORM, as the EntityRuler does. Overlaps are resolved as the EntityRuler does: longest, then earliest.

_STAR_REACH = 6  # tokens a "*" or "+" position may cover around an anchor (fillers are short in practice)
_TEXT_ATTRS = {"LOWER": "LOWER", "NORM": "NORM", "ORTH": "LOWER", "TEXT": "LOWER"}
_SPEAK = {"u", "ur", "im", "m", "s", "'s", "nt", "n't", "na", "2", "4", "ya", "r", "n", "d", "'d", "ll", "'ll"}
_NUM_ANCHOR = ("#", "num")  # a token like a number or holding a digit


def _width(token: dict[str, Any]) -> tuple[int, bool]:
    """(most tokens this pattern position can cover, whether it is required)."""
    op = token.get("OP")
    if op is None or op == "1":
        return 1, True
    if op == "!":
        return 0, False
    if op == "?":
        return 1, False
    if op == "+":
        return _STAR_REACH, True
    if op == "*":
        return _STAR_REACH, False
    bounds = re.fullmatch(r"\{(\d*),?(\d*)\}", op)
    if bounds:
        low, high = bounds.group(1), bounds.group(2) or bounds.group(1)
        return (int(high) if high else _STAR_REACH), bool(low and int(low) > 0)
    return _STAR_REACH, False


def _anchor_keys(token: dict[str, Any]) -> set[tuple[str, str]] | None:
    """The dict keys that find this position, or None where it cannot anchor (FUZZY, REGEX without digits...)."""
    attrs = {k: v for k, v in token.items() if k != "OP"}
    if attrs.get("LIKE_NUM") is True or attrs.get("IS_DIGIT") is True:
        return {_NUM_ANCHOR}
    if len(attrs) != 1:
        return None
    ((attr, value),) = attrs.items()
    key_attr = _TEXT_ATTRS.get(attr)
    if key_attr is None:
        return None
    if isinstance(value, str):
        return {(key_attr, value.lower())}
    if isinstance(value, dict) and set(value) == {"IN"}:
        return {(key_attr, str(word).lower()) for word in value["IN"]}
    if isinstance(value, dict) and set(value) == {"REGEX"} and "\\d" in value["REGEX"]:
        return {_NUM_ANCHOR}
    return None


def _commonness(keys: set[tuple[str, str]]) -> tuple[int, int]:
    if keys == {_NUM_ANCHOR}:
        return (0, 1)  # numbers are rare in what people write
    common = sum(1 for _, word in keys if word in STOP_WORDS or word in _SPEAK)
    return (common, len(keys))


@dataclass
class _Rule:
    """The token patterns sharing one anchor: one Matcher, run on the window the widest of them can reach."""

    matcher: Matcher
    before: int = 0
    after: int = 0
    # per pattern, the word sets of its required positions (hashes): a text lacking any one cannot match it
    needs: list[tuple[frozenset[int], ...]] = field(default_factory=list)
    needs_number: list[bool] = field(default_factory=list)

    def possible(self, words: set[int], has_number: bool) -> bool:
        for needs, number in zip(self.needs, self.needs_number, strict=True):
            if number and not has_number:
                continue
            for need in needs:
                if need.isdisjoint(words):
                    break
            else:
                return True
        return False


class SignalRuler:
    """EntityRuler patterns (same JSONL), matched only where their anchor word occurs; sets doc.ents."""

    def __init__(self, nlp: Language, patterns: list[dict[str, Any]]) -> None:
        self.vocab = nlp.vocab
        self.phrases = PhraseMatcher(nlp.vocab, attr="NORM")
        self.rules: list[_Rule] = []
        self.by_lower: dict[int, list[int]] = {}  # a word's hash -> the rules it anchors
        self.by_norm: dict[int, list[int]] = {}
        self.by_number: list[int] = []
        self.everywhere: list[int] = []
        self._rule_of: dict[frozenset[tuple[str, str]], int] = {}
        self._shapes: dict[int, bool] = {}  # a token shape's hash -> whether it holds a digit ("dd", "ddxx")
        self._lower_keys: frozenset[int] | None = None
        self._norm_keys: frozenset[int] | None = None
        for row in patterns:
            pattern = row["pattern"]
            if isinstance(pattern, str):
                self.phrases.add(row["label"], [nlp.make_doc(pattern)])
            else:
                self._add_token_pattern(row["label"], pattern)

    def _add_token_pattern(self, label: str, pattern: list[dict[str, Any]]) -> None:
        strings = self.vocab.strings
        widths = [_width(token) for token in pattern]
        options = [
            (_commonness(keys), position, keys)
            for position, (token, (_, required)) in enumerate(zip(pattern, widths, strict=True))
            if required and (keys := _anchor_keys(token)) is not None
        ]
        if options:
            _, position, keys = min(options, key=lambda option: option[0])
            before = sum(width for width, _ in widths[:position])
            after = sum(width for width, _ in widths[position + 1 :])
        else:
            keys, before, after = set(), 0, 0
        anchor = frozenset(keys)
        index = self._rule_of.get(anchor)
        if index is None:
            index = self._rule_of[anchor] = len(self.rules)
            self.rules.append(_Rule(Matcher(self.vocab)))
            if not keys:
                self.everywhere.append(index)
            for attr, word in keys:
                if (attr, word) == _NUM_ANCHOR:
                    self.by_number.append(index)
                else:
                    target = self.by_lower if attr == "LOWER" else self.by_norm
                    target.setdefault(strings.add(word), []).append(index)
        rule = self.rules[index]
        rule.matcher.add(label, [pattern])
        rule.before, rule.after = max(rule.before, before), max(rule.after, after)
        option_keys = [k for _, _, k in sorted(options, key=lambda option: option[0])]  # most telling first
        rule.needs.append(tuple(frozenset(strings.add(w) for _, w in k) for k in option_keys if _NUM_ANCHOR not in k))
        rule.needs_number.append(any(_NUM_ANCHOR in k for k in option_keys))

    @property
    def lower_keys(self) -> frozenset[int]:
        if self._lower_keys is None:
            self._lower_keys = frozenset(self.by_lower)
        return self._lower_keys

    @property
    def norm_keys(self) -> frozenset[int]:
        if self._norm_keys is None:
            self._norm_keys = frozenset(self.by_norm)
        return self._norm_keys

    def _digit_shape(self, shape: int) -> bool:
        known = self._shapes.get(shape)
        if known is None:
            known = self._shapes[shape] = "d" in self.vocab.strings[shape]
        return known

    def __call__(self, doc: Doc) -> Doc:
        length = len(doc)
        columns = doc.to_array([LOWER, NORM, LIKE_NUM, SHAPE]).T.tolist() if length else [[], [], [], []]
        lowers, norms, like_nums, shapes = columns
        words = set(lowers)
        words.update(norms)
        numbers: list[int] = []
        if self.by_number:
            digit_shapes = {shape for shape in set(shapes) if self._digit_shape(shape)}
            if digit_shapes or any(like_nums):
                numbers = [i for i, shape in enumerate(shapes) if like_nums[i] or shape in digit_shapes]
        has_number = bool(numbers)
        anchored: dict[int, list[int]] = {}
        for keys, index_of, values in (
            (self.lower_keys, self.by_lower, lowers),
            (self.norm_keys, self.by_norm, norms),
        ):
            found = keys.intersection(words)
            if found:
                for i, value in enumerate(values):
                    if value in found:
                        for index in index_of[value]:
                            anchored.setdefault(index, []).append(i)
        if numbers:
            for index in self.by_number:
                anchored.setdefault(index, []).extend(numbers)
        spans = [Span(doc, start, end, label=match_id) for match_id, start, end in self.phrases(doc)]
        for index in self.everywhere:
            anchored[index] = []
        for index, positions in anchored.items():
            rule = self.rules[index]
            if not rule.possible(words, has_number):
                continue
            ranges = [(max(0, i - rule.before), min(length, i + rule.after + 1)) for i in positions] or [(0, length)]
            for start, end in _merged(ranges):
                # the same check on the window alone: most anchors in routine text stand far from the rest
                window_words = set(lowers[start:end]).union(norms[start:end])
                window_number = any(start <= i < end for i in numbers)
                if not rule.possible(window_words, window_number):
                    continue
                for match_id, match_start, match_end in rule.matcher(doc[start:end]):
                    spans.append(Span(doc, start + match_start, start + match_end, label=match_id))
        doc.ents = filter_spans(spans) if spans else []
        return doc


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    if len(ranges) == 1:
        return ranges
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


@Language.factory("safeguard_signal_ruler", default_config={"patterns": []})
def _make_ruler(nlp: Language, name: str, patterns: list[dict[str, Any]]) -> SignalRuler:
    return SignalRuler(nlp, patterns)


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
