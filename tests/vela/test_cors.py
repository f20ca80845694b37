"""Reference §8.1 (the original's 20 CORS tests) against our middleware stack, plus CONTRACT §2.7."""

import pytest

pytestmark = pytest.mark.urls("tests.vela.cors_urls")

ALLOW_METHODS = "GET, POST, PUT, DELETE, OPTIONS"
ALLOW_HEADERS = "authorization, x-client-info, apikey, content-type"
LOCAL = "http://localhost:9000"
MALICIOUS = "https://malicious.example.com"


@pytest.fixture
def origins(settings):
    def configure(value):
        settings.CORS_ALLOWED_ORIGINS = [o.strip() for o in value.split(",") if o.strip()]

    return configure


def send(client, method, origin=None, path="/test", **extra):
    headers = {"Origin": origin} if origin else {}
    return client.generic(method, path, headers=headers, **extra)


def test_options_without_origin_is_204_with_allow_headers_and_no_acao(client, origins):
    origins(LOCAL)

    response = send(client, "OPTIONS")

    assert response.status_code == 204
    assert response.content == b""
    assert "Access-Control-Allow-Origin" not in response
    assert response["Access-Control-Allow-Methods"] == ALLOW_METHODS
    assert response["Access-Control-Allow-Headers"] == ALLOW_HEADERS


def test_options_from_allowed_origin_is_204_with_credentials(client, origins):
    origins(f"{LOCAL},https://example.com")

    response = send(client, "OPTIONS", LOCAL, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == LOCAL
    assert response["Access-Control-Allow-Credentials"] == "true"
    assert response["Access-Control-Allow-Methods"] == ALLOW_METHODS
    assert response["Access-Control-Allow-Headers"] == ALLOW_HEADERS


def test_options_from_disallowed_origin_is_bare_204(client, origins):
    origins(LOCAL)

    response = send(client, "OPTIONS", MALICIOUS, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")

    assert response.status_code == 204
    assert response.content == b""
    assert not [h for h in response.headers if h.lower().startswith("access-control-")]


def test_options_on_unknown_path_is_204(client, origins):
    origins(LOCAL)

    response = send(client, "OPTIONS", LOCAL, path="/nowhere/at/all")

    assert response.status_code == 204


def test_get_without_origin_succeeds_without_acao(client, origins):
    origins(LOCAL)

    response = send(client, "GET")

    assert response.status_code == 200
    assert response.json() == {"message": "GET success"}
    assert "Access-Control-Allow-Origin" not in response
    assert response["Access-Control-Allow-Methods"] == ALLOW_METHODS


def test_get_from_allowed_origin_gets_acao_and_credentials(client, origins):
    origins(f"{LOCAL},https://example.com")

    response = send(client, "GET", "https://example.com")

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://example.com"
    assert response["Access-Control-Allow-Credentials"] == "true"


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_disallowed_origin_gets_403_json_and_no_cors_headers(client, origins, method):
    origins(LOCAL)

    response = send(client, method, MALICIOUS)

    assert response.status_code == 403
    assert response.json() == {"error": "CORS policy violation: Origin not allowed", "code": "cors_origin_not_allowed"}
    assert not [h for h in response.headers if h.lower().startswith("access-control-")]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_allowed_origin_reaches_route(client, origins, method):
    origins(LOCAL)

    response = send(client, method, LOCAL)

    assert response.status_code == 200
    assert response.json() == {"message": f"{method} success"}
    assert response["Access-Control-Allow-Origin"] == LOCAL
    assert response["Access-Control-Allow-Credentials"] == "true"


@pytest.mark.parametrize("method", ["POST"])
def test_post_without_origin_reaches_route_without_acao(client, origins, method):
    origins(LOCAL)

    response = send(client, method)

    assert response.status_code == 200
    assert response.json() == {"message": "POST success"}
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize("origin", [LOCAL, "http://127.0.0.1:9000", "https://example.com"])
def test_each_of_multiple_origins_is_echoed(client, origins, origin):
    origins(f"{LOCAL},http://127.0.0.1:9000,https://example.com")

    response = send(client, "GET", origin)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == origin


def test_unlisted_origin_is_rejected(client, origins):
    origins(f"{LOCAL},http://127.0.0.1:9000")

    assert send(client, "GET", "https://unlisted.com").status_code == 403


@pytest.mark.parametrize("config", ["", None], ids=["empty", "undefined"])
def test_no_configured_origins_rejects_any_origin(client, settings, config):
    settings.CORS_ALLOWED_ORIGINS = [] if config is None else [o for o in config.split(",") if o]

    assert send(client, "GET", LOCAL).status_code == 403


def test_whitespace_in_list_is_trimmed(client, origins):
    origins(f"  {LOCAL}  ,  https://example.com  ")

    response = send(client, "GET", LOCAL)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == LOCAL


def test_matching_is_exact_and_case_sensitive(client, origins):
    origins(LOCAL)

    assert send(client, "GET", "http://LOCALHOST:9000").status_code == 403
    assert send(client, "GET", f"{LOCAL}/").status_code == 403
    assert send(client, "GET", "http://localhost:90000").status_code == 403


def test_options_and_post_from_disallowed_origin_are_consistent(client, origins):
    origins(LOCAL)

    preflight = send(client, "OPTIONS", MALICIOUS)
    post = send(client, "POST", MALICIOUS)

    assert (preflight.status_code, "Access-Control-Allow-Origin" in preflight) == (204, False)
    assert (post.status_code, "Access-Control-Allow-Origin" in post) == (403, False)
    assert post.json()["error"] == "CORS policy violation: Origin not allowed"


def test_error_responses_carry_cors_headers(client, origins):
    origins(LOCAL)

    response = send(client, "GET", LOCAL, path="/test-error")

    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == LOCAL
    assert response["Access-Control-Allow-Headers"] == ALLOW_HEADERS


def test_settings_read_the_env_list_trimmed():
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "CORS_ALLOWED_ORIGINS": f"  {LOCAL}  ,  https://example.com  ,",
        "DJANGO_SETTINGS_MODULE": "vela.settings",
    }
    code = "from django.conf import settings; print(settings.CORS_ALLOWED_ORIGINS)"

    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)

    assert result.stdout.strip() == str([LOCAL, "https://example.com"])


