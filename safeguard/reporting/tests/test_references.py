"""Report references: the format people read aloud, every character of the alphabet in use."""

import re
from collections import Counter

from safeguard.reporting.references import ALPHABET, new_reference, normalise_reference


def test_references_have_the_readable_format_and_use_the_whole_alphabet():
    references = [new_reference() for _ in range(4000)]
    assert all(re.fullmatch(r"SG-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", r) for r in references)
    seen = Counter(ch for r in references for ch in r[3:].replace("-", ""))
    assert set(seen) == set(ALPHABET)
    assert min(seen.values()) > 0.5 * max(seen.values())  # roughly even, no character starved
    assert len(set(references)) == len(references)
    assert all(normalise_reference(r.lower().replace("-", " ")) == r for r in references[:50])
