"""The TTS routes' schema says what they answer (HEAD §8.7): provider enum, effectiveSettings, error bodies."""

from __future__ import annotations

import pytest

ERROR_REF = {"$ref": "#/components/schemas/Error"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    return Client().get("/api/schema?format=json").json()


def component(schema, name):
    return schema["components"]["schemas"][name]


def body_schema(operation, status):
    return operation["responses"][status]["content"]["application/json"]["schema"]


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("get", "/api/tts/settings", {"401", "500", "502", "504"}),
        ("post", "/api/tts/settings", {"400", "401", "500", "502", "504"}),
        ("post", "/api/tts/generate", {"400", "401", "500", "502", "503", "504"}),
        ("get", "/api/tts/audio/{vocabulary_id}", {"400", "401", "404", "500", "502", "504"}),
    ],
)
def test_every_error_status_is_documented_with_the_error_body(schema, method, path, statuses):
    operation = schema["paths"][path][method]

    assert statuses <= set(operation["responses"])
    for status in statuses:
        assert body_schema(operation, status) == ERROR_REF, status
    assert {"cognitoBearer": []} in operation["security"]


def test_settings_input_documents_provider_and_key_bounds(schema):
    settings_input = component(schema, "TtsSettingsInput")
    provider = settings_input["properties"]["provider"]
    enum = provider.get("enum") or component(schema, provider["allOf"][0]["$ref"].rsplit("/", 1)[1])["enum"]

    assert enum == ["elevenlabs", "openai", "gemini"]
    assert settings_input["required"] == ["apiKey"]
    assert settings_input["properties"]["apiKey"]["minLength"] == 1
    assert settings_input["properties"]["apiKey"]["maxLength"] == 512


def test_outputs_carry_effective_settings(schema):
    generated = component(schema, "TtsGenerateOutput")
    audio = component(schema, "TtsAudioOutput")
    settings_output = component(schema, "TtsSettingsOutput")

    assert set(generated["properties"]) == {"audioUrl", "cached", "effectiveSettings"}
    assert set(audio["properties"]) == {"audioUrl", "effectiveSettings"}
    assert set(settings_output["properties"]) == {"hasApiKey", "provider", "voiceId", "model"}
    effective = component(schema, generated["properties"]["effectiveSettings"]["$ref"].rsplit("/", 1)[1])
    assert set(effective["properties"]) == {"provider", "voiceId", "model"}
    assert component(schema, "TtsGenerateInput")["properties"]["vocabularyId"]["maxLength"] == 200


@pytest.mark.parametrize(
    "key",
    [
        "sk-abc",
        "a",
        "clé ÿ",
        "x\u00a0y",
        " lead",
        "trail ",
        "\u00a0nb",
        "a\nb",
        "a\tb",
        "ключ",
        "a\x85b",
        "a\x9f",
        "\x85a",
        "a\x7f",
        "\x80",
        "",
    ],
)
def test_the_documented_key_pattern_is_the_rule_enforced(schema, key):
    import re

    from vela.http import header_value_problem

    pattern = component(schema, "TtsSettingsInput")["properties"]["apiKey"]["pattern"]

    assert (re.fullmatch(pattern, key) is not None) == (bool(key) and header_value_problem(key) is None)