# --- Browser-extension origins (HEAD §4.1, CONTRACT §3a: CORS_ALLOWED_EXTENSION_IDS) -------------
EXTENSION_ID = "abcdefghijklmnopabcdefghijklmnop"


@pytest.fixture
def extension(settings, origins):
    origins(LOCAL)
    settings.CORS_ALLOWED_EXTENSION_IDS = [EXTENSION_ID]


@pytest.mark.parametrize("scheme", ["chrome-extension", "moz-extension"])
def test_extension_preflight_is_204_with_origin_but_no_credentials(client, extension, scheme):
    origin = f"{scheme}://{EXTENSION_ID}"

    response = send(client, "OPTIONS", origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == origin
    assert "Access-Control-Allow-Credentials" not in response
    assert response["Access-Control-Allow-Methods"] == ALLOW_METHODS
    assert response["Access-Control-Allow-Headers"] == ALLOW_HEADERS


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_extension_actual_request_passes_with_its_origin(client, extension, method):
    origin = f"chrome-extension://{EXTENSION_ID}"

    response = send(client, method, origin)

    assert response.status_code == 200
    assert response.json() == {"message": f"{method} success"}
    assert response["Access-Control-Allow-Origin"] == origin
    assert "Access-Control-Allow-Credentials" not in response
    assert "origin" in response["Vary"].lower()


def test_extension_error_responses_keep_the_origin(client, extension):
    response = send(client, "GET", f"chrome-extension://{EXTENSION_ID}", path="/test-error")

    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == f"chrome-extension://{EXTENSION_ID}"


@pytest.mark.parametrize(
    "origin",
    [
        "chrome-extension://otherextensionidotherextensionid",
        f"chrome-extension://{EXTENSION_ID}/",
        f"chrome-extension://{EXTENSION_ID}/page.html",
        f"safari-web-extension://{EXTENSION_ID}",
        f"https://{EXTENSION_ID}",
        f"CHROME-EXTENSION://{EXTENSION_ID}",
        "chrome-extension://",
    ],
)
def test_other_extension_like_origins_are_refused(client, extension, origin):
    refused = send(client, "POST", origin)
    preflight = send(client, "OPTIONS", origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")

    assert refused.status_code == 403
    assert refused.json() == {"error": "CORS policy violation: Origin not allowed", "code": "cors_origin_not_allowed"}
    assert preflight.status_code == 204
    assert not [h for h in preflight.headers if h.lower().startswith("access-control-")]


def test_no_extension_ids_means_no_extension_is_allowed(client, settings, origins):
    origins(LOCAL)
    settings.CORS_ALLOWED_EXTENSION_IDS = []

    response = send(client, "GET", f"chrome-extension://{EXTENSION_ID}")

    assert response.status_code == 403


def test_web_origins_still_get_credentials_next_to_extensions(client, extension):
    response = send(client, "GET", LOCAL)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == LOCAL
    assert response["Access-Control-Allow-Credentials"] == "true"
