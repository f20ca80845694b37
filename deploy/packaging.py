"""Build the Lambda zip: `zappa package` from a clean app-only Python 3.12 venv, then fix what Zappa ships.

Zappa writes every zip entry with a 1980 date, so after extraction every `.py` looks older than any
timestamp-based `.pyc`, and /var/task is read-only: every cold start recompiles every import and
never caches it. We drop whatever bytecode came in, compile everything once with
`--invalidation-mode unchecked-hash` (valid whatever the file dates), with `/var/task` paths in
tracebacks, and re-zip. We also drop botocore's models of services the API never calls (the code of
boto3/botocore stays exactly as pinned, so DSQL token signing is unchanged).

Runs without Django (called by scripts/package.py, bench/ and tests).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_VENV = ROOT / ".venv-package"
BUILD_DIR = ROOT / "build"
ZIP_LIMIT = 50 * 2**20  # direct-upload limit of a Lambda zip
UNZIPPED_LIMIT = 250 * 2**20  # function + layers, unzipped
# botocore service models the API (and Zappa's handler) use; every other model is dropped.
BOTOCORE_SERVICES = ("dynamodb", "dsql", "s3", "sts", "cognito-idp")
TASK_ROOT = "/var/task"


@dataclass(frozen=True, slots=True)
class PackageReport:
    path: Path
    raw_path: Path
    zipped: int
    unzipped: int
    files: int
    pyc: int

    def lines(self) -> list[str]:
        mib = 2**20
        return [
            f"package: {self.path}",
            f"  zipped   {self.zipped / mib:6.1f} MiB of {ZIP_LIMIT // mib} MiB (direct upload limit)",
            f"  unzipped {self.unzipped / mib:6.1f} MiB of {UNZIPPED_LIMIT // mib} MiB",
            f"  {self.files} files, {self.pyc} unchecked-hash .pyc",
        ]

    @property
    def within_limits(self) -> bool:
        return self.zipped <= ZIP_LIMIT and self.unzipped <= UNZIPPED_LIMIT


def find_python312() -> str:
    candidates = sorted(Path.home().glob(".pyenv/versions/3.12.*/bin/python3.12"))
    if candidates:
        return str(candidates[-1])
    found = shutil.which("python3.12")
    if not found:
        raise SystemExit("python3.12 not found: Lambda's runtime is python3.12, package with exactly that")
    return found


def ensure_venv(venv: Path = PACKAGE_VENV, requirements: Path = ROOT / "requirements.txt") -> Path:
    """The app-only venv (requirements.txt, nothing else), rebuilt when requirements.txt changes."""
    stamp = venv / ".requirements.sha256"
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    # One builder at a time (parallel test workers, a concurrent `make package`).
    with open(venv.parent / f"{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == digest and (venv / "bin" / "zappa").exists():
            return venv
        if venv.exists():
            shutil.rmtree(venv)
        subprocess.run([find_python312(), "-m", "venv", str(venv)], check=True)  # noqa: S603 (our own paths)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, "-r", str(requirements)], check=True)  # noqa: S603
        stamp.write_text(digest)
    return venv


def zappa_package(stage: str, output: Path, *, venv: Path = PACKAGE_VENV, settings_file: Path | None = None) -> Path:
    """Run the real `zappa package` with VIRTUAL_ENV pointing at the app-only venv."""
    env = {**os.environ, "VIRTUAL_ENV": str(venv), "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("PYTHONPATH", None)
    command = [str(venv / "bin" / "zappa"), "package", stage, "-o", str(output)]
    if settings_file:
        command += ["-s", str(settings_file)]
    subprocess.run(command, check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)  # noqa: S603
    return output


def prune_botocore(task_root: Path, keep: tuple[str, ...] = BOTOCORE_SERVICES) -> None:
    data = task_root / "botocore" / "data"
    if not data.is_dir():
        return
    for entry in data.iterdir():
        if entry.is_dir() and entry.name not in keep:
            shutil.rmtree(entry)


def keep_member(name: str, keep: tuple[str, ...] = BOTOCORE_SERVICES) -> bool:
    """False for botocore service models we drop (so they are never even extracted)."""
    parts = name.split("/")
    return not (len(parts) > 3 and parts[:2] == ["botocore", "data"] and parts[2] not in keep)


def compile_bytecode(task_root: Path, python: Path) -> None:
    """Compile with the runtime's interpreter, hash-checked but never re-validated against file dates."""
    for cache in task_root.rglob("__pycache__"):
        shutil.rmtree(cache)
    for stale in task_root.rglob("*.pyc"):
        stale.unlink()
    subprocess.run(  # noqa: S603
        [
            str(python),
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            "--invalidation-mode",
            "unchecked-hash",
            "-s",
            str(task_root),
            "-p",
            TASK_ROOT,
            str(task_root),
        ],
        check=True,
    )


def write_zip(task_root: Path, output: Path) -> None:
    """Sorted entries, normal permissions; dates don't matter any more (unchecked-hash)."""
    tmp = output.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in task_root.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(str(path.relative_to(task_root)))
            info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    tmp.replace(output)


def postprocess(raw_zip: Path, output: Path, *, python: Path) -> PackageReport:
    with tempfile.TemporaryDirectory(prefix="vela-task-") as tmp:
        task_root = Path(tmp)
        with zipfile.ZipFile(raw_zip) as archive:
            archive.extractall(task_root, members=[n for n in archive.namelist() if keep_member(n)])
        prune_botocore(task_root)
        compile_bytecode(task_root, python)
        write_zip(task_root, output)
    return report(output, raw_zip)


def report(path: Path, raw_path: Path) -> PackageReport:
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    return PackageReport(
        path=path,
        raw_path=raw_path,
        zipped=path.stat().st_size,
        unzipped=sum(i.file_size for i in infos),
        files=len(infos),
        pyc=sum(1 for i in infos if i.filename.endswith(".pyc")),
    )


def build(stage: str, *, out_dir: Path = BUILD_DIR, settings_file: Path | None = None) -> PackageReport:
    """`build/vela-api-<stage>.zip` (deployable) and `...-stock.zip` (what Zappa alone would ship)."""
    venv = ensure_venv()
    out_dir.mkdir(parents=True, exist_ok=True)
    raw = zappa_package(stage, out_dir / f"vela-api-{stage}-stock.zip", venv=venv, settings_file=settings_file)
    return postprocess(raw, out_dir / f"vela-api-{stage}.zip", python=venv / "bin" / "python")


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--settings-file", type=Path, default=None)
    parser.add_argument("--out-dir", type=Path, default=BUILD_DIR)
    args = parser.parse_args(argv)
    result = build(args.stage, out_dir=args.out_dir, settings_file=args.settings_file)
    for line in result.lines():
        print(line)
    if not result.within_limits:
        print("package exceeds Lambda's limits", file=sys.stderr)
        return 1
    print(f"deploy with: zappa deploy {args.stage} --zip {result.path}  (or `zappa update ... --zip`)")
    return 0
