"""`make django-suite`: Django's own test suite against `dsql_backend` through the DSQL stand-in.

The way django-cockroachdb proves its backend: Django's `tests/runtests.py`, from the sdist of the
pinned Django version, runs a chosen set of modules with `default` and `other` both on the backend.

- The sdist is fetched once with `pip download --no-binary :all: Django==<installed version>` into
  `~/.cache/vela/django-sdist` (`VELA_DJANGO_SDIST_CACHE` overrides) and reused from there; only its
  `tests/` is extracted (nothing is vendored in the repository).
- `--backend dsql` (default): a `dsql_standin` in front of the local PostgreSQL (IAM tokens checked, DSQL
  rules enforced), both aliases on `dsql_backend`, each test database a schema of the one database.
  `--backend postgresql`: Django's stock PostgreSQL backend on the same server, for comparison.
- The modules are split over `--workers` runtests processes (each with its own test schemas/databases),
  which is how two cores are used: the backend cannot clone a test database (DSQL has one database).
- Prints a per-module table (run/pass/fail/error/skip/xfail) and exits non-zero on any failure or error
  (the backend's declared skips and expected failures are what the suite may not pass).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODULES = (
    "backends basic queries transactions model_fields migrations schema expressions aggregation lookup ordering "
    "update delete bulk_create get_or_create many_to_one many_to_many model_inheritance select_for_update "
    "introspection indexes constraints db_functions timezones"
).split()
# Rough relative cost of each module (seconds, stock backend), used to balance the workers.
_WEIGHTS = {
    "migrations": 60,
    "schema": 40,
    "backends": 25,
    "model_fields": 25,
    "queries": 30,
    "expressions": 20,
    "db_functions": 15,
    "aggregation": 10,
    "lookup": 8,
    "timezones": 8,
    "constraints": 8,
    "introspection": 5,
}
FAKE_CLUSTER_HOST = "vela0suite0cluster0id0abc.dsql.us-east-1.on.aws"
PG_HOST = os.environ.get("VELA_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("VELA_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("VELA_TEST_PG_USER", "postgres")
SUFFIX = os.environ.get("VELA_TEST_DB_SUFFIX", "")
ACCESS_KEY, SECRET_KEY = "AKIDVELADJANGOSUITE01", "vela-django-suite-secret"


PROGRESS_CHARS = set(".sFExu")
PROGRESS_EVERY_S = 60


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def sdist_tests(version: str) -> Path:
    """Django's `tests/` directory of `version`, from the cached sdist (downloaded once)."""
    cache = Path(os.environ.get("VELA_DJANGO_SDIST_CACHE", Path.home() / ".cache" / "vela" / "django-sdist"))
    cache.mkdir(parents=True, exist_ok=True)
    tests = cache / f"django-{version}" / "tests"
    if (tests / "runtests.py").exists():
        return tests
    archive = cache / f"django-{version}.tar.gz"
    if not archive.exists():
        say(f"downloading the Django {version} sdist into {cache} (once; reused afterwards)")
        subprocess.run(  # noqa: S603 - fixed argv, our interpreter
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--disable-pip-version-check",
                "--no-deps",
                "--no-binary",
                ":all:",
                f"Django=={version}",
                "-d",
                str(cache),
            ],
            check=True,
        )
    say(f"extracting tests/ from {archive.name}")
    prefix = f"django-{version}/tests/"
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(prefix)]
        tar.extractall(cache, members=members, filter="data")
    return tests


def split(modules: list[str], workers: int) -> list[list[str]]:
    groups: list[list[str]] = [[] for _ in range(max(1, min(workers, len(modules))))]
    loads = [0] * len(groups)
    for module in sorted(modules, key=lambda m: -_WEIGHTS.get(m, 4)):
        index = loads.index(min(loads))
        groups[index].append(module)
        loads[index] += _WEIGHTS.get(module, 4)
    return [g for g in groups if g]


def settings_source(backend: str, worker: int, port: int | None, tag: str = "") -> str:
    tag = f"{SUFFIX}{tag}_w{worker}".lstrip("_")
    if backend == "dsql":

        def alias(name: str) -> dict[str, Any]:
            return {
                "ENGINE": "dsql_backend",
                "HOST": FAKE_CLUSTER_HOST,
                "PORT": port,
                "NAME": "postgres",
                "USER": "admin",
                "REGION": "us-east-1",
                "OPTIONS": {"hostaddr": "127.0.0.1", "sslmode": "disable", "connect_timeout": 10},
                "TEST": {"SCHEMA": f"test_{name}_{tag}"},
            }
    else:

        def alias(name: str) -> dict[str, Any]:
            return {
                "ENGINE": "django.db.backends.postgresql",
                "HOST": PG_HOST,
                "PORT": PG_PORT,
                "NAME": "postgres",
                "USER": PG_USER,
                "TEST": {"NAME": f"django_suite_{name}_{tag}"},
            }

    databases = {"default": alias("default"), "other": alias("other")}
    return (
        "# Generated by scripts/django_suite.py\n"
        f"DATABASES = {databases!r}\n"
        "SECRET_KEY = 'django_tests_secret_key'\n"
        "PASSWORD_HASHERS = ['django.contrib.auth.hashers.MD5PasswordHasher']\n"
        "DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'\n"
        "USE_TZ = False\n"
        "TEST_RUNNER = 'django_suite_runner.RecordingRunner'\n"
    )


