"""Calls per request of the dictionary and TTS routes: upstream HTTP (Jisho, ElevenLabs, OpenAI,
Gemini), DynamoDB and S3, counted on the wire in one run.

The app runs in process (Django test client, real Cognito ID token from a moto pool) against a moto
server over HTTP and a local fake upstream (tests/upstream.py). DynamoDB and S3 requests are counted
with botocore's `before-send` event (one per HTTP attempt, retries included); upstream requests are
what the fake recorded. Each scenario runs `--rounds` times and prints the calls per request, with
HEAD's count for the same route beside it (HEAD §6, §8.7). No wall times: against these local
stand-ins (werkzeug closing every connection, the fake's unbuffered writes) they measure the stand-ins.

    .venv/bin/python bench/dictionary_tts.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from _stack import start_local_aws  # noqa: E402
from local_aws import LOCAL_PASSWORD, LOCAL_USER  # noqa: E402

from tests.upstream import FakeUpstream, Reply, serve  # noqa: E402

BUCKET = "vela-tts-audio-bench"
# One request of a scenario: request i (ids and paths may hold `{i}`).
type Send = Callable[[int], None]
# HEAD's calls per request for the same route (upstream, DynamoDB, S3), from its source (§6, §8.7).
HEAD_COUNTS = {
    "GET /api/dictionary/lookup": (1, 0, 0),
    "GET /api/dictionary/lookup (no results)": (1, 0, 0),
    "POST /api/tts/settings": (0, 1, 0),
    "GET /api/tts/settings": (0, 1, 0),
    "POST /api/tts/generate (miss, elevenlabs)": (1, 1, 2),
    "POST /api/tts/generate (miss, openai)": (1, 1, 2),
    "POST /api/tts/generate (miss, gemini)": (1, 1, 2),
    "POST /api/tts/generate (cached)": (0, 1, 1),
    "GET /api/tts/audio (found)": (0, 1, 1),
    "GET /api/tts/audio (not generated)": (0, 1, 1),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    server, cognito, _ = start_local_aws(
        DJANGO_LOG_LEVEL="ERROR", DJANGO_SETTINGS_MODULE="vela.settings", TTS_AUDIO_BUCKET_NAME=BUCKET
    )
    fake = FakeUpstream()
    upstream = serve(fake)
    next(upstream)
    for name in ("JISHO", "ELEVENLABS", "OPENAI", "GEMINI"):
        os.environ[f"{name}_API_BASE_URL"] = fake.url
    try:
        run(args.rounds, cognito.tokens(LOCAL_USER, LOCAL_PASSWORD)["id"], fake)
    finally:
        upstream.close()
        server.stop()


def run(rounds: int, token: str, fake: FakeUpstream) -> None:
    aws = set_up(fake)
    scenarios = request_scenarios(token)
    print(f"calls per request over {rounds} requests each (ours | HEAD)")
    print(f"{'route':46} {'upstream':>9} {'DynamoDB':>9} {'S3':>6}   {'HEAD u/D/S3':>11}")
    for label, setup, send in scenarios:
        if setup:
            setup(0)
        aws.clear()
        before = len(fake.requests)
        for i in range(rounds):
            send(i)
        counts = ((len(fake.requests) - before) / rounds, aws["dynamodb"] / rounds, aws["s3"] / rounds)
        head = "/".join(str(n) for n in HEAD_COUNTS[label])
        print(f"{label:46} {counts[0]:9.2f} {counts[1]:9.2f} {counts[2]:6.2f}   {head:>11}")
    print("DynamoDB/S3 are counted per HTTP attempt (a botocore retry would show); presigning makes no request.")


def set_up(fake: FakeUpstream) -> Counter[str]:
    """Django set up, the tables and the bucket made, the upstream replies set; returns the counter of
    DynamoDB and S3 requests (botocore `before-send` on the app's clients)."""
    import django

    django.setup()
    import io
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 404 scenarios are expected

    from django.core.management import call_command

    from vela.aws import dynamodb_client, s3_client

    call_command("dynamodb_tables", "create", stdout=io.StringIO())
    s3_client().create_bucket(Bucket=BUCKET)
    aws: Counter[str] = Counter()
    for name, client in (("dynamodb", dynamodb_client(validate=False)), ("s3", s3_client())):
        client.meta.events.register("before-send", lambda service=name, **_: aws.update([service]))

    pcm = base64.b64encode(b"\x00\x01" * 2400).decode()
    inline = {"data": pcm, "mimeType": "audio/L16;rate=24000"}
    gemini = {"candidates": [{"content": {"parts": [{"inlineData": inline}]}}]}
    jisho = {"data": [{"japanese": [{"word": "猫", "reading": "ねこ"}], "senses": [{"english_definitions": ["cat"]}]}]}
    fake.on("GET", "/api/v1/search/words?keyword=%E7%8C%AB", Reply(body=json.dumps(jisho).encode()))
    fake.on("GET", "/api/v1/search/words?keyword=zz", Reply(body=b'{"data":[]}'))
    fake.on("POST", "/v1/text-to-speech/", Reply(body=b"ID3-mp3" * 200))
    fake.on("POST", "/v1/audio/speech", Reply(body=b"ID3-mp3" * 200))
    fake.on("POST", "/v1beta/models/", Reply(body=json.dumps(gemini).encode()))
    return aws


def request_scenarios(token: str) -> list[tuple[str, Send | None, Send]]:
    """(label, set-up request or None, request i) per route, in the order they are counted; the token is
    seen once first, so its JWKS fetch is not counted as a per-request cost."""
    from django.test import Client

    client = Client()
    headers = {"Authorization": f"Bearer {token}"}

    def call(method: str, path: str, body: dict[str, Any] | None = None, expect: int = 200) -> Send:
        def send(i: int) -> None:
            data = json.dumps(body).replace("{i}", str(i)) if body is not None else None
            kwargs: dict[str, Any] = {"headers": headers}
            if data is not None:
                kwargs.update(data=data, content_type="application/json")
            response = client.generic(method, path.replace("{i}", str(i)), **kwargs)
            assert response.status_code == expect, (path, response.status_code, response.content[:200])

        return send

    def save(provider: str) -> Send:
        return call("POST", "/api/tts/settings", {"provider": provider, "apiKey": "bench-key"})

    call("GET", "/api/tts/settings")(0)  # first sight of the token: the JWKS fetch is not a per-request cost
    scenarios: list[tuple[str, Send | None, Send]] = [
        ("GET /api/dictionary/lookup", None, call("GET", "/api/dictionary/lookup?word=猫&reading=ネコ")),
        ("GET /api/dictionary/lookup (no results)", None, call("GET", "/api/dictionary/lookup?word=zz", expect=404)),
        ("POST /api/tts/settings", None, save("elevenlabs")),
        ("GET /api/tts/settings", None, call("GET", "/api/tts/settings")),
    ]
    for provider in ("elevenlabs", "openai", "gemini"):
        scenarios.append(
            (
                f"POST /api/tts/generate (miss, {provider})",
                save(provider),
                call("POST", "/api/tts/generate", {"vocabularyId": f"{provider}-{{i}}", "text": "ねこ"}),
            )
        )
    cached = call("POST", "/api/tts/generate", {"vocabularyId": "gemini-0", "text": "x"})
    scenarios += [
        ("POST /api/tts/generate (cached)", None, cached),
        ("GET /api/tts/audio (found)", None, call("GET", "/api/tts/audio/gemini-{i}")),
        ("GET /api/tts/audio (not generated)", None, call("GET", "/api/tts/audio/never-{i}", expect=404)),
    ]
    return scenarios


if __name__ == "__main__":
    main()
