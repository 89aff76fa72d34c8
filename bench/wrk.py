"""Drive wrk against one URL and read back its throughput, p99 and status counts."""
import re
import shutil
import subprocess
from dataclasses import dataclass

from bench.dataset import RUN

# Count answers other than the expected status (wrk's own summary counts only >= 400, so a
# redirect to the sign-in page would pass unnoticed), and print the exact figures from the
# latency histogram. Each thread gets `tid` (1, 2, ...) and a `sent` counter for request().
STATUS_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread); thread:set("tid", #threads) end
function init(args) not_ok = 0; sent = 0 end
function response(status, headers, body) if status ~= expected_status then not_ok = not_ok + 1 end end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("not_ok") end
  io.write(string.format("BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d not_200=%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), bad))
end
"""
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


@dataclass
class WrkResult:
    """What one wrk run measured."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    not_200: int
    socket_errors: int
    output: str


def require_wrk() -> str:
    """The wrk binary, or stop with a message saying how to get it."""
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("bench: wrk is not installed. Run `make bench` (it installs wrk from Debian with apt), "
                         "or install it yourself: apt-get install wrk")
    return path


def run(url: str, *, token: str | None, duration: float, threads: int, connections: int,
        lua: str = "", label: str = "run", expect_status: int = 200, cookie: str = "bridge_session") -> WrkResult:
    """Load one URL for `duration` seconds; `lua` may set wrk.method/body or define request()."""
    script = RUN / f"wrk-{re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-')}.lua"
    script.write_text(f"expected_status = {int(expect_status)}\n{lua}\n{STATUS_LUA}")
    cmd = [require_wrk(), f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency",
           "--timeout", "30s", "-s", str(script), "-H", "Accept-Encoding: identity"]
    if token:
        cmd += ["-H", f"Cookie: {cookie}={token}"]
    done = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=duration + 60)
    script.with_suffix(".txt").write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        raise SystemExit(f"bench: wrk failed on {url}:\n{done.stdout}\n{done.stderr}")
    return parse(done.stdout)


def parse(text: str) -> WrkResult:
    """Read req/s and the 99th percentile from wrk's report (and the script's exact line)."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
    p99_ms = float(p99.group(1)) * UNITS_MS[p99.group(2)]
    exact = re.search(r"BENCH requests=(\d+) duration_us=(\d+) p50_us=(\d+) p99_us=(\d+) not_200=(\d+)", text)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    return WrkResult(
        rps=rps, p50_ms=int(exact.group(3)) / 1000, p99_ms=p99_ms, requests=int(exact.group(1)),
        not_200=int(exact.group(5)),
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0, output=text)


def lua_string(value: str) -> str:
    """Quote text as a Lua string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

