"""Chat history over HTTP (reference §5.3, §8.2) against moto DynamoDB; identity from local-JWKS tokens."""

from __future__ import annotations

import jwt
import pytest

from tests.chat_history.conftest import make_message, seed, stored
from tests.cognito import new_key

SAVE = "/api/chat-history/save"
THREADS = "/api/chat-history/threads"
MESSAGES = "/api/chat-history/messages"
THREAD = "/api/chat-history/thread"


# --- ported from test/routes/chat-history.test.ts (§8.2) -----------------------------------------
def test_options_threads_without_origin_is_204_without_acao(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["http://localhost:9000"]

    response = client.options(THREADS)

    assert response.status_code in (200, 204)
    assert "access-control-allow-origin" not in response.headers


def test_save_valid_item_stores_all_five_fields(client, dynamodb, auth_header):
    response = client.post(SAVE, make_message(), format="json", headers=auth_header("user-456"))

    assert response.status_code == 200
    assert response.json() == {"ok": True}
    [item] = stored(dynamodb)
    assert item == {
        "ThreadId": {"S": "thread-123"},
        "Timestamp": {"N": "1693440000000"},
        "UserId": {"S": "user-456"},
        "message": {"S": "Hello world"},
        "is_user": {"BOOL": True},
        "context": {"M": {}},
    }


def test_save_when_dynamodb_fails_is_5xx_with_the_original_prefix(client, dynamodb, auth_header, settings):
    settings.DYNAMODB_TABLES = {**settings.DYNAMODB_TABLES, "chat_history": "vela-missing"}

    response = client.post(SAVE, make_message(), format="json", headers=auth_header("user-456"))

    assert response.status_code == 500
    assert response.json() == {
        "error": "Failed to save message: DynamoDB table 'vela-missing' does not exist"
        " (create it with `manage.py dynamodb_tables create`).",
        "code": "table_not_found",
    }


def test_save_uses_the_default_credential_chain_not_a_settings_check(
    client, dynamodb, auth_header, monkeypatch, tmp_path
):
    # The original answered 500 "Missing AWS credentials" when deployed (CONTRACT §2.6) because it looked
    # for keys in its settings; on Lambda they come from the runtime's default chain. Here: a profile file.
    credentials = tmp_path / "credentials"
    credentials.write_text("[default]\naws_access_key_id = AKIDFROMFILE\naws_secret_access_key = from-file\n")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))

    response = client.post(SAVE, make_message(), format="json", headers=auth_header("user-456"))

    assert (response.status_code, response.json()) == (200, {"ok": True})


def test_no_credentials_at_all_is_a_clear_500(client, dynamodb, fresh_clients, auth_header, monkeypatch, tmp_path):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")

    response = client.post(SAVE, make_message(), format="json", headers=auth_header("user-456"))

    assert response.status_code == 500
    assert response.json()["code"] == "aws_credentials_missing"


def test_threads_groups_and_orders_by_last_activity(client, dynamodb, auth_header):
    seed(
        dynamodb,
        {"ThreadId": "thread-1", "Timestamp": 1693440000000, "UserId": "user-123", "message": "First message"},
        {"ThreadId": "thread-1", "Timestamp": 1693440001000, "UserId": "user-123", "message": "Hi", "is_user": False},
        {"ThreadId": "thread-2", "Timestamp": 1693440002000, "UserId": "user-123", "message": "Second thread"},
    )

    response = client.get(THREADS, {"user_id": "user-123"}, headers=auth_header("user-123"))

    assert response.status_code == 200
    assert response.json() == {
        "threads": [
            {"ThreadId": "thread-2", "lastTimestamp": 1693440002000, "title": "Second thread", "messageCount": 1},
            {"ThreadId": "thread-1", "lastTimestamp": 1693440001000, "title": "First message", "messageCount": 2},
        ]
    }


@pytest.mark.parametrize("query", ["user_id=", "user_id=a&user_id=b"], ids=["empty", "repeated"])
def test_threads_with_bad_user_id_is_400(client, dynamodb, auth_header, query):
    response = client.get(f"{THREADS}?{query}", headers=auth_header("a"))

    assert response.status_code == 400
    assert response.json() == {"error": "user_id is required", "code": "invalid_query"}