def module_of(test_id: str) -> str:
    head, _, rest = test_id.partition(" (")
    if "." not in head and rest.endswith(")"):  # "setUpClass (module.Class)" error holders
        head = rest[:-1]
    return head.split(".", 1)[0]


def tests_done(log: Path) -> int:
    """Tests finished so far, read off runtests' `-v 1` progress characters (one per test)."""
    lines = log.read_text(errors="replace").splitlines()
    return sum(len(line) for line in lines if line and set(line) <= PROGRESS_CHARS)


def wait_with_progress(workers: list[tuple[Path, subprocess.Popen]], started: float) -> None:
    """Wait for every runtests process, printing a progress line a minute (the step takes minutes)."""
    last = time.monotonic()
    while any(proc.poll() is None for _, proc in workers):
        time.sleep(1)
        if time.monotonic() - last >= PROGRESS_EVERY_S:
            last = time.monotonic()
            counts = ", ".join(
                f"worker {index}: {tests_done(settings_dir / 'runtests.log')}"
                + ("" if proc.poll() is None else " (done)")
                for index, (settings_dir, proc) in enumerate(workers, 1)
            )
            say(f"{last - started:.0f} s: tests finished so far: {counts}")


# One worker: its test modules, its results file, its settings folder (and log) and its process.
type Worker = tuple[list[str], Path, Path, subprocess.Popen[bytes]]


def run(
    backend: str,
    modules: list[str],
    workers: int,
    parallel: int,
    verbose: bool,
    tag: str = "",
    extra: tuple[str, ...] = (),
) -> tuple[list[dict], dict]:
    import django

    tests_dir = sdist_tests(django.get_version())
    standin = None
    port = None
    env = suite_env()
    if backend == "dsql":
        standin, port = start_standin()
    work = Path(tempfile.mkdtemp(prefix="vela-django-suite-"))
    groups = split(modules, workers)
    procs: list[Worker] = []
    started = time.monotonic()
    try:
        for index, group in enumerate(groups, 1):
            settings_dir = work / f"w{index}"
            settings_dir.mkdir()
            (settings_dir / "suite_settings.py").write_text(settings_source(backend, index, port, tag))
            procs.append(start_worker(index, group, settings_dir, env, tests_dir, parallel, extra))
        wait_with_progress([(settings_dir, proc) for _, _, settings_dir, proc in procs], started)
        rows, info = collect(procs, verbose)
    finally:
        for *_, proc in procs:
            if proc.poll() is None:
                proc.kill()
        if standin is not None:
            standin.stop()
    info["wall_seconds"] = time.monotonic() - started
    info["work_dir"] = str(work)
    return rows, info


def suite_env() -> dict[str, str]:
    """This environment with the stand-in's fake credentials and none of the caller's AWS or Django targets."""
    env = dict(os.environ)
    env.update({"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_REGION": "us-east-1"})
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    return env


def start_standin() -> tuple[Any, int]:
    """The DSQL stand-in in front of the local PostgreSQL, started; and its port."""
    from dsql_standin import StandIn, StandInConfig

    standin = StandIn(
        StandInConfig(
            credentials={ACCESS_KEY: SECRET_KEY},
            cluster_hostname=FAKE_CLUSTER_HOST,
            region="us-east-1",
            upstream_host=PG_HOST,
            upstream_port=PG_PORT,
            upstream_user=PG_USER,
            upstream_database="vela_django_suite" + SUFFIX,
        )
    )
    port = standin.start()
    say(f"DSQL stand-in on 127.0.0.1:{port} in front of PostgreSQL {PG_HOST}:{PG_PORT}")
    return standin, port


def start_worker(
    index: int,
    group: list[str],
    settings_dir: Path,
    env: dict[str, str],
    tests_dir: Path,
    parallel: int,
    extra: tuple[str, ...],
) -> Worker:
    """Django's runtests.py for `group` with the settings in `settings_dir`, its output in runtests.log there."""
    results = settings_dir / "results.json"
    penv = dict(
        env,
        DJANGO_SUITE_RESULTS=str(results),
        PYTHONPATH=os.pathsep.join([str(settings_dir), str(ROOT / "scripts"), str(ROOT)]),
    )
    log = (settings_dir / "runtests.log").open("w")
    cmd = [
        sys.executable,
        "runtests.py",
        "--settings=suite_settings",
        "--noinput",
        f"--parallel={parallel}",
        "-v",
        "1",
        *extra,
        *group,
    ]
    say(f"worker {index}: runtests.py {' '.join(group)} (log: {settings_dir / 'runtests.log'})")
    return (
        group,
        results,
        settings_dir,
        # Our own interpreter running Django's runtests.py: no untrusted input.
        subprocess.Popen(cmd, cwd=tests_dir, env=penv, stdout=log, stderr=subprocess.STDOUT),  # noqa: S603
    )


