"""`/api/schema` lists every route of CONTRACT §1 and documents the error bodies; `/api/docs` serves."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# (family, method, path); `{x}` matches any path parameter name.
CONTRACT_ROUTES = [
    ("profiles", "get", "/api/profiles"),
    ("profiles", "put", "/api/profiles/update"),
    ("profiles", "post", "/api/profiles/create"),
    ("progress", "get", "/api/progress/analytics"),
    ("progress", "post", "/api/progress/game-session"),
    ("games", "get", "/api/games/vocabulary"),
    ("games", "get", "/api/games/sentences"),
    ("sentences", "post", "/api/my-dictionaries"),
    ("sentences", "get", "/api/my-dictionaries"),
    ("sentences", "delete", "/api/my-dictionaries/{x}"),
    ("sentences", "post", "/api/my-dictionaries/analyze"),
    ("tts", "post", "/api/tts/generate"),
    ("tts", "get", "/api/tts/audio/{x}"),
    ("tts", "get", "/api/tts/settings"),
    ("tts", "post", "/api/tts/settings"),
    ("dictionary", "get", "/api/dictionary/lookup"),
    ("chat_history", "post", "/api/chat-history/save"),
    ("chat_history", "get", "/api/chat-history/threads"),
    ("chat_history", "get", "/api/chat-history/messages"),
    ("chat_history", "delete", "/api/chat-history/thread"),
    ("llm", "post", "/api/llm-chat"),
    ("auth_proxy", "post", "/api/auth/auto-confirm"),
    ("auth_proxy", "post", "/api/auth/signin"),
    ("auth_proxy", "post", "/api/auth/refresh"),
    ("auth_proxy", "post", "/api/auth/signout"),
    ("auth_proxy", "get", "/api/auth/session"),
    ("health", "get", "/api/internal/dsql-health"),
    ("health", "get", "/api/health"),
    ("srs", "get", "/api/srs/due"),
    ("srs", "get", "/api/srs/stats"),
    ("srs", "post", "/api/srs/review"),
    ("srs", "get", "/api/srs/progress/{x}"),
    ("srs", "delete", "/api/srs/progress/{x}"),
    ("srs", "get", "/api/srs/all"),
    ("srs", "post", "/api/srs/batch-review"),
    ("srs", "post", "/api/vocabulary/from-word"),
]
ALWAYS_200 = {"/api/health", "/api/auth/signout"}
# Own user-data routes and the error statuses each must document with the error body.
USER_ROUTES = [(m, p) for f, m, p in CONTRACT_ROUTES if f in {"profiles", "progress"}]
PUBLIC_ROUTES = [(m, p) for f, m, p in CONTRACT_ROUTES if f == "games"]
# Token-only routes (no `user_id` to mismatch, so no 403).
SRS_ROUTES = [(m, p) for f, m, p in CONTRACT_ROUTES if f == "srs"]


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    response = Client().get("/api/schema?format=json")
    assert response.status_code == 200
    return response.json()


def find(schema, method, path):
    pattern = re.compile("^" + re.escape(path).replace(r"\{x\}", r"\{[^/]+\}") + "$")
    return next((ops[method] for p, ops in schema["paths"].items() if pattern.match(p) and method in ops), None)


@pytest.mark.parametrize(("family", "method", "path"), CONTRACT_ROUTES, ids=[f"{m} {p}" for _, m, p in CONTRACT_ROUTES])
def test_schema_lists_contract_route(schema, family, method, path):
    operation = find(schema, method, path)

    assert operation is not None, f"{method.upper()} {path} missing from /api/schema"


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


@pytest.mark.parametrize(("family", "method", "path"), CONTRACT_ROUTES, ids=[f"{m} {p}" for _, m, p in CONTRACT_ROUTES])
def test_every_route_documents_an_error_body(schema, family, method, path):
    if path in ALWAYS_200:
        pytest.skip(f"{path} answers 200 by design (liveness; sign-out as in the original)")
    operation = find(schema, method, path)
    errors = {code: r for code, r in operation["responses"].items() if code[0] in "45"}

    assert errors, f"{method.upper()} {path} documents no error response"
    for code, response in errors.items():
        body = _resolve(schema, response["content"]["application/json"]["schema"])
        assert "error" in body.get("properties", {}), f"{method.upper()} {path} {code} lacks the error body"


def test_error_component_has_the_one_error_shape(schema):
    error = schema["components"]["schemas"]["Error"]

    assert set(error["properties"]) == {"error", "code", "fields", "name"}
    assert set(error["required"]) == {"error", "code"}


def test_every_route_shares_the_one_error_component(schema):
    """No private error serializers: one component has the `error` + `code` shape, and every 4xx/5xx
    JSON response of every route refers to it."""
    shaped = [
        name
        for name, component in schema["components"]["schemas"].items()
        if {"error", "code"} <= set(component.get("properties", {}))
    ]
    assert shaped == ["Error"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for status, response in operation.get("responses", {}).items():
                body = response.get("content", {}).get("application/json", {}).get("schema", {})
                if status.startswith(("4", "5")) and "properties" in body:
                    assert "code" not in body["properties"], f"{method.upper()} {path} {status} has its own error shape"


@pytest.mark.parametrize(("method", "path"), USER_ROUTES)
def test_user_routes_document_errors_and_bearer_auth(schema, method, path):
    operation = find(schema, method, path)

    for status in ("400", "401", "403", "500", "502"):
        content = operation["responses"][status]["content"]["application/json"]["schema"]
        assert content == {"$ref": "#/components/schemas/Error"}, status
    assert {"cognitoBearer": []} in operation["security"]


@pytest.mark.parametrize(("method", "path"), SRS_ROUTES)
def test_srs_routes_document_errors_and_bearer_auth(schema, method, path):
    operation = find(schema, method, path)

    for status in ("401", "500", "502", "504"):
        content = operation["responses"][status]["content"]["application/json"]["schema"]
        assert content == {"$ref": "#/components/schemas/Error"}, status
    if path != "/api/srs/all":  # the one route without input
        assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
    assert {"cognitoBearer": []} in operation["security"]


def test_game_session_documents_409(schema):
    assert "409" in find(schema, "post", "/api/progress/game-session")["responses"]


def test_srs_review_documents_404_and_409(schema):
    operation = find(schema, "post", "/api/srs/review")

    assert {"404", "409"} <= set(operation["responses"])


@pytest.mark.parametrize(("method", "path"), PUBLIC_ROUTES)
def test_public_routes_document_errors_and_no_auth(schema, method, path):
    operation = find(schema, method, path)

    assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert "401" not in operation["responses"]
    assert operation.get("security", [{}]) in ([{}], [])


def test_bearer_scheme_is_declared(schema):
    assert schema["components"]["securitySchemes"]["cognitoBearer"]["scheme"] == "bearer"


def test_docs_page_serves_html(client):
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert b"/api/schema" in response.content


# A fresh process: views imported before any schema build record their `extend_schema` options
# without loading drf-spectacular's schema machinery; the first build applies them.
DEFERRED = """
import sys, django
django.setup()
import health.views
assert "drf_spectacular.openapi" not in sys.modules, "imported with the view"
assert not hasattr(health.views.LivenessView.get, "kwargs")
import vela.openapi_schema
assert "schema" in health.views.LivenessView.get.kwargs
"""


def test_views_apply_extend_schema_when_a_schema_is_first_built():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vela.settings", "VELA_READ_DOT_ENV": "false"}

    done = subprocess.run([sys.executable, "-c", DEFERRED], cwd=ROOT, env=env, capture_output=True, text=True)

    assert done.returncode == 0, done.stderr[-2000:]


def test_extend_schema_applies_at_once_after_a_schema_was_built(schema):
    from vela.openapi import extend_schema

    @extend_schema(summary="Late view")
    def get(view, request):
        raise NotImplementedError

    assert "schema" in get.kwargs


def test_no_app_uses_drf_spectacular_extend_schema_directly():
    """It would load the schema machinery with the view (vela.openapi.extend_schema defers it)."""
    import ast

    from tests.vela.test_layering import FEATURE_APPS

    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for package in sorted(FEATURE_APPS)
        for path in sorted((ROOT / package).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom)
        and node.module == "drf_spectacular.utils"
        and "extend_schema" in {alias.name for alias in node.names}
    ]

    assert offenders == []
