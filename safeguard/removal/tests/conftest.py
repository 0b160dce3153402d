"""Remove it test fixtures: a fake of the self-reported hash list (evidence.self_reported) unless a test is marked
`real_list`, clean rate limits, and items shaped as the browser sends them."""

import re
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from safeguard.removal import hash_list

HEX32, HEX64 = re.compile(r"^[0-9a-f]{32}$"), re.compile(r"^[0-9a-f]{64}$")


@dataclass
class FakeList:
    """Keeps to the list's contract: all or nothing per call, the same codes and messages for bad input."""

    active: dict[str, list[dict]] = field(default_factory=dict)
    withdrawn: dict[str, int] = field(default_factory=dict)
    matched: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    removed_at: dict[str, datetime] = field(default_factory=dict)

    def add_hashes(self, *, request_ref: str, items: list[dict]) -> int:
        if request_ref in self.withdrawn:
            raise hash_list.ListRefused("withdrawn", "These codes were taken back, so no more can be added")
        if len(items) > 50:
            raise hash_list.ListRefused("too_many", "You can send up to 50 at a time")
        seen = {item["md5"] for item in self.active.get(request_ref, [])}
        for index, item in enumerate(items):
            if not HEX32.match(str(item.get("md5", ""))):
                raise hash_list.ListRefused("bad_md5", "This code is not right. Choose the picture again", index)
            if item.get("kind") == "image" and not HEX64.match(str(item.get("pdq") or "")):
                raise hash_list.ListRefused("bad_pdq", "This code is not right. Choose the picture again", index)
            if item.get("kind") == "image" and int(item.get("pdq_quality") or 0) < 50:
                raise hash_list.ListRefused(
                    "low_quality", "This picture is too plain or too blurred to make a code that works", index
                )
            if item["md5"] in seen:
                raise hash_list.ListRefused("duplicate", "You have already sent this picture", index)
            seen.add(item["md5"])
        self.active.setdefault(request_ref, []).extend(items)
        return len(items)

    def withdraw(self, *, request_ref: str) -> int:
        n = len(self.active.pop(request_ref, []))
        self.withdrawn[request_ref] = n
        return n

    def status_for(self, *, request_ref: str) -> dict:
        return {
            "shared": len(self.active.get(request_ref, [])),
            "withdrawn": self.withdrawn.get(request_ref, 0),
            "platforms_matched": self.matched.get(request_ref, 0),
            "removed_by_platforms": self.removed.get(request_ref, 0),
            "last_removed_at": self.removed_at.get(request_ref),
        }

    def platform_removed(self, request_ref: str, *, when: datetime | None = None) -> None:
        self.matched[request_ref] = self.matched.get(request_ref, 0) + 1
        self.removed[request_ref] = self.removed.get(request_ref, 0) + 1
        self.removed_at[request_ref] = when or timezone.now()


@pytest.fixture(autouse=True)
def fake_list(request, monkeypatch):
    if request.node.get_closest_marker("real_list"):
        yield None
        return
    fake = FakeList()
    monkeypatch.setattr(hash_list, "add_hashes", fake.add_hashes)
    monkeypatch.setattr(hash_list, "withdraw", fake.withdraw)
    monkeypatch.setattr(hash_list, "status_for", fake.status_for)
    yield fake


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def image_item(n: int = 1, *, quality: int = 90) -> dict:
    return {"kind": "image", "md5": f"{n:032x}", "pdq": f"{n:064x}", "pdq_quality": quality, "vpdq": None}


def video_item(n: int = 1) -> dict:
    frames = [{"pdq": f"{n + s:064x}", "quality": 80, "timestamp": float(s)} for s in range(3)]
    return {"kind": "video", "md5": f"{n:032x}", "pdq": None, "pdq_quality": None, "vpdq": frames}
