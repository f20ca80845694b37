"""/api/schema documents every third-party route with its methods and error bodies."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/api/tts/settings", {"get", "post"}),
        ("/api/tts/generate", {"post"}),
        ("/api/tts/audio/{vocabulary_id}", {"get"}),
        ("/api/dictionary/lookup", {"get"}),
        ("/api/llm-chat", {"post"}),
        ("/api/my-dictionaries/analyze", {"post"}),
        ("/api/auth/signin", {"post"}),
        ("/api/auth/refresh", {"post"}),
        ("/api/auth/signout", {"post"}),
        ("/api/auth/session", {"get"}),
        ("/api/auth/auto-confirm", {"post"}),
        ("/api/srs/due", {"get"}),
        ("/api/srs/stats", {"get"}),
        ("/api/srs/review", {"post"}),
        ("/api/srs/progress/{vocabulary_id}", {"get", "delete"}),
        ("/api/srs/all", {"get"}),
        ("/api/srs/batch-review", {"post"}),
        ("/api/vocabulary/from-word", {"post"}),
    ],
)
def test_route_is_in_the_schema(client, path, methods):
    response = client.get("/api/schema", headers={"Accept": "application/vnd.oai.openapi+json"})

    assert response.status_code == 200
    schema = response.json()
    assert set(schema["paths"][path]) == methods
    for operation in schema["paths"][path].values():
        assert "200" in operation["responses"]
