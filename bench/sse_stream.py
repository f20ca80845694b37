"""What streaming the sentence analysis buys, and what the SSE parser costs - side by side in one run.

1. Time to the first chunk frame and to the end of the body, through a real WSGI server (wsgiref),
   for the streamed path and for the Lambda path (the same app with Zappa's `lambda.context` key put
   in the environ, as Zappa's handler does). The fake provider sends 20 events 25 ms apart.
2. Parser throughput on a 4 MiB Gemini-like stream fed whole vs in 7-byte and 1 KiB pieces.

    .venv/bin/python bench/sse_stream.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vela.settings")
os.environ["VELA_READ_DOT_ENV"] = "false"

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

from llm.sse import SseParser  # noqa: E402
from tests.cognito import CLIENT_ID, POOL_ID, FakeCognito, new_key, serve_jwks  # noqa: E402
from tests.upstream import FakeUpstream, Reply, serve  # noqa: E402

EVENTS, GAP = 20, 0.025


class Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def event(text: str) -> bytes:
    return b"data: " + json.dumps({"candidates": [{"content": {"parts": [{"text": text}]}}]}).encode() + b"\r\n\r\n"


def start(app: WSGIApplication) -> int:
    server = make_server("127.0.0.1", 0, app, server_class=Server, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def one_request(port: int, token: str) -> tuple[float, float]:
    body = json.dumps({"sentence": "猫が好きです。", "provider": "google", "apiKey": "bench-key"})
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        "/api/my-dictionaries/analyze",
        body=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    response = conn.getresponse()
    received, first = b"", None
    while piece := response.read1(65536):
        received += piece
        if first is None and b'"chunk"' in received:
            first = time.perf_counter() - started
    conn.close()
    assert b'"done"' in received, received[-200:]
    return first or float("nan"), time.perf_counter() - started


def parser_rate(data: bytes, size: int | None) -> float:
    pieces = [data] if size is None else [data[i : i + size] for i in range(0, len(data), size)]
    started = time.perf_counter()
    parser = SseParser()
    count = sum(len(parser.feed(p)) for p in pieces) + len(parser.close())
    assert count == len(data) // len(event("x" * 40))
    return len(data) / (time.perf_counter() - started) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds

    servers = [serve_jwks(FakeCognito(keys={"bench": new_key()})), serve(FakeUpstream())]  # keep: GC stops them
    cognito, upstream = (next(s) for s in servers)
    settings.COGNITO_USER_POOL_ID, settings.COGNITO_CLIENT_ID = POOL_ID, CLIENT_ID
    settings.COGNITO_ISSUER, settings.COGNITO_JWKS_URL = cognito.issuer, cognito.jwks_url
    settings.GOOGLE_API_BASE_URL = upstream.url
    upstream.on(
        "POST", "/v1beta/", lambda _r: Reply(body=[event(f"part {i} ") for i in range(EVENTS)], chunk_delay=GAP)
    )
    token = cognito.token("bench-user", email="bench@example.com")

    app = get_wsgi_application()

    def as_lambda(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ["lambda.context"] = object()  # what zappa.handler puts in the environ
        return app(environ, start_response)

    ports = {"streamed (WSGI)": start(app), "buffered (Lambda)": start(as_lambda)}
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in ports}
    for _ in range(rounds):  # interleaved so machine noise hits both alike
        for name, port in ports.items():
            results[name].append(one_request(port, token))
    print(f"analysis, provider sends {EVENTS} events {GAP * 1000:.0f} ms apart, {rounds} rounds, medians:")
    medians = {}
    for name, samples in results.items():
        first = statistics.median(s[0] for s in samples)
        total = statistics.median(s[1] for s in samples)
        medians[name] = first
        print(f"  {name:18} first chunk {first * 1000:7.1f} ms   whole body {total * 1000:7.1f} ms")
    ratio = medians["buffered (Lambda)"] / medians["streamed (WSGI)"]
    print(f"  first chunk: buffered / streamed = {ratio:.1f}x")

    data = event("x" * 40) * (4 * 2**20 // len(event("x" * 40)))
    whole = parser_rate(data, None)
    print("SSE parser on 4 MiB:")
    for label, size in (("whole", None), ("1 KiB pieces", 1024), ("7-byte pieces", 7)):
        rate = whole if size is None else parser_rate(data, size)
        print(f"  {label:14} {rate:7.1f} MiB/s   ({rate / whole:.2f}x of whole)")


if __name__ == "__main__":
    main()
