"""Finding identifiers in a report, whatever its source.

Public reports give free text ("subject_identifiers"); partner reports give structured fields, kept whole
in the report's details (read through reporting.partner_payload). Both end up as the same `Found` items.

Each item has a role: `subject` identifiers describe the reported person (and may merge subjects);
`victim`, `room` and `file` items describe who and what the person touched (they connect subjects into
networks, never merge them: two offenders in one room are two people).
"""

import re
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property

from safeguard.reporting import partner_payload
from safeguard.reporting.models import Attachment

from .normalise import STRONG_KINDS, Kind, identifier_key, normalise, normalise_platform


class Role:
    SUBJECT = "subject"
    VICTIM = "victim"
    ROOM = "room"
    FILE = "file"


@dataclass(frozen=True)
class Found:
    role: str
    kind: Kind
    raw: str
    platform: str
    value: str
    valid: bool
    problem: str
    observed_at: datetime | None = None
    detail: str = ""

    @property
    def strong(self) -> bool:
        return self.role == Role.SUBJECT and self.kind in STRONG_KINDS

    @property
    def mergeable(self) -> bool:
        return self.strong and self.valid

    @property
    def key(self) -> str:
        return identifier_key(self.kind, self.platform, self.value) if self.value else ""


def make(role: str, kind: Kind, raw, platform: str = "", **extra) -> Found:
    raw = str(raw)[:2000]
    result = normalise(kind, raw)
    return Found(
        role=role,
        kind=kind,
        raw=raw,
        platform=platform,
        value=result.value[:500],
        valid=result.valid,
        problem=result.problem,
        **extra,
    )


# --- free text: what people type -----------------------------------------------------------------------
#
# Two places. The "about the person" box (`subject_identifiers`): every line, and every comma/semicolon item of a
# line, is a candidate. The narrative (`account`, follow-up additions): scanned for the forms people use to name an
# account. Precision matters as much as recall: a wrong strong identifier merges two people's subjects, and a
# child's own account ("my snap is ...") must never become the offender's subject (it is a VICTIM item). The word
# lists are data, here, so that they can be tuned without touching the code.

# Words people type for a platform -> its name (normalised as report platforms are, with normalise_platform).
PLATFORM_WORDS: tuple[tuple[str, str], ...] = (
    ("snapchat", "Snapchat"), ("snap", "Snapchat"), ("sc", "Snapchat"),
    ("instagram", "Instagram"), ("insta", "Instagram"), ("ig", "Instagram"),
    ("tiktok", "TikTok"), ("tik tok", "TikTok"), ("discord", "Discord"), ("roblox", "Roblox"),
    ("fortnite", "Fortnite"), ("minecraft", "Minecraft"), ("xbox live", "Xbox"), ("xbox", "Xbox"),
    ("psn", "PlayStation"), ("playstation", "PlayStation"), ("steam", "Steam"), ("twitch", "Twitch"),
    ("kik", "Kik"), ("telegram", "Telegram"), ("whatsapp", "WhatsApp"), ("facebook", "Facebook"),
    ("fb", "Facebook"), ("messenger", "Messenger"), ("twitter", "Twitter"), ("youtube", "YouTube"),
    ("reddit", "Reddit"), ("yubo", "Yubo"), ("wizz", "Wizz"), ("omegle", "Omegle"), ("threads", "Threads"),
)  # fmt: skip
# Labels that say "a username" without saying where: the report's platform.
ACCOUNT_WORDS: tuple[str, ...] = (
    "user name", "username", "user", "screen name", "screenname", "handle", "gamertag", "gamer tag", "tag",
    "account", "acc", "profile", "id", "ign", "alias", "nickname",
)  # fmt: skip
# What people write in the box when they have nothing to give: not an identifier (matched on the whole item).
NOISE: tuple[str, ...] = (
    r"(?:i\s+)?(?:don'?t|do\s+not|dont|didn'?t)\s+know.*", r"not\s+sure.*", r"unsure", r"unknown", r"n\s*/\s*a",
    r"none", r"nothing", r"no\s+idea.*", r"idk", r"dunno", r"not\s+known", r"(?:i\s+)?can'?t\s+remember.*",
    r"(?:i\s+)?cannot\s+remember.*", r"(?:i\s+)?forgot.*", r"no", r"nope", r"not\s+given", r"anonymous", r"no\s+name",
    r"(?:account\s+)?deleted", r"blocked", r"[?!.\-_*]+",
    # stated ages are not identifiers ("he said he was 15", "about 30", "15 years old")
    r"(?:(?:he|she|they)\s+(?:said|says|told\s+me|claimed|claims)\s+)?(?:(?:he|she|they)\s+(?:is|was|were|are|'s)\s+)?"
    r"(?:about|around|maybe|roughly)?\s*\d{1,2}\s*(?:years?\s+old|yrs?(?:\s+old)?|yo|y/o)?",
)  # fmt: skip
# Tokens shaped like usernames (letters with digits or underscores) that are ages, times, school years, ordinals,
# units, products or text speak: never taken from free text as a username (matched on the whole token).
STOP_TOKENS: tuple[str, ...] = (
    r"\d{1,4}[a-z]{1,2}",  # 13yo 10pm 3rd 5g 4k 1080p 2nd
    r"\d{1,3}(?:[:.]\d{2})?(?:am|pm|ish|hrs?|hours?|mins?|minutes?|secs?|seconds?|days?|wks?|weeks?|months?|yrs?|years?)",
    r"(?:year|yr|y|ks|grade|gr|form|class|set|room|level|lvl|lv|age|aged?)_?\d{1,2}",  # year8 y8 ks3 level10
    r"[a-z]{1,3}\d{1,4}",  # ps5 mp4 ww2 a12 b15 (short codes, roads, postcode districts)
    r"[a-z]{1,2}\d[a-z\d]?\d[a-z]{2}",  # postcodes written without the space (sw1a1aa)
    r"\d+(?:k|m|gb|mb|kb|tb|fps|kg|lbs?|cm|mm|ft|mph|km|ml|quid|pounds?|gbp|usd|dollars?|robux|vbucks|coins|gems)",
    r"(?:xbox|iphone|ipad|galaxy|pixel|switch|windows|win|android|ios|fifa|gta|cod|covid|nba2k|minecraft|web)\d{1,4}",
    r"xbox\d+|xboxone|covid_?19|y2k|4ever|2day|2moro|2morrow|2nite|2night|any1|some1|sum1|every1|no1|ne1|l8r|l8er|4real|4eva|2gether|4u",
    r"[0-9a-f]{16,}",  # hashes and ids
    r"\d+(?:\.\d+)+[a-z]{0,3}",  # versions and times with dots
)  # fmt: skip