def test_threads_without_user_id_uses_the_token_sub(client, dynamodb, auth_header):
    seed(dynamodb, {"ThreadId": "t", "Timestamp": 1, "UserId": "user-123", "message": "mine"})

    response = client.get(THREADS, headers=auth_header("user-123"))

    assert [t["ThreadId"] for t in response.json()["threads"]] == ["t"]


def test_messages_returns_the_thread_in_time_order(client, dynamodb, auth_header):
    seed(
        dynamodb,
        {"ThreadId": "thread-123", "Timestamp": 2000, "UserId": "u", "message": "Assistant response", "is_user": False},
        {"ThreadId": "thread-123", "Timestamp": 1000, "UserId": "u", "message": "First message"},
        {"ThreadId": "other", "Timestamp": 1500, "UserId": "u", "message": "elsewhere"},
    )

    response = client.get(MESSAGES, {"thread_id": "thread-123"}, headers=auth_header("u"))

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {"ThreadId": "thread-123", "Timestamp": 1000, "UserId": "u", "message": "First message", "is_user": True},
            {
                "ThreadId": "thread-123",
                "Timestamp": 2000,
                "UserId": "u",
                "message": "Assistant response",
                "is_user": False,
            },
        ]
    }


@pytest.mark.parametrize("path", [MESSAGES, THREAD])
@pytest.mark.parametrize("query", ["", "?thread_id=", "?thread_id=a&thread_id=b"], ids=["missing", "empty", "twice"])
def test_thread_routes_without_thread_id_are_400(client, dynamodb, auth_header, path, query):
    method = client.get if path == MESSAGES else client.delete

    response = method(f"{path}{query}", headers=auth_header("u"))

    assert response.status_code == 400
    assert response.json() == {"error": "thread_id is required", "code": "invalid_query"}


# --- save validation --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ThreadId": ""}, "ThreadId", "ThreadId is required"),
        ({"ThreadId": 12}, "ThreadId", "ThreadId is required"),
        ({"ThreadId": "x" * 513}, "ThreadId", "Ensure this field has no more than 512 characters."),
        ({"Timestamp": 0}, "Timestamp", "Timestamp must be a positive integer"),
        ({"Timestamp": -5}, "Timestamp", "Timestamp must be a positive integer"),
        ({"Timestamp": 1.5}, "Timestamp", "Timestamp must be a positive integer"),
        ({"Timestamp": "1693440000000"}, "Timestamp", "Timestamp must be a positive integer"),
        ({"Timestamp": True}, "Timestamp", "Timestamp must be a positive integer"),
        ({"Timestamp": 2**53}, "Timestamp", "Timestamp must be a positive integer"),
        ({"Timestamp": None}, "Timestamp", "Timestamp must be a positive integer"),
        ({"UserId": ""}, "UserId", "UserId is required"),
        ({"message": ""}, "message", "Message is required"),
        ({"message": {"text": "hi"}}, "message", "Message is required"),
        ({"message": "x" * 100_001}, "message", "Ensure this field has no more than 100000 characters."),
        ({"is_user": "true"}, "is_user", "is_user must be a boolean"),
        ({"is_user": 1}, "is_user", "is_user must be a boolean"),
    ],
)
def test_save_validation_errors_are_400_with_fields(client, dynamodb, auth_header, overrides, field, message):
    response = client.post(SAVE, make_message(**overrides), format="json", headers=auth_header("user-456"))

    assert response.status_code == 400
    assert response.json() == {"error": "Invalid input.", "code": "invalid", "fields": {field: [message]}}
    assert stored(dynamodb) == []


@pytest.mark.parametrize("field", ["ThreadId", "Timestamp", "message", "is_user"])
def test_save_missing_required_field_is_400(client, dynamodb, auth_header, field):
    body = make_message()
    del body[field]

    response = client.post(SAVE, body, format="json", headers=auth_header("user-456"))

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


@pytest.mark.parametrize("body", [b"{", b"[1, 2", b"null", b"[]", b'"text"'])
def test_save_with_malformed_or_non_object_json_is_400(client, dynamodb, auth_header, body):
    response = client.post(SAVE, body, content_type="application/json", headers=auth_header("user-456"))

    assert response.status_code == 400
    assert response.json()["code"] in {"malformed_json", "invalid"}


