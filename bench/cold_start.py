"""Cold start and warm latency of the Lambda package, served the way the python3.12 runtime does.

Each cold start is a fresh `python3.12 -S` process with the unzipped package as its only code
(read-only in spirit: PYTHONDONTWRITEBYTECODE=1, as /var/task is read-only), timed from interpreter
start to the first response. Variants, interleaved run by run:
  stock   - the zip exactly as `zappa package` built it (1980 dates: every .pyc would be stale)
  no-pyc  - our package with its bytecode removed (isolates the bytecode fix)
  fixed   - our package: unchecked-hash .pyc compiled once at build time
  floor   - our package's libraries serving bench/_floor_app.py instead of the service (Zappa's handler ->
            Django -> one DRF APIView answering /api/health): the least any Zappa + Django + DRF function
            with these libraries can cost, printed beside the target
Warm latency: 500 REST v1 `GET /api/health` in one process after the first. Then where the start-up
time goes: modules imported up to the first response, and one `-X importtime` run of each package
(self time summed per top-level package). Run: `make bench`.
"""

from __future__ import annotations

import collections
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _floor_app import zappa_settings_text  # noqa: E402 - bench/, this script's folder

from deploy import events  # noqa: E402
from deploy.packaging import BUILD_DIR, build, find_python312  # noqa: E402

RUNS = 9
WARM = 500
TARGET_S = 0.30
TOP = 15
TRACED = ("fixed", "stock")
IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)")
RUNNER = ROOT / "deploy" / "task_runner.py"


def unzip(path: Path, into: Path, *, drop_pyc: bool = False) -> Path:
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if not (drop_pyc and n.endswith(".pyc"))]
        archive.extractall(into, members=names)
    return into


def floor_root(fixed: Path) -> Path:
    """`fixed`'s libraries with Zappa's DJANGO_SETTINGS pointed at bench/_floor_app.py (copied in)."""
    for name in ("_floor_app.py", "_floor_urls.py"):
        (fixed / name).write_text((ROOT / "bench" / name).read_text())
    settings = fixed / "zappa_settings.py"
    settings.write_text(zappa_settings_text(settings.read_text()))
    for compiled in (fixed / "__pycache__").glob("zappa_settings.*.pyc"):
        compiled.unlink()  # unchecked-hash bytecode would be loaded instead of the edited source
    return fixed


def cold(task_root: Path, events_file: Path, python: str, warm: int = 0, flags: tuple[str, ...] = ()) -> dict:
    started = time.perf_counter()
    done = subprocess.run(
        [python, "-S", *flags, str(RUNNER), str(task_root), str(events_file), str(warm)],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "HOME": tempfile.gettempdir(), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - started
    result["stderr"] = done.stderr
    assert result["responses"][0]["statusCode"] == 200, result["responses"][0]
    return result


def import_time_by_package(stderr: str) -> collections.Counter[str]:
    """`-X importtime` self times (microseconds) summed per top-level package."""
    by_package: collections.Counter[str] = collections.Counter()
    for match in IMPORT_LINE.finditer(stderr):
        by_package[match[2].split(".")[0]] += int(match[1])
    return by_package


def print_import_breakdown(runs: dict[str, dict]) -> None:
    profiles = {name: import_time_by_package(run["stderr"]) for name, run in runs.items()}
    ours, stock = profiles["fixed"], profiles["stock"]
    print(f"import time by top-level package, one -X importtime run each (self ms; top {TOP} of ours):")
    print(f"  {'package':24} {'ours':>8} {'share':>6} {'stock':>8}")
    total = sum(ours.values())
    for package, micros in ours.most_common(TOP):
        print(f"  {package:24} {micros / 1000:8.1f} {micros / total:6.1%} {stock[package] / 1000:8.1f}")
    print(f"  {'all':24} {total / 1000:8.1f} {1:6.0%} {sum(stock.values()) / 1000:8.1f}")


def main() -> int:
    fixed_zip, stock_zip = BUILD_DIR / "vela-api-dev.zip", BUILD_DIR / "vela-api-dev-stock.zip"
    if not (fixed_zip.exists() and stock_zip.exists()):
        print("building the package (make package) ...", flush=True)
        build("dev")
    python = find_python312()
    with tempfile.TemporaryDirectory(prefix="vela-bench-") as tmp:
        base = Path(tmp)
        roots = {
            "stock": unzip(stock_zip, base / "stock"),
            "no-pyc": unzip(fixed_zip, base / "no-pyc", drop_pyc=True),
            "fixed": unzip(fixed_zip, base / "fixed"),
            "floor": floor_root(unzip(fixed_zip, base / "floor")),
        }
        events_file = base / "events.json"
        events_file.write_text(json.dumps([events.rest_v1("GET", "/api/health")]))
        load_before = os.getloadavg()
        cold_times: dict[str, list[float]] = {name: [] for name in roots}
        modules: dict[str, int] = {}
        for _ in range(RUNS):
            for name, root in roots.items():
                result = cold(root, events_file, python)
                cold_times[name].append(result["cold_total"])
                modules[name] = len(result["modules"])
        load_after = os.getloadavg()
        warm = {name: cold(root, events_file, python, WARM)["warm"] for name, root in roots.items()}
        traced = {name: cold(roots[name], events_file, python, flags=("-X", "importtime")) for name in TRACED}

    loads = f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after, on {os.cpu_count()} cores"
    print(f"cold start, median of {RUNS} fresh python3.12 -S processes (interpreter start -> first response); {loads}:")
    for name, times in cold_times.items():
        ms = sorted(t * 1000 for t in times)
        print(
            f"  {name:7} median {statistics.median(ms):7.1f} ms   min {ms[0]:7.1f}   max {ms[-1]:7.1f}"
            f"   {modules[name]} modules imported"
        )
    ratio = statistics.median(cold_times["stock"]) / statistics.median(cold_times["fixed"])
    isolated = statistics.median(cold_times["no-pyc"]) / statistics.median(cold_times["fixed"])
    print(f"  stock / fixed = {ratio:.2f}x   (bytecode alone: no-pyc / fixed = {isolated:.2f}x)")
    print(f"warm REST v1 GET /api/health, {WARM} requests in one process:")
    for name, latencies in warm.items():
        ms = sorted(t * 1000 for t in latencies)
        print(f"  {name:7} median {statistics.median(ms):.3f} ms   p95 {ms[int(len(ms) * 0.95)]:.3f} ms")
    print_import_breakdown(traced)
    sizes = {p.name: p.stat().st_size / 2**20 for p in (stock_zip, fixed_zip)}
    print("zip sizes: " + ", ".join(f"{name} {size:.1f} MiB" for name, size in sizes.items()))
    fixed_cold = statistics.median(cold_times["fixed"])
    ok = fixed_cold <= TARGET_S and sizes[fixed_zip.name] <= 25
    print(f"targets (cold <= {TARGET_S} s, zip <= 25 MiB): {'met' if ok else 'MISSED'} ({loads})")
    floor = statistics.median(cold_times["floor"])
    print(
        f"the stack's floor (Zappa's handler + Django + DRF, one view, nothing of ours) starts in "
        f"{floor * 1000:.1f} ms: "
        f"the {TARGET_S} s target {'is' if floor <= TARGET_S else 'is NOT'} reachable with these libraries here; "
        f"ours is {(fixed_cold - floor) * 1000:+.1f} ms ({fixed_cold / floor:.2f}x) above it"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
