"""wrk (C, one event loop per thread) drives bench_load's stateless traffic at a fixed rate per endpoint.

One wrk process per kind of request, so each has its own latency figures. Requests are paced, not sent
as fast as possible: wrk calls the script's `delay()` before each next request on a connection, and the
script hands out send slots `interval` apart from a monotonic clock (LuaJIT's ffi), so the rate is the
target whatever the latency, as long as enough connections are free. A run that falls more than a
second behind drops the missed slots rather than bursting (the achieved rate then shows it).
Each request's status is checked against the one expected; partner API answers (201) have their report
reference written to a file so the bench can check every accepted report is stored.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

LUA = r"""
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } load_timespec_t;
           int clock_gettime(int clk, load_timespec_t *tp); ]]
local ts = ffi.new("load_timespec_t")
local function now_ms()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local paths = {%(paths)s}
local method = "%(method)s"
local body = %(body)s
local base_headers = {%(headers)s}
local expected = %(expected)d
local interval = %(interval_ms).6f
local idempotency = %(idempotency)s
local accepted_file = %(accepted_file)s
local result_file = %(result_file)s

local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local next_slot = nil
local counter = 0
local out = nil
unexpected = 0
first_unexpected = ""

function init(args)
  math.randomseed(os.time() * 1000 + id)
  if accepted_file then out = io.open(accepted_file .. "." .. id, "w") end
end

function delay()
  local now = now_ms()
  if next_slot == nil or next_slot < now - 1000 then next_slot = now end
  local slot = next_slot
  next_slot = next_slot + interval
  if slot > now then return slot - now end
  return 0
end

function request()
  counter = counter + 1
  local headers = base_headers
  if idempotency then
    headers = {}
    for k, v in pairs(base_headers) do headers[k] = v end
    headers["Idempotency-Key"] = "load-" .. id .. "-" .. counter .. "-" .. math.random(1, 1000000000)
  end
  return wrk.format(method, paths[math.random(#paths)], headers, body)
end

function response(status, headers, resp_body)
  if status ~= expected then
    unexpected = unexpected + 1
    if first_unexpected == "" then first_unexpected = status .. " " .. string.sub(resp_body or "", 1, 200) end
  elseif out then
    local reference = string.match(resp_body, '"reference"%%s*:%%s*"([^"]+)"')
    if reference then
      out:write(reference, "\n")
      out:flush()
    end
  end
end

function done(summary, latency, requests)
  local bad, first = 0, ""
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
    if first == "" then first = thread:get("first_unexpected") end
  end
  local f = io.open(result_file, "w")
  f:write(string.format('{"requests": %%d, "duration_us": %%d, "socket_errors": %%d, "unexpected": %%d, ' ..
    '"max_us": %%d, ',
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    bad, latency.max))
  f:write('"first_unexpected": "' .. string.gsub(first, '[^%%w %%-%%._:/]', '?') .. '", "quantiles_us": [')
  for i = 1, 1000 do
    if i > 1 then f:write(",") end
    f:write(string.format("%%d", latency:percentile((i - 0.5) / 10)))
  end
  f:write("]}")
  f:close()
end
"""


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


@dataclass
class Stream:
    """One kind of request at a fixed rate: a wrk process with its own script and results."""

    name: str
    paths: list[str]
    rate: float
    method: str = "GET"
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    expected: int = 200
    idempotency: bool = False
    collect_references: bool = False
    connections: int = 0

    def start(self, *, base_url: str, seconds: int, workdir: Path) -> subprocess.Popen:
        slug = "".join(c if c.isalnum() else "-" for c in self.name).strip("-")
        self.result_file = workdir / f"wrk-{slug}.json"
        self.accepted_prefix = workdir / f"accepted-{slug}"
        script = workdir / f"wrk-{slug}.lua"
        # Browsers ask for compressed answers; whitenoise serves its pre-compressed static files then.
        headers = {"Accept-Encoding": "gzip, br", **self.headers}
        script.write_text(
            LUA
            % {
                "paths": ", ".join(_lua_string(p) for p in self.paths),
                "method": self.method,
                "body": _lua_string(self.body) if self.body else "nil",
                "headers": ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items()),
                "expected": self.expected,
                "interval_ms": 1000.0 / self.rate,
                "idempotency": "true" if self.idempotency else "false",
                "accepted_file": _lua_string(str(self.accepted_prefix)) if self.collect_references else "nil",
                "result_file": _lua_string(str(self.result_file)),
            }
        )
        # Enough connections to keep the rate with answers taking up to a second: when the server falls
        # behind, requests queue at the server (and their wait counts as latency) instead of not being sent.
        connections = self.connections or max(4, min(200, round(self.rate)))
        return subprocess.Popen(  # noqa: S603
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), base_url],  # noqa: S607
            stdout=open(workdir / f"wrk-{slug}.out", "w"),
            stderr=subprocess.STDOUT,
        )

    def result(self) -> dict:
        return json.loads(self.result_file.read_text())

    def references(self) -> list[str]:
        found = []
        for path in self.accepted_prefix.parent.glob(self.accepted_prefix.name + ".*"):
            found += [line.strip() for line in path.read_text().splitlines() if line.strip()]
        return found
