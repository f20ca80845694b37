"""The whole service over real HTTP with real local parts, for schema fuzzing, fault and load runs.

- AWS: a moto server of its own (`scripts/local_aws.start_moto`: DynamoDB, S3, Cognito) with every
  table, the demo data and the TTS bucket; a local Cognito pool with a demo user whose real tokens
  the app verifies against moto's JWKS (as `make run`);
- DSQL: the DSQL stand-in (`dsql_standin`) in front of a PostgreSQL (the shared one, or a private
  one a fault test started), reached under a DSQL hostname;
- Google / OpenRouter / ElevenLabs: `tests.upstream.FakeUpstream` over HTTP, answering like them;
- the app: gunicorn (gthread) on 127.0.0.1, bound to a socket this process opened on port 0.

Everything runs in this process except gunicorn, so a test can stop, slow down or restart any part.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from tests.upstream import FakeUpstream, Recorded, Reply, serve

ROOT = Path(__file__).resolve().parent.parent
CLUSTER_HOST = "vela0live0cluster0abcdefgh.dsql.us-east-1.on.aws"
TTS_BUCKET = "vela-live-tts-audio"
CORS_ORIGIN = "http://localhost:9000"
AUDIO_MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 64


# --- upstream fakes that answer like the real APIs ----------------------------------------------------
def _google_chat(_: Recorded) -> Reply:
    body = {"candidates": [{"content": {"parts": [{"text": "こんにちは"}], "role": "model"}}]}
    return Reply(body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})


def _google_stream(_: Recorded) -> Reply:
    events = [
        b"data: " + json.dumps({"candidates": [{"content": {"parts": [{"text": piece}]}}]}).encode() + b"\r\n\r\n"
        for piece in ("Translation: ", "I like cats.")
    ]
    return Reply(body=events, headers={"Content-Type": "text/event-stream"})


def _openrouter(recorded: Recorded) -> Reply:
    try:
        streaming = bool(json.loads(recorded.body or b"{}").get("stream"))
    except ValueError:
        streaming = False
    if streaming:
        events = [
            b"data: " + json.dumps({"choices": [{"index": 0, "delta": {"content": "Cats."}}]}).encode() + b"\n\n",
            b"data: [DONE]\n\n",
        ]
        return Reply(body=events, headers={"Content-Type": "text/event-stream"})
    body = {"id": "gen-1", "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello"}}]}
    return Reply(body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})


def _google(recorded: Recorded) -> Reply:
    if "stream" in recorded.path:
        return _google_stream(recorded)
    if b"AUDIO" in (recorded.body or b""):  # Gemini TTS: responseModalities ["AUDIO"], raw PCM back
        pcm = base64.b64encode(b"\x00\x01" * 2400).decode()
        part = {"inlineData": {"mimeType": "audio/L16;codec=pcm;rate=24000", "data": pcm}}
        body = {"candidates": [{"content": {"parts": [part]}}]}
        return Reply(body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    return _google_chat(recorded)


JISHO = {
    "meta": {"status": 200},
    "data": [
        {
            "slug": "猫",
            "japanese": [{"word": "猫", "reading": "ねこ"}],
            "senses": [{"english_definitions": ["cat"], "parts_of_speech": ["Noun"]}],
            "jlpt": ["jlpt-n5"],
        }
    ],
}


def answer_like_the_real_apis(fake: FakeUpstream) -> None:
    fake.reset()
    fake.on("POST", "/v1beta/models/", _google)
    fake.on("POST", "/api/v1/chat/completions", _openrouter)
    fake.on("POST", "/v1/chat/completions", _openrouter)  # Chutes answers in OpenAI's shape
    fake.on("POST", "/v1/text-to-speech/", Reply(body=AUDIO_MP3, headers={"Content-Type": "audio/mpeg"}))
    fake.on("POST", "/v1/audio/speech", Reply(body=AUDIO_MP3, headers={"Content-Type": "audio/mpeg"}))
    fake.on(
        "GET",
        "/api/v1/search/words",
        Reply(body=json.dumps(JISHO).encode(), headers={"Content-Type": "application/json"}),
    )


# --- the stack --------------------------------------------------------------------------------------------
@dataclass
class LiveStack:
    base_url: str
    moto_url: str
    upstream: FakeUpstream
    env: dict[str, str]
    cognito: Any
    standin: Any
    app: subprocess.Popen[bytes]
    tokens: dict[str, str] = field(default_factory=dict)
    moto: Any = None  # the ThreadedMotoServer
    moto_proxy: Any = None  # tests.faults.FaultProxy between the app and moto (faults=True)
    dsql_proxy: Any = None  # ... and between the app and the DSQL stand-in

    def restart_moto(self, down_for: float = 0.0) -> None:
        """Stop the moto server (its in-memory state lives on in this process) and start it again."""
        from moto.server import ThreadedMotoServer

        port = int(self.moto_url.rsplit(":", 1)[1])
        self.moto.stop()
        time.sleep(down_for)
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self.moto.start()

    def restart_standin(self, down_for: float = 0.0) -> None:
        """Stop the DSQL stand-in (every session dropped) and start a new one on the same port."""
        import dataclasses

        from dsql_standin import StandIn

        config = dataclasses.replace(self.standin.config, listen_port=self.standin.port)
        self.standin.stop()
        time.sleep(down_for)
        self.standin = StandIn(config)
        self.standin.start()

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def bearer(self, kind: str = "id") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[kind]}"}

    def aws(self, service: str) -> Any:
        import boto3

        return boto3.session.Session().client(service, endpoint_url=self.moto_url, region_name="us-east-1")

    def new_user(self, email: str, password: str = "Vela-load-1") -> dict[str, str]:
        """A confirmed user of the pool; returns its real Cognito tokens."""
        return self.cognito.new_user(email, password)


def forged(token: str) -> str:
    """A token with a valid header and signature whose payload was changed (another `sub`)."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "00000000-0000-0000-0000-000000000000"
    tampered = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{tampered}.{signature}"


