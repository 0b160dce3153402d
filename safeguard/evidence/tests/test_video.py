"""vPDQ hashing and matching (video.py) on generated videos: lavfi patterns, a few seconds, 640x360."""

import os

import pytest

from safeguard.evidence import video
from safeguard.evidence.video import Frame, Thresholds, VideoHashError, VideoIndex, match_video

from .videos import generated, reencoded, require_vpdq

require_vpdq()


@pytest.fixture(scope="module")
def pattern():
    return video.hash_video_bytes(generated("testsrc2"))


@pytest.fixture(scope="module")
def other():
    return video.hash_video_bytes(generated("mandelbrot"))


def test_a_video_hashes_to_one_frame_a_second(pattern):
    assert len(pattern) == 4
    assert [f.timestamp for f in pattern] == [0.0, 1.0, 2.0, 3.0]
    assert all(len(f.pdq) == 64 and 0 <= f.quality <= 100 for f in pattern)
    assert all(f.quality >= 50 for f in pattern)


def test_the_same_video_matches_itself_fully(pattern):
    again = video.hash_video_bytes(generated("testsrc2"))
    result = match_video(again, pattern)
    assert result.is_match and (result.query_percent, result.compared_percent, result.distance) == (100, 100, 0)


@pytest.mark.parametrize(
    "how", [{"crf": 32, "scale": "480:270"}, {"crf": 18, "scale": "320:180"}, {"crf": 28, "scale": "640:360"}]
)
def test_a_reencoded_copy_matches(pattern, how):
    copy = video.hash_video_bytes(reencoded(generated("testsrc2"), **how))
    result = match_video(copy, pattern)
    assert result.is_match, result
    assert result.query_percent >= 80 and 0 < result.distance <= 31


def test_a_reencoded_copy_in_another_codec_matches(pattern):
    copy = video.hash_video_bytes(reencoded(generated("testsrc2"), codec="libx265", crf=30))
    assert match_video(copy, pattern).is_match


def test_a_different_pattern_does_not_match(pattern, other):
    result = match_video(other, pattern)
    assert not result.is_match and result.query_percent == 0


def test_a_clip_of_a_listed_video_matches_but_the_listed_video_is_not_all_in_a_clip(pattern):
    longer = video.hash_video_bytes(generated("testsrc2", seconds=10))
    clip_in_long = match_video(pattern, longer)  # query: the 4 s clip; compared: the 10 s listed video
    assert clip_in_long.is_match and clip_in_long.query_percent == 100 and clip_in_long.compared_percent < 100
    strict = Thresholds(query_percent=0, compared_percent=80)  # the vpdq README's example the other way round
    assert not match_video(pattern, longer, limits=strict).is_match


def test_truncated_video_is_unreadable():
    data = generated("testsrc2")
    for cut in (len(data) // 3, 2000):
        with pytest.raises(VideoHashError) as error:
            video.hash_video_bytes(data[:cut])
        assert error.value.code == "unreadable", cut
        assert "damaged or truncated" in str(error.value)


def test_a_faststart_video_cut_short_is_unreadable():
    data = generated("testsrc2", extra="-movflags +faststart")
    with pytest.raises(VideoHashError) as error:
        video.hash_video_bytes(data[: len(data) // 2])
    assert error.value.code == "unreadable"


@pytest.mark.parametrize("data", [b"just some text, not a video\n" * 20, b"", b"\x89PNG\r\n\x1a\n" + b"\0" * 100])
def test_not_a_video(data):
    with pytest.raises(VideoHashError) as error:
        video.hash_video_bytes(data)
    assert error.value.code == "not_a_video"


def test_a_video_over_the_duration_limit_is_too_long(settings):
    settings.SAFEGUARD_VIDEO_MAX_SECONDS = 3
    with pytest.raises(VideoHashError) as error:
        video.hash_video_bytes(generated("testsrc2", seconds=5))
    assert error.value.code == "too_long" and "over the 3 second limit" in str(error.value)


def test_a_video_over_the_size_limit_is_too_large(settings):
    data = generated("testsrc2")
    settings.SAFEGUARD_VIDEO_MAX_BYTES = len(data) - 1
    with pytest.raises(VideoHashError) as error:
        video.hash_video_bytes(data)
    assert error.value.code == "too_large"


def test_the_video_is_hashed_from_an_anonymous_memory_file_closed_afterwards(monkeypatch):
    import vpdq

    seen = {}
    real = vpdq.computeHash

    def spy(path, **kwargs):
        seen["path"], seen["target"] = path, os.readlink(path)
        return real(path, **kwargs)

    monkeypatch.setattr(vpdq, "computeHash", spy)
    video.hash_video_bytes(generated("mandelbrot", seconds=2))
    assert seen["path"].startswith("/proc/self/fd/")
    assert seen["target"].startswith("/memfd:safeguard-video")  # no name in any file system
    assert not os.path.exists(seen["path"]) or os.readlink(seen["path"]) != seen["target"]  # closed


def test_low_quality_frames_are_not_compared(pattern):
    plain = [Frame(f.pdq, 10, f.timestamp) for f in pattern]
    result = match_video(plain, pattern)
    assert not result.is_match and result.query_percent == 0


def test_duplicate_frames_count_once(pattern):
    padded = [pattern[0]] * 20 + pattern[1:2]
    result = match_video(padded, pattern)  # 2 distinct frames, both in the listed video
    assert result.query_percent == 100 and result.compared_percent == 50


@pytest.mark.parametrize("engine", ["brute", "index"])
def test_the_index_finds_the_same_matches_as_one_by_one(pattern, other, engine):
    stored = [other, pattern, video.hash_video_bytes(generated("smptehdbars", seconds=3))]
    query = video.hash_video_bytes(reencoded(generated("testsrc2")))
    found = VideoIndex(stored, engine=engine).search(query, matches_only=False)
    expected = match_video(query, pattern)
    assert [(m.target, m.query_percent, m.compared_percent, m.distance) for m in found] == [
        (1, expected.query_percent, expected.compared_percent, expected.distance)
    ]
    assert VideoIndex(stored, engine=engine).search(video.hash_video_bytes(generated("testsrc"))) == []


def test_vpdq_values_parse_in_both_text_forms(pattern):
    feed = video.canonical_value(pattern)
    assert video.parse_vpdq_value(feed) == pattern
    threatexchange = "[" + ",".join(f'"{f.pdq},{f.quality},{f.timestamp}"' for f in pattern) + "]"
    assert video.parse_vpdq_value(threatexchange) == pattern


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("abc,100,0", "64 hexadecimal"),
        ("0" * 64 + ",101,0", "0 to 100"),
        ("0" * 64 + ",90", "pdq,quality,timestamp"),
        ("0" * 64 + ",90,1\n" + "0" * 64 + ",90,0", "backwards"),
        ("0" * 64 + ",90,nan", "backwards or is not a time"),
        ("[1, 2]", "list of"),
        ("[not json", "not valid JSON"),
    ],
)
def test_bad_vpdq_values_say_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        video.parse_vpdq_value(text)