def test_save_oversized_body_is_413(client, dynamodb, auth_header):
    response = client.post(
        SAVE, make_message(message="x" * (1024 * 1024 + 1)), format="json", headers=auth_header("user-456")
    )

    assert response.status_code == 413


def test_save_accepts_integral_float_timestamp_and_strips_unknown_keys(client, dynamodb, auth_header):
    body = make_message(Timestamp=1693440000000.0, extra="dropped")

    response = client.post(SAVE, body, format="json", headers=auth_header("user-456"))

    assert response.status_code == 200
    [item] = stored(dynamodb)
    assert item["Timestamp"] == {"N": "1693440000000"}
    assert "extra" not in item


def test_japanese_text_round_trips_and_titles_cut_at_60_utf16_units(client, dynamodb, auth_header):
    text = "こんにちは、元気ですか。" * 6 + "🎌終わり"  # 72 chars before the emoji
    headers = auth_header("u")
    client.post(SAVE, make_message(ThreadId="jp", UserId="u", message=text), format="json", headers=headers)
    emoji_text = "a" * 59 + "🎌tail"  # the emoji's surrogate pair straddles unit 60
    client.post(
        SAVE, make_message(ThreadId="em", UserId="u", message=emoji_text, Timestamp=5), format="json", headers=headers
    )

    items = client.get(MESSAGES, {"thread_id": "jp"}, headers=headers).json()["items"]
    titles = {t["ThreadId"]: t["title"] for t in client.get(THREADS, headers=headers).json()["threads"]}

    assert items[0]["message"] == text
    assert titles == {"jp": text[:60], "em": "a" * 59}


def test_title_falls_back_to_first_message_then_conversation(client, dynamodb, auth_header):
    seed(
        dynamodb,
        {"ThreadId": "bot", "Timestamp": 1, "UserId": "u", "message": "assistant first", "is_user": False},
        {"ThreadId": "bot", "Timestamp": 2, "UserId": "u", "message": "assistant again", "is_user": False},
        {"ThreadId": "empty", "Timestamp": 3, "UserId": "u", "message": "", "is_user": True},
    )

    threads = client.get(THREADS, headers=auth_header("u")).json()["threads"]

    assert {t["ThreadId"]: t["title"] for t in threads} == {"bot": "assistant first", "empty": "Conversation"}


# --- delete -------------------------------------------------------------------------------------------
def test_delete_removes_every_message_of_the_thread_only(client, dynamodb, auth_header):
    seed(dynamodb, *({"ThreadId": "big", "Timestamp": n, "UserId": "u", "message": f"m{n}"} for n in range(1, 61)))
    seed(dynamodb, {"ThreadId": "keep", "Timestamp": 1, "UserId": "u", "message": "stay"})

    response = client.delete(f"{THREAD}?thread_id=big", headers=auth_header("u"))

    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert [i["ThreadId"]["S"] for i in stored(dynamodb)] == ["keep"]


def test_delete_of_an_empty_thread_is_ok(client, dynamodb, auth_header):
    response = client.delete(f"{THREAD}?thread_id=nothing", headers=auth_header("u"))

    assert (response.status_code, response.json()) == (200, {"ok": True})


