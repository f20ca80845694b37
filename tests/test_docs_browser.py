"""/api/docs in a real headless browser (Debian's chromium), with the app served over real HTTP on
127.0.0.1 and the browser's network limited to it: ReDoc must come from the app's own static files and
render the operations of the schema. `make test` installs chromium (scripts/ensure-chromium)."""

from __future__ import annotations

import os
import struct
import subprocess
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.core.wsgi import get_wsgi_application

pytestmark = pytest.mark.slow

CHROMIUM = Path(os.environ.get("VELA_CHROMIUM", "/usr/bin/chromium"))


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def served() -> Iterator[str]:
    server = make_server("127.0.0.1", 0, get_wsgi_application(), server_class=_Server, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-chromium (make test does)")
    return subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
            # Anything but the app's own server is unreachable: a CDN fetch would fail the page.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1280,900",
            "--virtual-time-budget=20000",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def png_pixels(path: Path) -> tuple[int, int, bytes]:
    """(width, height, decompressed scanlines) of a PNG, enough to tell a blank page from a drawn one."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    chunks, offset = [], 8
    while offset < len(data):
        (length,), kind = struct.unpack(">I", data[offset : offset + 4]), data[offset + 4 : offset + 8]
        if kind == b"IDAT":
            chunks.append(data[offset + 8 : offset + 8 + length])
        offset += 12 + length
    return width, height, zlib.decompress(b"".join(chunks))


def test_docs_render_the_operations_offline(served: str, tmp_path: Path) -> None:
    result = chromium(tmp_path, "--dump-dom", f"{served}/api/docs")

    dom = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    assert "redoc-wrap" in dom or "api-content" in dom, dom[:2000]  # ReDoc rendered, not an empty <redoc>
    for operation in ("/api/profiles", "/api/internal/dsql-health", "/api/tts/generate", "/api/llm-chat"):
        assert operation in dom
    assert "Vela API" in dom


def test_docs_screenshot_is_not_blank(served: str, tmp_path: Path) -> None:
    shot = tmp_path / "docs.png"

    result = chromium(tmp_path, f"--screenshot={shot}", f"{served}/api/docs")

    assert result.returncode == 0, result.stderr[-2000:]
    width, height, pixels = png_pixels(shot)
    assert (width, height) == (1280, 900)
    assert len(set(pixels)) > 50  # a blank (all-white) page decompresses to a handful of byte values
    if os.environ.get("VELA_KEEP_SCREENSHOT"):
        Path(os.environ["VELA_KEEP_SCREENSHOT"]).write_bytes(shot.read_bytes())
