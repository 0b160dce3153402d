"""Hashing in the browser (issue 22, ADR 0105): PDQ of a 12-megapixel picture and MD5 speed, in headless Chromium.

Prints `name: value unit` lines. Run: `.venv/bin/python bench/bench_browser_pdq.py [--runs N]` (default 9 timed runs
after one warm-up). The picture is a generated 4000 x 3000 JPEG (stripes, rings and noise; never a photo). The page
is tests/browser/pdq (no web server: Playwright answers every request, nothing reaches the network).

- `browser pdq ms`: median of decode + pixels + PDQ, as hashFile does it after the MD5 (`pdqTest.timePdq`): the
  issue's goal is under 1,000 ms for 12 MP on the test Chromium.
- `browser pdq decode ms` and `browser pdq compute ms`: the same split in two (createImageBitmap + canvas read, then
  luma + filters + DCT), medians.
- `browser hashfile ms`: the whole hashFile on the picture (MD5 of the file, decode, PDQ), median.
- `browser md5 mb/s`: md5OfBlob (2 MiB slices, spark-md5) on 64 MiB of bytes made in the page, MB = 10^6 bytes,
  median of 5 runs.
- `browser pdq distance to pdqhash`: the hash against the server's (must be 0-2; it is a check, not a speed).

BENCH_SMOKE=1: a 1000 x 750 picture, 2 runs, 4 MiB for MD5.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.test_settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from _django import SMOKE, sized  # noqa: E402
from PIL import Image  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from safeguard.evidence.hashing import analyse_image  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.pdq.harness import Harness  # noqa: E402

SPLIT = """async ([url, name, runs]) => {
    const { imagePixels } = await import("/static/js/remove/hash.mjs");
    const { pdqFromImageData } = await import("/static/js/remove/pdq.mjs");
    const file = new File([await (await fetch(url)).blob()], name);
    const decode = [];
    const compute = [];
    for (let i = 0; i < runs; i++) {
        const started = performance.now();
        const pixels = await imagePixels(file);
        const decoded = performance.now();
        pdqFromImageData(pixels);
        compute.push(performance.now() - decoded);
        decode.push(decoded - started);
    }
    return { decode, compute };
}"""

HASHFILE = """async ([url, name, runs]) => {
    const { hashFile } = await import("/static/js/remove/hash.mjs");
    const file = new File([await (await fetch(url)).blob()], name);
    const times = [];
    for (let i = 0; i < runs; i++) {
        const started = performance.now();
        await hashFile(file);
        times.push(performance.now() - started);
    }
    return times;
}"""


# MD5 of `size` bytes made in the page (an xorshift stream), so 64 MiB need not cross from Python into the browser.
MD5 = """async ([size, runs]) => {
    const { md5OfBlob } = await import("/static/js/remove/md5.mjs");
    const bytes = new Uint8Array(size);
    const words = new Uint32Array(bytes.buffer, 0, size >>> 2);
    let x = 2463534242;
    for (let i = 0; i < words.length; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        words[i] = x;
    }
    const file = new File([bytes], "bytes.bin");
    const times = [];
    for (let i = 0; i < runs; i++) {
        const started = performance.now();
        await md5OfBlob(file);
        times.push(performance.now() - started);
    }
    return { times, bytes: file.size };
}"""


def picture(width: int, height: int) -> bytes:
    """A generated pattern (stripes, rings, block noise) as a quality-90 JPEG: detail everywhere, like a photo's."""
    x = np.arange(width, dtype=np.float32)[None, :]
    y = np.arange(height, dtype=np.float32)[:, None]
    rng = np.random.default_rng(22)
    blocks = rng.integers(0, 256, (height // 50 + 1, width // 50 + 1), dtype=np.uint8)
    noise = np.repeat(np.repeat(blocks, 50, axis=0), 50, axis=1)[:height, :width].astype(np.float32)
    rings = 127 + 127 * np.cos(np.hypot(x - width / 2, y - height / 3) / 9)
    stripes = 127 + 127 * np.sin((x + 2 * y) / 13)
    pixels = np.empty((height, width, 3), np.uint8)
    pixels[..., 0] = np.clip(rings, 0, 255)
    pixels[..., 1] = np.clip(stripes, 0, 255)
    pixels[..., 2] = noise
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def median_ms(times: list[float]) -> float:
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=sized(9, 2))
    args = parser.parse_args()
    width, height = (1000, 750) if SMOKE else (4000, 3000)
    md5_bytes = sized(64, 4) * 1024 * 1024
    jpeg = picture(width, height)
    expected = analyse_image(jpeg).pdq

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        harness = Harness(browser)
        try:
            harness.files["picture.jpg"] = jpeg
            url = ["/files/picture.jpg", "picture.jpg"]
            harness.page.evaluate("(a) => window.pdqTest.timePdq(a[0], a[1], 1)", url)  # warm-up (JIT, decoder)
            timed = harness.page.evaluate("(a) => window.pdqTest.timePdq(a[0], a[1], a[2])", [*url, args.runs])
            split = harness.page.evaluate(SPLIT, [*url, args.runs])
            whole = harness.page.evaluate(HASHFILE, [*url, args.runs])
            md5 = harness.page.evaluate(MD5, [md5_bytes, sized(5, 2)])
            version = browser.version
        finally:
            harness.close()
            browser.close()

    distance = (int(timed["hash"]["hash"], 16) ^ int(expected, 16)).bit_count()
    print(f"browser chromium: {version} ({os.cpu_count()} cpus)")
    print(f"browser pdq picture: {width}x{height} jpeg {len(jpeg)} bytes")
    print(f"browser pdq ms: {median_ms(timed['times']):.0f}")
    print(f"browser pdq min ms: {min(timed['times']):.0f}")
    print(f"browser pdq decode ms: {median_ms(split['decode']):.0f}")
    print(f"browser pdq compute ms: {median_ms(split['compute']):.0f}")
    print(f"browser hashfile ms: {median_ms(whole):.0f}")
    print(f"browser md5 mb/s: {md5['bytes'] / (median_ms(md5['times']) / 1000) / 1e6:.0f}")
    print(f"browser pdq distance to pdqhash: {distance}")
    if distance > 2:
        sys.exit(f"the browser's PDQ is {distance} bits from pdqhash's: parity broken")


if __name__ == "__main__":
    main()