def _wordlist(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words that make a multi-word item a sentence rather than a display name.
SENTENCE_WORDS: frozenset[str] = _wordlist(
    "i me my mine he she they him her his hers them their it its is was are were be been being said says told "
    "asked ask think thought know knew called calls named the a an to of for with from at in on by that this "
    "but because if when not no did do does has have had will would can could maybe probably messaged sent "
    "also just like about who what where which then there here"
)
# Values after a label that are words about the account, not its name ("his account is private").
NOT_A_NAME: frozenset[str] = _wordlist(
    "private public deleted blocked banned gone fake new old closed hacked disabled removed locked suspended "
    "unknown different changed weird something someone same still now also just here there it that this "
    "the a an is was and or but on in at to me him her them he she they not made created reported taken down up "
    "active open off called named"
)

_PLATFORM_OF = {word: normalise_platform(name) for word, name in PLATFORM_WORDS}


def _alternation(words) -> str:
    """A regex for any of these lower-case words, as a prefix tree: far faster than a flat alternation."""
    tree: dict = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [(r"\s+" if ch == " " else re.escape(ch)) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(tree)


_PL = _alternation(_PLATFORM_OF)
_ACC = _alternation(ACCOUNT_WORDS)
_LABEL = rf"(?:(?P<pl>{_PL})(?:\s+(?:{_ACC}|name))?|(?P<acc>{_ACC})|(?P<name>name))"
_TOKEN = r"@?(?P<value>[^\s,;:()<>\"'!?]{2,64})"  # noqa: S105 (a regex, not a password)
_SEP = (
    r"(?:\s*[:=]+\s*|\s+[-\u2013\u2014]+\s*|\s*[-\u2013\u2014]+\s+|\s+(?:is|was)\s+(?:(?:like|probably|maybe)\s+)?|\s+)"
)

_NOISE = re.compile("|".join(f"(?:{n})" for n in NOISE), re.IGNORECASE)
_STOP_TOKEN = re.compile("|".join(f"(?:{t})" for t in STOP_TOKENS))  # matched on the lower-cased token
_NAME_SPLIT = re.compile(r"\s+(?:and|or|&|\+)\s+", re.IGNORECASE)
_BULLET = re.compile(r"^[\s\-*\u2022>]*(?:\d{1,2}[.)]\s+)?|[\s.!]+$")
_URL_SPAN = re.compile(r"(?:https?://|www\.)[^\s<>\"']+|\b[\w-]+(?:\.[\w-]+)+/[^\s<>\"']*", re.IGNORECASE)
_LINES = re.compile(r"[\n\r]+")
_ITEMS = re.compile(r"\s*[,;]\s*")
_HIDDEN = re.compile(r"\x00(\d+)\x00")

# One item of the box.
_IS_EMAIL = re.compile(r"(?:mailto:)?[^\s@]+@[^\s@]+\.[^\s@]+", re.IGNORECASE)
_IS_URL = re.compile(r"(?:https?://|www\.)\S+|[\w-]+(?:\.[\w-]+)+/\S*", re.IGNORECASE)
_IS_IP = re.compile(r"(?:\d{1,3}\.){3}\d{1,3}|\[?[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}\]?", re.IGNORECASE)
_IS_PHONE = re.compile(r"\+?[\d\s().-]{7,24}")
_HAS_CONTACT = re.compile(r"@|://|www\.|\d[\d\s().-]{6,}\d|(?:\d{1,3}\.){3}\d")
_IS_TOKEN = re.compile(r"@?[^\s,;]{1,64}")
_MINE = re.compile(r"^(?:my|mine|me)\b(?:\s+own\b)?\s*(?:(?:is|was|[:=-])\s*)?", re.IGNORECASE)
_OWNER = r"(?:(?P<owner>his|her|their|the\s+(?:man|guy|person|boy|girl|woman|adult|lady)'?s)\s+)?"
_OWNER_LED = r"(?P<owner>his|her|their|the\s+(?:man|guy|person|boy|girl|woman|adult|lady)'?s)\s+"
_ITEM_LABELLED = re.compile(rf"^{_OWNER}{_LABEL}(?P<sep>{_SEP})(?P<rest>.+)$", re.IGNORECASE)
_ITEM_ON = re.compile(
    rf"^on\s+(?P<pl>{_PL})\b\s*[:,-]?\s*(?:(?:he|she|they)(?:'s|\s+(?:is|was|are|goes\s+by|uses|calls\s+himself|"
    rf"calls\s+herself|called\s+himself|called\s+herself))\s+|as\s+|it'?s\s+|is\s+)?(?P<rest>.+)$",
    re.IGNORECASE,
)
_ITEM_SUFFIX = re.compile(rf"^(?P<rest>\S+)\s*(?:\(|\bon\s+|\bfrom\s+|-\s*)(?P<pl>{_PL})\)?$", re.IGNORECASE)

# The narrative: labelled forms, the child's own account first.
_FREE_FLAGS = 0  # run on the lower-cased text (see _Scan)
# Words a narrative must have for a labelled pattern to be tried (`_Scan.take`): most narratives name no account.
_WORD_BREAKS = str.maketrans({ch: " " for ch in "0123456789.,;:!?()[]{}<>\"'`/\\|_@#&*+=~^$%-"})
_PL_FIRST = frozenset(word.split()[0] for word in _PLATFORM_OF)
_LABELS = _PL_FIRST | frozenset(word.split()[0] for word in ACCOUNT_WORDS) | {"name"}
_MY_LABEL, _ON_PL, _AS_PL = _LABELS, _PL_FIRST, _PL_FIRST
_ADDED_ME = frozenset({"added", "messaged", "followed"})
_SELF = frozenset({"himself", "herself", "themselves", "themself"})
_ADDED = frozenset({"added"})
_CALLED = frozenset({"called", "named"})
_GOES = frozenset({"goes"})
_ME = frozenset({"my", "me"})
# "my daughter's snap is x": the account of the child the report is about (or of another child), never the subject's.
_MY_WHOSE = (
    r"(?:own|new|old|other|second)\s+|(?:daughter|son|child|kid|sister|brother|friend|pupil|student|niece|nephew|"
    r"cousin|grandson|granddaughter|stepson|stepdaughter)(?:'?s)?\s+(?:(?:own|new|old|other)\s+)?"
)
_CONTACT_GATE = re.compile(r"@|[0-9][0-9\s().-]{6}")
_PHONE_GATE = re.compile(r"[0-9][0-9\s().-]{6}")
_IP_GATE = re.compile(r"[0-9]\.[0-9]")
_LABEL_WORDS = _LABELS | _ADDED_ME | _SELF | _CALLED | _GOES
_VICTIM_IN_TEXT: tuple[tuple[re.Pattern, frozenset[str]], ...] = (
    (
        re.compile(rf"my\s+(?:{_MY_WHOSE})?(?:{_LABEL})(?P<sep>{_SEP}){_TOKEN}", _FREE_FLAGS),
        _MY_LABEL,
    ),
    (re.compile(rf"{_TOKEN}\s+(?:is|was|=)\s+my\s+(?:{_MY_WHOSE})?(?:{_LABEL})\b", _FREE_FLAGS), _MY_LABEL),
    (re.compile(rf"(?:i'?m|i\s+am|i\s+was)\s+{_TOKEN}\s+on\s+(?P<pl>{_PL})\b", _FREE_FLAGS), _ON_PL),
    (
        re.compile(
            rf"(?:(?:he|she|they)\s+)?(?:added|messaged|followed)\s+(?:me|my\s+account)\s+\({_TOKEN}\)", _FREE_FLAGS
        ),
        _ADDED_ME,
    ),
)
_VICTIM_CONTACT = re.compile(
    r"(?:my\s+(?:e-?mail|number|phone|mobile|cell|whatsapp)(?:\s+(?:address|number))?\s*(?:is|was|:|=)?|"
    r"(?:e-?mail|text|call|ring|phone|contact|message|reach)\s+me\s+(?:at|on)|me\s+at)\s+"
    r"(?P<value>[^\s,;<>()]+@[^\s,;<>()]+|\+?\d[\d\s().-]{6,18}\d)",
    _FREE_FLAGS,
)
_SUBJECT_IN_TEXT: tuple[tuple[re.Pattern, frozenset[str]], ...] = (
    (
        re.compile(rf"{_OWNER_LED}(?:{_LABEL})(?P<sep>{_SEP}){_TOKEN}(?:\s+on\s+(?P<pl2>{_PL})\b)?", _FREE_FLAGS),
        _LABELS,
    ),
    (re.compile(rf"(?:{_LABEL})(?P<sep>{_SEP}){_TOKEN}(?:\s+on\s+(?P<pl2>{_PL})\b)?", _FREE_FLAGS), _LABELS),
    (
        re.compile(
            rf"(?:called|calls|calling|named|names)\s+(?:himself|herself|themselves|themself)\s+{_TOKEN}"
            rf"(?:\s+on\s+(?P<pl>{_PL})\b)?",
            _FREE_FLAGS,
        ),
        _SELF,
    ),
    (
        re.compile(rf"added\s+me\s+(?:on\s+(?P<pl>{_PL})\s+)?as\s+{_TOKEN}(?:\s+on\s+(?P<pl2>{_PL})\b)?", _FREE_FLAGS),
        _ADDED,
    ),
    (
        re.compile(
            rf"(?:account|profile|page|user|username)\s+(?:called|named)\s+{_TOKEN}(?:\s+on\s+(?P<pl>{_PL})\b)?",
            _FREE_FLAGS,
        ),
        _CALLED,
    ),
    (re.compile(rf"(?:is|was|are|me)\s+on\s+(?P<pl>{_PL})\s+as\s+{_TOKEN}", _FREE_FLAGS), _AS_PL),
    (re.compile(rf"goes\s+by\s+{_TOKEN}(?:\s+on\s+(?P<pl>{_PL})\b)?", _FREE_FLAGS), _GOES),
    (
        re.compile(
            rf"on\s+(?P<pl>{_PL})\s*,?\s+(?:he|she|they)(?:'s|\s+(?:is|was|are|goes\s+by|uses))\s+{_TOKEN}",
            _FREE_FLAGS,
        ),
        _ON_PL,
    ),
    (re.compile(rf"(?<![\w@]){_TOKEN}\s+(?:on|from)\s+(?P<pl>{_PL})\b(?P<loose>)", _FREE_FLAGS), _ON_PL),
)
# Patterns that start with one of these words are tried only where the word is (a few places, not every character).
_ANCHORS: dict[re.Pattern, frozenset[str]] = {
    _VICTIM_IN_TEXT[0][0]: frozenset({"my"}),
    _SUBJECT_IN_TEXT[0][0]: frozenset({"his", "her", "their", "the"}),
    _SUBJECT_IN_TEXT[1][0]: _LABELS,
    _SUBJECT_IN_TEXT[2][0]: frozenset({"called", "calls", "calling", "named", "names"}),
    _SUBJECT_IN_TEXT[3][0]: _ADDED,
    _SUBJECT_IN_TEXT[4][0]: frozenset({"account", "profile", "page", "user", "username"}),
    _SUBJECT_IN_TEXT[6][0]: _GOES,
    _SUBJECT_IN_TEXT[7][0]: frozenset({"on"}),
}
_GATES: dict[re.Pattern, tuple[str, ...]] = {_VICTIM_IN_TEXT[1][0]: (" is my ", " was my ", "= my ")}
_DISTINCTIVE = re.compile(r"(?<![\w@#/:.'&=+-])(?=[\w.]*[\d_])(?=[\w.]*[^\W\d_])\w[\w.]{4,31}(?![\w@#/&=+'-])")
# Kept from the earlier free-text reader: a whole line "username: x" (and the other labels it knew).
_EMAIL_IN_TEXT = re.compile(r"[^\s<>(),;:\"']+@[^\s<>(),;:\"']+")
_URL_IN_TEXT = re.compile(r"(?:https?://|www\.)[^\s<>\"']+")
# Each starts with its first character, the lookbehind after it: the regex engine then skips to candidates fast.
_PHONE_IN_TEXT = re.compile(r"[+\d](?<![\w@/][+\d])[\d\s().-]{6,18}\d(?![\w@])")
_HANDLE_IN_TEXT = re.compile(r"(?<![\w@.])@([^\s@,;:()<>\"'!?]{1,100})")
_IP_IN_TEXT = re.compile(r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?![0-9])")  # starts a word: see take


def _platform(match: re.Match, platform: str) -> str:
    groups = match.groupdict()
    for name in ("pl2", "pl"):
        word = groups.get(name)
        if word:
            return _PLATFORM_OF.get(" ".join(word.lower().split()), platform)
    return platform


def _clean_token(value: str) -> str:
    return value.rstrip(".").lstrip("@")


def distinctive(token: str) -> bool:
    """A free-text token that is surely a username: letters with digits or underscores, not a stop token."""
    return _DISTINCTIVE.fullmatch(token) is not None and _STOP_TOKEN.fullmatch(token.lower()) is None


def _acceptable(match: re.Match, value: str, role: str) -> bool:
    """Is the word after a label a name? Yes after a verb that says so ("called himself x", "added me as x"), a
    colon, or "his/my ... is"; otherwise ("snap x", "x on roblox", "the account is x") only if it is an @handle
    or looks like a username (letters with digits or underscores)."""
    if not value or value.lower() in NOT_A_NAME or value.lower() in SENTENCE_WORDS:
        return False
    names = match.re.groupindex
    if "sep" not in names and "loose" not in names:
        return True
    sep = (match.group("sep") or "").strip() if "sep" in names else ""
    if sep and not sep.isalpha():
        return True
    if sep and (role == Role.VICTIM or match.groupdict().get("owner")):
        return True
    return match.string[match.start("value") - 1] == "@" or distinctive(value)


class _Scan:
    """The narrative scanner's state: what is found, and the text left once each match is taken out.

    The patterns are lower case and run on a lower-cased copy (case-insensitive matching of the label words is
    several times slower); what is kept is cut from the original text at the same place."""

    def __init__(self, text: str, platform: str, found: list[Found], victims: set[str]):
        self.low = text.lower()
        # Lower-casing a few non-ASCII letters changes the length: then the raw text comes from the lower-cased copy.
        self.text = text if len(self.low) == len(text) else self.low
        self.platform, self.found, self.victims = platform, found, victims

    @cached_property
    def words(self) -> frozenset[str]:
        """The words of the text (as first read): which labelled patterns are worth trying."""
        return frozenset(self.low.translate(_WORD_BREAKS).split())

    def cut(self, match: re.Match, group: int | str = 0) -> str:
        return self.text[match.start(group) : match.end(group)]

    def take(
        self,
        pattern: re.Pattern,
        handle,
        gate: tuple[str, ...] = (),
        words: frozenset[str] = frozenset(),
        pre: re.Pattern | None = None,
        anchors: frozenset[str] | None = None,
    ) -> None:
        """Each match `handle` accepts is taken out of the text (so no later pattern reads it again). A pattern
        runs only where the text has one of its `gate` strings and one of its `words`: most texts have neither."""
        if gate and not any(part in self.low for part in gate):
            return
        if words and self.words.isdisjoint(words):
            return
        if pre is not None and pre.search(self.low) is None:  # a quick look for what the pattern needs
            return
        low = self.low
        # The patterns do not start with \b (it would stop the engine skipping ahead): a match must start a word.
        matches = pattern.finditer(low) if anchors is None else self._at(pattern, anchors)
        spans = [
            match.span()
            for match in matches
            if (match.start() == 0 or not low[match.start() - 1].isalnum()) and handle(match)
        ]
        if anchors is not None:  # matches at each anchor word: in order, overlapping ones dropped
            spans.sort()
            spans = [span for n, span in enumerate(spans) if n == 0 or span[0] >= spans[n - 1][1]]
        if spans:
            self.text, self.low = _blank(self.text, spans), _blank(self.low, spans)

    def _at(self, pattern: re.Pattern, anchors: frozenset[str]):
        """The pattern's matches starting at each of its anchor words in the text."""
        low = self.low
        for word in self.words & anchors:
            at = low.find(word)
            while at >= 0:
                match = pattern.match(low, at)
                if match is not None:
                    yield match
                at = low.find(word, at + 1)

    def labelled(self, role: str):
        def handle(match: re.Match) -> bool:
            value = _clean_token(self.cut(match, "value"))
            if not _acceptable(match, value.lower(), role):
                return False
            groups = match.groupdict()
            kind = Kind.DISPLAY_NAME if groups.get("name") and not groups.get("pl2") else Kind.USERNAME
            item = make(role, kind, value, _platform(match, self.platform))
            if role == Role.VICTIM:
                self.victims.add(item.value)
            elif item.value in self.victims:
                return True
            self.found.append(item)
            return True

        return handle

    def contact_of_reporter(self, match: re.Match) -> bool:
        value = self.cut(match, "value")
        kind = Kind.EMAIL if "@" in value else Kind.PHONE
        item = make(Role.VICTIM, kind, value.strip("."))
        if item.valid:
            self.victims.add(item.value)
            self.found.append(item)
        return True

    def simple(self, role: str, kind: Kind, *, keep_invalid: bool, platform: str = ""):
        def handle(match: re.Match) -> bool:
            raw = self.cut(match, match.lastindex or 0).strip().rstrip(".,;)")
            item = make(role, kind, raw, platform)
            if item.value in self.victims:
                return True
            if item.valid or keep_invalid:
                self.found.append(item)
                return True
            return False

        return handle


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with each span replaced by spaces (same length: the two copies keep matching places)."""
    pieces, last = [], 0
    for start, end in spans:
        pieces.append(text[last:start])
        pieces.append(" " * (end - start))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _scan_contacts(scan: _Scan, *, victims_first: bool) -> None:
    if victims_first:
        scan.take(_VICTIM_CONTACT, scan.contact_of_reporter, words=_ME, pre=_CONTACT_GATE)
    scan.take(_EMAIL_IN_TEXT, scan.simple(Role.SUBJECT, Kind.EMAIL, keep_invalid=True), ("@",))
    scan.take(_URL_IN_TEXT, scan.simple(Role.SUBJECT, Kind.URL, keep_invalid=True), ("http", "www."))


def from_free_text(text: str, *, platform: str) -> list[Found]:
    """Identifiers in a narrative: emails, web addresses, IP addresses, phones, @handles, labelled usernames
    ("his username is x", "called himself x on snapchat", "added me as x") and distinctive username-shaped
    tokens. The child's own ("my snap is x", "call me on ...") are VICTIM items, and never also the subject's."""
    found: list[Found] = []
    if not text:
        return found
    scan = _Scan(text, platform, found, set())
    _scan_contacts(scan, victims_first=True)
    victim, subject = scan.labelled(Role.VICTIM), scan.labelled(Role.SUBJECT)
    if not scan.words.isdisjoint(_LABEL_WORDS):
        for pattern, words in _VICTIM_IN_TEXT:
            scan.take(pattern, victim, _GATES.get(pattern, ()), words, anchors=_ANCHORS.get(pattern))
        for pattern, words in _SUBJECT_IN_TEXT:
            scan.take(pattern, subject, _GATES.get(pattern, ()), words, anchors=_ANCHORS.get(pattern))
    handle = scan.simple(Role.SUBJECT, Kind.USERNAME, keep_invalid=True, platform=platform)
    scan.take(_HANDLE_IN_TEXT, handle, ("@",))
    scan.take(_IP_IN_TEXT, scan.simple(Role.SUBJECT, Kind.IP, keep_invalid=True), pre=_IP_GATE)
    # Numbers in a narrative are mostly dates, times and amounts: only a real phone number is taken.
    scan.take(_PHONE_IN_TEXT, scan.simple(Role.SUBJECT, Kind.PHONE, keep_invalid=False), pre=_PHONE_GATE)
    for token in _DISTINCTIVE.findall(scan.text):
        token = token.rstrip(".")
        if _STOP_TOKEN.fullmatch(token.lower()) is None:
            item = make(Role.SUBJECT, Kind.USERNAME, token, platform)
            if item.value not in scan.victims:
                found.append(item)
    return found


def contacts_in_text(text: str) -> list[Found]:
    """Emails, web addresses and phone numbers only (a partner's narrative: its people are in structured fields)."""
    found: list[Found] = []
    if text:
        scan = _Scan(text, "", found, set())
        _scan_contacts(scan, victims_first=False)
        scan.take(_PHONE_IN_TEXT, scan.simple(Role.SUBJECT, Kind.PHONE, keep_invalid=False), pre=_PHONE_GATE)
    return found


# --- the "about the person" box --------------------------------------------------------------------------


def _protected_split(text: str) -> list[str]:
    """Lines, then comma/semicolon items ("and"/"or"/"&" between names too), never inside a web address."""
    spans: list[str] = []

    def hide(match: re.Match) -> str:
        spans.append(match.group(0))
        return f"\x00{len(spans) - 1}\x00"

    hidden = _URL_SPAN.sub(hide, text) if "." in text else text
    items = []
    for line in _LINES.split(hidden):
        for part in _ITEMS.split(line):
            items.extend(_split_names(part))
    if not spans:
        return items
    return [_HIDDEN.sub(lambda m: spans[int(m.group(1))], item) for item in items]


def _split_names(part: str) -> list[str]:
    pieces = _NAME_SPLIT.split(part)
    if len(pieces) > 1 and all(_is_name_like(p) for p in pieces):
        return pieces
    return [part]


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text.lower())


def _is_sentence(text: str) -> bool:
    words = text.split()
    return len(words) > 5 or bool(SENTENCE_WORDS.intersection(_words(text))) or text.rstrip().endswith("?")


def _is_name_like(text: str) -> bool:
    text = text.strip()
    return bool(text) and (len(text.split()) == 1 or _IS_PHONE.fullmatch(text) is not None or not _is_sentence(text))


def _value(role: str, text: str, platform: str) -> list[Found]:
    """One value from the box (after any label): its kind from its shape."""
    text = text.strip().strip("\"'`").rstrip(".")
    if not text or _NOISE.fullmatch(text):
        return []
    if _IS_EMAIL.fullmatch(text):
        return [make(role, Kind.EMAIL, text)]
    if _IS_URL.fullmatch(text):
        return [make(role, Kind.URL, text if "://" in text or text.lower().startswith("www.") else f"https://{text}")]
    if _IS_IP.fullmatch(text) and any(ch.isdigit() for ch in text):
        return [make(role, Kind.IP, text)]
    if _IS_PHONE.fullmatch(text) and sum(ch.isdigit() for ch in text) >= 7:
        return [make(role, Kind.PHONE, text)]
    if _IS_TOKEN.fullmatch(text):
        return [make(role, Kind.USERNAME, text, platform)]
    if _HAS_CONTACT.search(text):  # "email sam@example.org", "from 8.8.8.8": read as a narrative
        found = from_free_text(text, platform=platform)
        return found if role == Role.SUBJECT else [replace(item, role=role) for item in found]
    if not _is_sentence(text):
        return [make(role, Kind.DISPLAY_NAME, text, platform)]
    return []


def _labelled_item(role: str, item: str, platform: str) -> list[Found] | None:
    """A labelled item ("snap: x", "tiktok @z", "on roblox he is x", "x (insta)"): None if it is not one."""
    for pattern in (_ITEM_ON, _ITEM_LABELLED, _ITEM_SUFFIX):
        match = pattern.match(item)
        if match is None:
            continue
        rest = match.group("rest").strip()
        if rest.lower() in NOT_A_NAME:
            return []
        groups = match.groupdict()
        bare = not groups.get("pl") and not (groups.get("sep") or "").strip()
        if bare and not (rest.startswith("@") or distinctive(rest)):
            continue  # "account x", "name Sam": a word, not a label, unless what follows is clearly an account name
        if groups.get("name") and _IS_TOKEN.fullmatch(rest):  # "name: Sam": a name, not an account
            return [make(role, Kind.DISPLAY_NAME, rest.lstrip("@"), platform)]
        values = _value(role, rest, _platform(match, platform))
        if values:
            return values
        first = rest.split()[0]  # "snap: ShadowFox_77 i think"
        return _value(role, first, _platform(match, platform)) if distinctive(first.lstrip("@")) else None
    return None


def _item(item: str, platform: str) -> list[Found]:
    item = _BULLET.sub("", item)
    if not item or _NOISE.fullmatch(item):
        return []
    role, text = Role.SUBJECT, item
    mine = _MINE.match(item)
    if mine:  # "my snap is x", "my son's snap: x": the child's own account
        found = [f for f in from_free_text(item, platform=platform) if f.role == Role.VICTIM]
        if found:
            return found
        role, text = Role.VICTIM, item[mine.end() :]
    labelled = _labelled_item(role, text, platform)
    if labelled is not None:
        return labelled
    values = _value(role, text, platform)
    if values:
        return values
    # A sentence: read as a narrative; if nothing comes of it, the raw text is kept (it will not link).
    found = from_free_text(item, platform=platform)
    return found or [make(role, Kind.USERNAME, item, platform)]


def from_identifier_box(text: str, *, platform: str) -> list[Found]:
    """The "about the person" box: every line and comma/semicolon item is a candidate with its platform."""
    found: list[Found] = []
    for item in _protected_split(text or ""):
        found.extend(_item(item, platform))
    return found


# --- partner payload -----------------------------------------------------------------------------------


def _when(text) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def from_partner_payload(payload: dict, *, platform: str) -> list[Found]:
    found: list[Found] = []
    person = payload.get("personOrUserReported") or {}
    service = normalise_platform(person.get("espService") or "") or platform
    if person.get("espIdentifier"):
        found.append(make(Role.SUBJECT, Kind.PLATFORM_ID, person["espIdentifier"], service))
    if person.get("screenName"):
        found.append(make(Role.SUBJECT, Kind.USERNAME, person["screenName"], service))
    for name in person.get("displayNames", []):
        found.append(make(Role.SUBJECT, Kind.DISPLAY_NAME, name, service))
    for url in person.get("profileUrls", []):
        found.append(make(Role.SUBJECT, Kind.URL, url))
    for email in person.get("emails", []):
        found.append(make(Role.SUBJECT, Kind.EMAIL, email))
    for phone in person.get("phones", []):
        found.append(make(Role.SUBJECT, Kind.PHONE, phone))
    for device in person.get("deviceIds", []):
        found.append(make(Role.SUBJECT, Kind.DEVICE_ID, device))
    for account in person.get("associatedAccounts", []):
        # Another account the platform links to the person, often on another service: platform unknown.
        found.append(make(Role.SUBJECT, Kind.USERNAME, account, "associated"))
    for event in person.get("ipCaptureEvents", []):
        found.append(
            make(
                Role.SUBJECT,
                Kind.IP,
                event.get("ipAddress", ""),
                observed_at=_when(event.get("dateTime")),
                detail=str(event.get("eventName") or ""),
            )
        )
    found.extend(_partner_victims_and_places(payload, service))
    for text in _partner_narrative(payload):
        # A link in a partner's narrative may be the partner's own help page or policy: a place the person was,
        # connecting networks, never merging subjects (as the structured web page URLs above).
        for item in contacts_in_text(text):
            found.append(replace(item, role=Role.ROOM) if item.kind == Kind.URL else item)
    return found


def _partner_victims_and_places(payload: dict, service: str) -> list[Found]:
    found: list[Found] = []
    for victim in payload.get("victims", []):
        if victim.get("espIdentifier"):
            found.append(make(Role.VICTIM, Kind.PLATFORM_ID, victim["espIdentifier"], service))
        if victim.get("screenName"):
            found.append(make(Role.VICTIM, Kind.USERNAME, victim["screenName"], service))
    internet = payload.get("internetDetails") or {}
    chat = internet.get("chatImIncident") or {}
    if chat.get("chatRoomName"):
        found.append(
            make(
                Role.ROOM, Kind.ROOM, chat["chatRoomName"], normalise_platform(chat.get("chatClient") or "") or service
            )
        )
    for url in (internet.get("webPageIncident") or {}).get("urls", []):
        found.append(make(Role.ROOM, Kind.URL, url))
    phone = (internet.get("cellPhoneIncident") or {}).get("phoneNumber")
    if phone:
        found.append(make(Role.SUBJECT, Kind.PHONE, phone))
    for email in (internet.get("emailIncident") or {}).get("emailAddresses", []):
        found.append(make(Role.SUBJECT, Kind.EMAIL, email))
    return found


def _partner_narrative(payload: dict) -> list[str]:
    """A partner's free-text fields (schemas: `additionalInfo`, the incident summary's descriptions)."""
    summary = payload.get("incidentSummary") or {}
    texts = [payload.get("additionalInfo"), summary.get("escalationReason"), summary.get("incidentDateTimeDescription")]
    return [text for text in texts if isinstance(text, str) and text]


def _attachment_hashes(report_id: int) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:  # plain SQL: this runs for every report, on the linking hot path
        cursor.execute(f"SELECT sha256 FROM {Attachment._meta.db_table} WHERE report_id = %s", [report_id])  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def _additions(report) -> list[str]:
    """Follow-up additions of a saved report (the triage task prefetches them: no query there)."""
    return [addition.text for addition in report.additions.all()] if report.pk else []


def _reporters_own(report) -> set[str]:
    """The reporter's own contact details: never an identifier of the person reported."""
    own = set()
    for kind, raw in ((Kind.EMAIL, report.contact_email), (Kind.PHONE, report.contact_phone)):
        if raw:
            result = normalise(kind, raw)
            if result.valid:
                own.add(identifier_key(kind, "", result.value))
    return own


def _public(report, platform: str) -> list[Found]:
    """A public report: the box, the narrative and follow-up additions. What the text ties to the child (or is
    the reporter's own contact) is never also an identifier of the subject."""
    found = from_identifier_box(report.subject_identifiers, platform=platform)
    for text in (report.account, *_additions(report)):
        found.extend(from_free_text(text, platform=platform))
    not_subject = {item.key for item in found if item.role == Role.VICTIM and item.key} | _reporters_own(report)
    if not not_subject:
        return found
    return [item for item in found if item.role != Role.SUBJECT or item.key not in not_subject]


def from_report(report) -> list[Found]:
    """Every identifier in the report, de-duplicated (same role, kind, platform and value once)."""
    platform = normalise_platform(report.platform_name)
    payload = partner_payload.payload(report.details)
    if payload:
        found = from_partner_payload(payload, platform=platform)
        for file in partner_payload.files(report.details):
            if file.get("sha256"):
                found.append(make(Role.FILE, Kind.FILE_HASH, file["sha256"]))
            file_hash = (file.get("details") or {}).get("originalFileHash")
            if file_hash:
                found.append(make(Role.FILE, Kind.FILE_HASH, file_hash))
    else:
        found = _public(report, platform)
    if report.pk:
        for sha256 in _attachment_hashes(report.pk):
            found.append(make(Role.FILE, Kind.FILE_HASH, sha256))
    unique: dict[tuple, Found] = {}
    for item in found:
        ident = (item.role, item.kind, item.platform, item.value or item.raw)
        unique.setdefault(ident, item)
    return list(unique.values())