# --- identity and ownership ---------------------------------------------------------------------------
def test_user_id_naming_another_user_is_403(client, dynamodb, auth_header):
    headers = auth_header("alice")

    responses = [
        client.get(THREADS, {"user_id": "bob"}, headers=headers),
        client.post(SAVE, make_message(UserId="bob"), format="json", headers=headers),
        client.get(MESSAGES, {"thread_id": "t", "user_id": "bob"}, headers=headers),
        client.delete(f"{THREAD}?thread_id=t&user_id=bob", headers=headers),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    assert {r.json()["code"] for r in responses} == {"user_mismatch"}
    assert stored(dynamodb) == []


def test_user_b_never_reads_or_changes_user_a_threads(client, dynamodb, auth_header):
    alice, bob = auth_header("alice"), auth_header("bob")
    client.post(SAVE, make_message(ThreadId="a-thread", UserId="alice", message="secret"), format="json", headers=alice)

    threads = client.get(THREADS, headers=bob)
    messages = client.get(MESSAGES, {"thread_id": "a-thread"}, headers=bob)
    deleted = client.delete(f"{THREAD}?thread_id=a-thread", headers=bob)
    injected = client.post(
        SAVE, make_message(ThreadId="a-thread", UserId="bob", Timestamp=2), format="json", headers=bob
    )
    overwrite = client.post(SAVE, make_message(ThreadId="a-thread", message="pwned"), format="json", headers=bob)

    assert threads.json() == {"threads": []}
    assert (messages.status_code, messages.json()["error"]) == (403, "Forbidden: You do not own this thread")
    assert (deleted.status_code, deleted.json()["error"]) == (403, "Forbidden: You do not own this thread")
    assert injected.status_code == 403
    assert overwrite.status_code == 403
    [item] = stored(dynamodb)
    assert (item["UserId"]["S"], item["message"]["S"]) == ("alice", "secret")


def _bad_token_headers(cognito):
    claims = jwt.decode(cognito.token("alice"), options={"verify_signature": False})
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": "vela-test-key-1"})
    return {
        "missing": {},
        "expired": {"Authorization": f"Bearer {cognito.token('alice', expires_in=-120)}"},
        "forged": {"Authorization": f"Bearer {cognito.token('alice', key=new_key())}"},
        "wrong-audience": {"Authorization": f"Bearer {cognito.token('alice', client_id='another-app')}"},
        "alg-none": {"Authorization": f"Bearer {unsigned}"},
    }


@pytest.mark.parametrize("case", ["missing", "expired", "forged", "wrong-audience", "alg-none"])
def test_every_route_rejects_bad_tokens_with_401(client, dynamodb, cognito, case):
    seed(dynamodb, {"ThreadId": "t", "Timestamp": 1, "UserId": "alice", "message": "x"})
    headers = _bad_token_headers(cognito)[case]

    responses = [
        client.post(SAVE, make_message(UserId="alice"), format="json", headers=headers),
        client.get(THREADS, {"user_id": "alice"}, headers=headers),
        client.get(MESSAGES, {"thread_id": "t"}, headers=headers),
        client.delete(f"{THREAD}?thread_id=t", headers=headers),
    ]

    assert [r.status_code for r in responses] == [401, 401, 401, 401]
    assert all(r.json()["error"].startswith("Unauthorized") for r in responses)
    assert len(stored(dynamodb)) == 1


def test_access_tokens_are_accepted_too(client, dynamodb, cognito):
    headers = {"Authorization": f"Bearer {cognito.token('alice', token_use='access')}"}

    response = client.post(SAVE, make_message(UserId="alice"), format="json", headers=headers)

    assert response.status_code == 200


def test_migration_switch_lets_old_builds_send_only_user_id(client, dynamodb, settings, cognito):
    settings.VELA_ALLOW_UNAUTHENTICATED_USER_ID = True
    seed(dynamodb, {"ThreadId": "t", "Timestamp": 1, "UserId": "legacy", "message": "old"})

    response = client.get(THREADS, {"user_id": "legacy"})

    assert [t["ThreadId"] for t in response.json()["threads"]] == ["t"]


@pytest.mark.parametrize(
    ("method", "path"), [("get", THREADS), ("get", f"{MESSAGES}?thread_id=t"), ("delete", f"{THREAD}?thread_id=t")]
)
def test_missing_table_on_reads_is_a_clear_500(client, dynamodb, auth_header, settings, method, path):
    settings.DYNAMODB_TABLES = {**settings.DYNAMODB_TABLES, "chat_history": "vela-missing"}

    response = getattr(client, method)(path, headers=auth_header("u"))

    assert response.status_code == 500
    assert response.json()["code"] == "table_not_found"
    assert "vela-missing" in response.json()["error"]


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000, b'{"ThreadId": "\\ud800", "Timestamp": 1, "message": "x", "is_user": true}'],
    ids=["deep", "surrogate"],
)
def test_save_hostile_json_is_400_not_500(client, dynamodb, auth_header, body):
    response = client.post(SAVE, body, content_type="application/json", headers=auth_header("u"))

    assert response.status_code == 400
    assert stored(dynamodb) == []
