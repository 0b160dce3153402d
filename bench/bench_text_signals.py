"""Triage's text-signal reader on a bulk file's worth of ~300-character texts (ADR 0098).

Prints `name: value unit` lines. Run: `.venv/bin/python bench/bench_text_signals.py [TEXTS]` (default 10,000).
Texts are synthetic, a third with a signal, the rest routine; pipeline build time is reported on its own.
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.test_settings")

import django

django.setup()

from _django import sized  # noqa: E402

from safeguard.triage import signals  # noqa: E402

ROUTINE = [
    "my son plays a building game online most evenings after school and has lots of friends there",
    "someone made a fake account using my daughter's name and school photo and is messaging her class",
    "i want to report a user who keeps posting mean comments under my videos and calling me names",
    "we had a talk at school about staying safe online and i wanted to check a website is real",
    "the group chat for our class has got really nasty and some people are leaving it",
    "i am a teacher and a pupil told me about a message they got, we have spoken to the parents",
    "my friend said a stranger added her on a game but she blocked him straight away",
    "can you tell me how to change privacy settings on my account so only friends see it",
]
RISKY = [
    "he asked me for pictures in a game chat and said to keep it secret",
    "he would tell everyone if i dont send one",
    "an adult paying a 13-year-old in game currency for photos",
    "he said hes 25 and wants to meet me at the park tomorrow",
    "he keeps sending me robux and asked where i live",
    "im 13 and he said dont tell ur mum about us",
    "he never asked me for pictures but he is much older",
]


def make_texts(count: int, seed: int = 20) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for i in range(count):
        parts = []
        if i % 3 == 0:
            parts.append(rng.choice(RISKY))
        while sum(len(p) + 2 for p in parts) < 300:
            parts.append(rng.choice(ROUTINE))
        rng.shuffle(parts)
        texts.append(". ".join(parts)[:300])
    return texts


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else sized(10_000, 200)
    texts = make_texts(count)
    signals.reset()
    started = time.perf_counter()
    signals.read_signals("warm up")
    print(f"text signals build s: {time.perf_counter() - started:.2f}")
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        results = signals.read_many(texts)
        runs.append(time.perf_counter() - started)
    per_text = statistics.median(runs) / count * 1e6
    with_signal = sum(1 for r in results if r.found)
    print(f"# {count} texts, mean {statistics.mean(len(t) for t in texts):.0f} chars, {with_signal} with a signal")
    print(f"text signals read_many us per text: {per_text:.0f}")
    started = time.perf_counter()
    for text in texts[:2000]:
        signals.read_signals(text)
    print(f"text signals read_signals us per text: {(time.perf_counter() - started) / min(count, 2000) * 1e6:.0f}")


if __name__ == "__main__":
    main()