def _listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def wait_until_up(url: str, bound: float = 30.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the app exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in {bound:g} s")


def start_app(
    env: dict[str, str],
    *,
    workers: int = 2,
    threads: int = 8,
    output: int | None = None,
    root: Path = ROOT,
    app: str = "vela.wsgi:application",
) -> tuple[subprocess.Popen[bytes], str]:
    """gunicorn (gthread) serving vela.wsgi on a socket bound to 127.0.0.1:0; returns (process, base URL).
    `output`: where the app's stdout/stderr go (e.g. subprocess.DEVNULL for benches), inherited by default;
    `root`: the checkout to serve (a bench can serve another one beside this one); `app`: another WSGI
    application (module importable from `root`, e.g. a bench's floor app), which must answer /api/health."""
    sock = _listening_socket()
    port = sock.getsockname()[1]
    command = [
        sys.executable, "-m", "gunicorn", app,
        "--bind", f"fd://{sock.fileno()}", "--workers", str(workers), "--worker-class", "gthread",
        "--threads", str(threads), "--timeout", "60", "--graceful-timeout", "3", "--log-level", "warning",
        # gunicorn's own 4 KiB request-line cap answers an HTML 414 before the app sees the request; the
        # routes' documented bounds (e.g. dictionary `word`/`reading` <= 256 characters, percent-encoded
        # up to 12 bytes each) need more. API Gateway, in front of the deployed function, allows 10 KiB.
        "--limit-request-line", "8190",
    ]  # fmt: skip
    proc = subprocess.Popen(command, cwd=root, env=env, pass_fds=(sock.fileno(),), stdout=output, stderr=output)
    sock.close()  # gunicorn holds its own copy
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/api/health", proc=proc)
    except Exception:
        stop_app(proc)
        raise
    return proc, base


def stop_app(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def stack_env(*, moto_url: str, cognito: Any, standin_port: int, upstream_url: str, debug: bool) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AURORA_", "COGNITO_"))}
    return (
        base
        | cognito.env()
        | {
            "DJANGO_SETTINGS_MODULE": "vela.settings",
            "VELA_READ_DOT_ENV": "false",
            "DJANGO_SECRET_KEY": "vela-live-stack-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "DJANGO_DEBUG": "true" if debug else "false",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_LOG_LEVEL": "WARNING",
            "AWS_ENDPOINT_URL": moto_url,
            "AWS_ACCESS_KEY_ID": os.environ["AWS_ACCESS_KEY_ID"],
            "AWS_SECRET_ACCESS_KEY": os.environ["AWS_SECRET_ACCESS_KEY"],
            "AWS_REGION": "us-east-1",
            "AURORA_DB_ENDPOINT": CLUSTER_HOST,
            "AURORA_DB_HOSTADDR": "127.0.0.1",
            "AURORA_DB_PORT": str(standin_port),
            "AURORA_DB_SSLMODE": "disable",
            "AURORA_DB_CONNECT_TIMEOUT": "3",
            "DSQL_HEALTH_TIMEOUT": "4",
            "TTS_AUDIO_BUCKET_NAME": TTS_BUCKET,
            "ELEVENLABS_API_BASE_URL": upstream_url,
            "GOOGLE_API_BASE_URL": upstream_url,
            "OPENROUTER_API_BASE_URL": upstream_url,
            "CHUTES_API_BASE_URL": upstream_url,
            "OPENAI_API_BASE_URL": upstream_url,
            "GEMINI_API_BASE_URL": upstream_url,
            "JISHO_API_BASE_URL": upstream_url,
            "GOOGLE_API_KEY": "live-google-key",
            "OPENROUTER_API_KEY": "live-openrouter-key",
            "LLM_UPSTREAM_TIMEOUT": "5",
            "TTS_UPSTREAM_TIMEOUT": "5",
            "CORS_ALLOWED_ORIGINS": CORS_ORIGIN,
            "AUTH_AUTO_CONFIRM_ENABLED": "true",
        }
    )


def prepare_aws(env: dict[str, str]) -> None:
    """Every table, and the demo data, on the stack's moto server."""
    for command in (["dynamodb_tables", "create"], ["seed_demo_data"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120
        )


@contextmanager
def live_stack(
    *,
    pg_port: int | None = None,
    debug: bool = False,
    workers: int = 2,
    threads: int = 8,
    faults: bool = False,
    extra_env: dict[str, str] | None = None,
) -> Iterator[LiveStack]:
    """`faults=True` puts a tests.faults.FaultProxy between the app and moto and the DSQL stand-in."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from dsql_standin import StandIn
    from scripts.local_aws import setup_cognito, start_moto
    from tests.dsql_support import standin_config

    with ExitStack() as stack:
        moto, moto_url = start_moto()
        cognito = setup_cognito(moto_url)
        overrides: dict[str, Any] = {"cluster_hostname": CLUSTER_HOST}
        if pg_port is not None:
            overrides["upstream_port"] = pg_port
        standin = StandIn(standin_config(**overrides))
        standin.start()
        upstream_gen = serve(FakeUpstream())
        upstream = next(upstream_gen)
        stack.callback(lambda: next(upstream_gen, None))
        answer_like_the_real_apis(upstream)
        moto_proxy = dsql_proxy = None
        app_moto_url, app_standin_port = moto_url, standin.port
        if faults:
            from tests.faults import FaultProxy

            moto_proxy = FaultProxy("127.0.0.1", int(moto_url.rsplit(":", 1)[1]))
            dsql_proxy = FaultProxy("127.0.0.1", standin.port)
            stack.callback(moto_proxy.close)
            stack.callback(dsql_proxy.close)
            app_moto_url, app_standin_port = moto_proxy.url, dsql_proxy.port
        env = stack_env(
            moto_url=moto_url, cognito=cognito, standin_port=standin.port, upstream_url=upstream.url, debug=debug
        )
        prepare_aws(env)
        if faults:
            env = stack_env(
                moto_url=app_moto_url,
                cognito=cognito,
                standin_port=app_standin_port,
                upstream_url=upstream.url,
                debug=debug,
            )
        env |= extra_env or {}
        s3 = LiveStack("", moto_url, upstream, env, cognito, standin, None).aws("s3")  # type: ignore[arg-type]
        s3.create_bucket(Bucket=TTS_BUCKET)
        app, base = start_app(env, workers=workers, threads=threads)
        live = LiveStack(base, moto_url, upstream, env, cognito, standin, app, {}, moto, moto_proxy, dsql_proxy)
        stack.callback(lambda: stop_app(live.app))
        stack.callback(lambda: live.moto.stop())
        stack.callback(lambda: live.standin.stop())
        live.tokens = cognito.tokens()
        yield live
