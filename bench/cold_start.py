"""Cold start and warm latency of the Lambda package, served the way the python3.12 runtime does.

Each cold start is a fresh `python3.12 -S` process with the unzipped package as its only code
(read-only in spirit: PYTHONDONTWRITEBYTECODE=1, as /var/task is read-only), timed from interpreter
start to the first response. Variants, interleaved run by run:
  stock   - the zip exactly as `zappa package` built it (1980 dates: every .pyc would be stale)
  no-pyc  - our package with its bytecode removed (isolates the bytecode fix)
  fixed   - our package: unchecked-hash .pyc compiled once at build time
Warm latency: 500 REST v1 `GET /api/health` in one process after the first. Run: `make bench`.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy import events  # noqa: E402
from deploy.packaging import BUILD_DIR, build, find_python312  # noqa: E402

RUNS = 7
WARM = 500
RUNNER = ROOT / "deploy" / "task_runner.py"


def unzip(path: Path, into: Path, *, drop_pyc: bool = False) -> Path:
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if not (drop_pyc and n.endswith(".pyc"))]
        archive.extractall(into, members=names)
    return into


def cold(task_root: Path, events_file: Path, python: str, warm: int = 0) -> dict:
    started = time.perf_counter()
    done = subprocess.run(
        [python, "-S", str(RUNNER), str(task_root), str(events_file), str(warm)],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "HOME": tempfile.gettempdir(), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - started
    assert result["responses"][0]["statusCode"] == 200, result["responses"][0]
    return result


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
        }
        events_file = base / "events.json"
        events_file.write_text(json.dumps([events.rest_v1("GET", "/api/health")]))
        cold_times: dict[str, list[float]] = {name: [] for name in roots}
        for _ in range(RUNS):
            for name, root in roots.items():
                cold_times[name].append(cold(root, events_file, python)["cold_total"])
        warm = {name: cold(root, events_file, python, WARM)["warm"] for name, root in roots.items()}

    print(f"cold start, median of {RUNS} fresh python3.12 -S processes (interpreter start -> first response):")
    for name, times in cold_times.items():
        ms = sorted(t * 1000 for t in times)
        print(f"  {name:7} median {statistics.median(ms):7.1f} ms   min {ms[0]:7.1f}   max {ms[-1]:7.1f}")
    ratio = statistics.median(cold_times["stock"]) / statistics.median(cold_times["fixed"])
    isolated = statistics.median(cold_times["no-pyc"]) / statistics.median(cold_times["fixed"])
    print(f"  stock / fixed = {ratio:.2f}x   (bytecode alone: no-pyc / fixed = {isolated:.2f}x)")
    print(f"warm REST v1 GET /api/health, {WARM} requests in one process:")
    for name, latencies in warm.items():
        ms = sorted(t * 1000 for t in latencies)
        print(f"  {name:7} median {statistics.median(ms):.3f} ms   p95 {ms[int(len(ms) * 0.95)]:.3f} ms")
    sizes = {p.name: p.stat().st_size / 2**20 for p in (stock_zip, fixed_zip)}
    print("zip sizes: " + ", ".join(f"{name} {size:.1f} MiB" for name, size in sizes.items()))
    fixed_cold = statistics.median(cold_times["fixed"])
    ok = fixed_cold <= 0.5 and sizes[fixed_zip.name] <= 25
    print(f"targets (cold <= 0.5 s, zip <= 25 MiB): {'met' if ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