def collect(procs: list[Worker], verbose: bool) -> tuple[list[dict], dict[str, Any]]:
    """Every worker's recorded outcomes; a worker that crashed before recording any counts as one error
    per module, with its log's tail in `setup_errors`."""
    rows: list[dict] = []
    info: dict[str, Any] = {"setup_errors": []}
    for group, results, settings_dir, proc in procs:
        found = json.loads(results.read_text()) if results.exists() else []
        rows.extend(found)
        if proc.returncode and not found:
            tail = (settings_dir / "runtests.log").read_text().splitlines()[-15:]
            info["setup_errors"].append({"modules": group, "log_tail": tail})
            for module in group:
                rows.append({"id": f"{module}.<setup>", "outcome": "error", "detail": "test run crashed"})
        if verbose or (proc.returncode and not found):
            print((settings_dir / "runtests.log").read_text()[-4000:])
    return rows, info


def table(rows: list[dict], modules: list[str]) -> tuple[str, Counter]:
    per: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        per[module_of(row["id"])][row["outcome"]] += 1
    total: Counter = Counter()
    lines = [
        f"| {'module':<18} | {'run':>5} | {'pass':>5} | {'fail':>4} | {'error':>5} | {'skip':>4} | {'xfail':>5} |",
        f"|{'-' * 20}|{'-' * 7}|{'-' * 7}|{'-' * 6}|{'-' * 7}|{'-' * 6}|{'-' * 7}|",
    ]
    for module in sorted(set(modules) | set(per)):
        c = per[module]
        run_count = sum(c.values())
        total.update(c)
        lines.append(
            f"| {module:<18} | {run_count:>5} | {c['pass']:>5} | {c['fail']:>4} | {c['error']:>5} | "
            f"{c['skip']:>4} | {c['xfail']:>5} |"
        )
    lines.append(
        f"| {'TOTAL':<18} | {sum(total.values()):>5} | {total['pass']:>5} | {total['fail']:>4} | "
        f"{total['error']:>5} | {total['skip']:>4} | {total['xfail']:>5} |"
    )
    return "\n".join(lines), total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", default=MODULES, help="Django test modules (default: the CI set)")
    parser.add_argument("--backend", choices=("dsql", "postgresql"), default="dsql")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("VELA_DJANGO_SUITE_WORKERS", "2")))
    parser.add_argument("--parallel", type=int, default=1, help="runtests --parallel per worker (stock only)")
    parser.add_argument("--json", help="write every test's outcome here")
    parser.add_argument("--runtests-arg", action="append", default=[], help="passed on to runtests.py")
    parser.add_argument("--tag", default="", help="keeps two runs at once apart (test schema/database names)")
    parser.add_argument("--compare", help="a --json file of another run: list the tests skipped here only")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each worker's runtests output")
    args = parser.parse_args()
    if args.backend == "dsql" and args.parallel != 1:
        parser.error("--parallel > 1 needs test-database cloning, which DSQL cannot do; use --workers")
    rows, info = run(
        args.backend, list(args.modules), args.workers, args.parallel, args.verbose, args.tag, tuple(args.runtests_arg)
    )
    text, total = table(rows, list(args.modules))
    say(
        f"Django's own suite on {args.backend} ({len(args.modules)} modules, {args.workers} workers): "
        f"{info['wall_seconds']:.0f} s"
    )
    print(text)
    ran = total["pass"] + total["fail"] + total["error"]
    if ran:
        print(f"passing: {total['pass']} of {ran} non-skipped tests ({100 * total['pass'] / ran:.2f} %)")
    if args.json:
        Path(args.json).write_text(json.dumps({"backend": args.backend, "info": info, "rows": rows}, indent=0))
    if args.compare:
        other = {r["id"] for r in json.loads(Path(args.compare).read_text())["rows"] if r["outcome"] == "skip"}
        extra = sorted(r["id"] for r in rows if r["outcome"] in ("skip", "xfail") and r["id"] not in other)
        print(f"skipped/expected-failure here but not in {args.compare}: {len(extra)}")
    bad = [r for r in rows if r["outcome"] in ("fail", "error")]
    for row in bad[:200]:
        print(f"{row['outcome'].upper()}: {row['id']}: {row['detail'][:300]}")
    if len(bad) > 200:
        print(f"... and {len(bad) - 200} more (--json for all)")
    for setup in info["setup_errors"]:
        print(f"SETUP FAILED for {setup['modules']}:\n  " + "\n  ".join(setup["log_tail"]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
