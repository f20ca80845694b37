"""Saved sentences over HTTP (reference §5.10) against moto DynamoDB, identity from local-JWKS ID tokens."""

from __future__ import annotations

import re
import time

import jwt
import pytest

from tests.cognito import new_key
from tests.sentences.conftest import ALICE, BOB, URL

SENTENCE_ID = re.compile(r"^(\d{13})-[0-9a-f]{8}$")


def _nested(depth):
    value = 1
    for _ in range(depth):
        value = [value]
    return value


def _save(client, headers, **body):
    return client.post(URL, body, format="json", headers=headers)


def _items(dynamodb):
    return dynamodb.scan(TableName="vela-saved-sentences")["Items"]


def test_post_saves_trimmed_sentence_with_optional_fields(client, dynamodb, as_user):
    before = int(time.time() * 1000)

    response = _save(
        client,
        as_user(ALICE),
        sentence="  これは日本語の文章です。 ",
        sourceUrl="https://example.com",
        context="Test Page",
    )

    assert response.status_code == 200
    body = response.json()
    data = body["data"]
    assert body == {
        "success": True,
        "data": {
            "user_id": "alice@example.com",
            "sentence_id": data["sentence_id"],
            "sentence": "これは日本語の文章です。",
            "source_url": "https://example.com",
            "context": "Test Page",
            "created_at": data["created_at"],
            "updated_at": data["created_at"],
        },
    }
    match = SENTENCE_ID.match(data["sentence_id"])
    assert match
    assert int(match.group(1)) == data["created_at"]
    assert before <= data["created_at"] <= int(time.time() * 1000)
    [item] = _items(dynamodb)
    assert item["user_id"] == {"S": "alice@example.com"}
    assert item["sentence"] == {"S": "これは日本語の文章です。"}


def test_post_without_optional_fields_omits_them(client, dynamodb, as_user):
    response = _save(client, as_user(ALICE), sentence="短い")

    data = response.json()["data"]
    assert set(data) == {"user_id", "sentence_id", "sentence", "created_at", "updated_at"}
    assert set(_items(dynamodb)[0]) == {"user_id", "sentence_id", "sentence", "created_at", "updated_at"}


def test_post_keeps_any_json_in_context_and_null_source_url(client, dynamodb, as_user):
    context = {"page": "記事", "score": 1.25, "tags": ["a", 2, None, True], "nested": {"n": 10**20}}

    saved = _save(client, as_user(ALICE), sentence="文", sourceUrl=None, context=context).json()["data"]
    listed = client.get(URL, headers=as_user(ALICE)).json()["data"][0]

    assert saved["context"] == context
    assert saved["source_url"] is None
    assert listed == saved


def test_two_saves_get_different_ids(client, dynamodb, as_user):
    ids = {_save(client, as_user(ALICE), sentence="同じ").json()["data"]["sentence_id"] for _ in range(2)}

    assert len(ids) == 2


@pytest.mark.parametrize(
    "body",
    [{}, {"sentence": ""}, {"sentence": "   "}, {"sentence": 5}, {"sentence": None}, {"sentence": ["a"]}, [], "text"],
    ids=["missing", "empty", "blank", "number", "null", "list", "array-body", "string-body"],
)
def test_post_without_a_sentence_is_400(client, dynamodb, as_user, body):
    response = client.post(URL, body, format="json", headers=as_user(ALICE))

    assert response.status_code == 400
    assert response.json() == {"error": "Sentence is required", "code": "sentence_required"}
    assert _items(dynamodb) == []


def test_post_malformed_json_is_400(client, dynamodb, as_user):
    response = client.post(URL, b'{"sentence": ', content_type="application/json", headers=as_user(ALICE))

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"sentence": "長" * 10_001}, "too_long"),
        ({"sentence": "a", "context": "x" * 100_001}, "too_long"),
        ({"sentence": "a", "context": {"n": 1e300}}, "invalid_number"),
        ({"sentence": "a", "context": {"": 1}}, "invalid_key"),
        ({"sentence": "a", "context": _nested(40)}, "too_deep"),
    ],
    ids=["long-sentence", "large-context", "unstorable-number", "empty-key", "too-deep"],
)
def test_post_with_unstorable_values_is_400_not_500(client, dynamodb, as_user, body, code):
    response = _save(client, as_user(ALICE), **body)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert _items(dynamodb) == []


def test_oversized_body_is_413(client, dynamodb, as_user):
    response = _save(client, as_user(ALICE), sentence="a" * (1024 * 1024 + 10))

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_get_lists_own_sentences_newest_first(client, dynamodb, as_user):
    for text in ("一", "二", "三"):
        _save(client, as_user(ALICE), sentence=text)
        time.sleep(0.002)
    _save(client, as_user(BOB), sentence="bob's")

    response = client.get(URL, headers=as_user(ALICE))

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert [s["sentence"] for s in body["data"]] == ["三", "二", "一"]
    assert {s["user_id"] for s in body["data"]} == {"alice@example.com"}


def test_get_limit_defaults_to_50_and_is_capped_at_100(client, dynamodb, as_user):
    with dynamodb_batch(dynamodb) as put:
        for n in range(120):
            put({"user_id": "alice@example.com", "sentence_id": f"{1700000000000 + n}-x", "sentence": f"s{n}"})

    default = client.get(URL, headers=as_user(ALICE)).json()["data"]
    capped = client.get(f"{URL}?limit=1000000000000000000000", headers=as_user(ALICE)).json()["data"]
    three = client.get(f"{URL}?limit=3&limit=7", headers=as_user(ALICE)).json()["data"]
    empty = client.get(f"{URL}?limit=", headers=as_user(ALICE)).json()["data"]

    assert len(default) == 50
    assert default[0]["sentence"] == "s119"
    assert len(capped) == 100
    assert len(empty) == 50
    assert [s["sentence"] for s in three] == ["s119", "s118", "s117"]


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        ("0", 50),
        ("-5", 50),
        ("abc", 50),
        (" ", 50),
        ("0x10", 50),
        ("3.5", 3),
        ("10abc", 10),
        (" 7", 7),
        ("1e3", 1),
        ("9" * 2000, 50),
        ("+4", 4),
        ("101", 100),
    ],
)
def test_get_limit_is_parsed_and_clamped_as_head(client, dynamodb, as_user, limit, expected):
    """HEAD §8.8: parseInt(limit, 10); finite and > 0 -> min(n, 100), anything else -> 50 (never a 400)."""
    with dynamodb_batch(dynamodb) as put:
        for n in range(120):
            put({"user_id": "alice@example.com", "sentence_id": f"{1700000000000 + n}-x", "sentence": f"s{n}"})

    response = client.get(URL, {"limit": limit}, headers=as_user(ALICE))

    assert response.status_code == 200
    assert len(response.json()["data"]) == expected


def test_delete_removes_only_that_sentence_and_is_idempotent(client, dynamodb, as_user):
    first = _save(client, as_user(ALICE), sentence="一").json()["data"]["sentence_id"]
    second = _save(client, as_user(ALICE), sentence="二").json()["data"]["sentence_id"]

    responses = [client.delete(f"{URL}/{first}", headers=as_user(ALICE)) for _ in range(2)]

    expected = {"success": True, "message": "Sentence deleted successfully"}
    assert [(r.status_code, r.json()) for r in responses] == [(200, expected), (200, expected)]
    assert [s["sentence_id"] for s in client.get(URL, headers=as_user(ALICE)).json()["data"]] == [second]


def test_delete_with_an_id_longer_than_a_key_can_be_is_400(client, dynamodb, as_user):
    response = client.delete(f"{URL}/{'x' * 1025}", headers=as_user(ALICE))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_sentence_id"


def test_trailing_slash_is_404(client, dynamodb, as_user):
    assert client.delete(f"{URL}/", headers=as_user(ALICE)).status_code == 404


def test_user_b_cannot_list_or_delete_user_a_sentences(client, dynamodb, as_user):
    sentence_id = _save(client, as_user(ALICE), sentence="秘密").json()["data"]["sentence_id"]

    listed = client.get(URL, headers=as_user(BOB)).json()["data"]
    deleted = client.delete(f"{URL}/{sentence_id}", headers=as_user(BOB))

    assert listed == []
    assert deleted.status_code == 200  # idempotent delete of BOB's (non-existent) sentence
    assert [s["sentence_id"] for s in client.get(URL, headers=as_user(ALICE)).json()["data"]] == [sentence_id]


def test_identity_is_the_token_email_not_anything_in_the_body(client, dynamodb, as_user):
    data = _save(client, as_user(ALICE), sentence="文", user_id="bob@example.com").json()["data"]

    assert data["user_id"] == "alice@example.com"
    assert client.get(URL, headers=as_user(BOB)).json()["data"] == []


def _bad_tokens(cognito):
    claims = jwt.decode(cognito.token("alice-sub"), options={"verify_signature": False})
    return {
        "missing": None,
        "not-bearer": "Basic abc",
        "garbage": "Bearer not-a-jwt",
        "expired": f"Bearer {cognito.token('alice-sub', expires_in=-120)}",
        "forged": f"Bearer {cognito.token('alice-sub', key=new_key())}",
        "wrong-audience": f"Bearer {cognito.token('alice-sub', client_id='another-app')}",
        "alg-none": f"Bearer {jwt.encode(claims, None, algorithm='none', headers={'kid': 'vela-test-key-1'})}",
    }


@pytest.mark.parametrize(
    "case", ["missing", "not-bearer", "garbage", "expired", "forged", "wrong-audience", "alg-none"]
)
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("post", URL, {"sentence": "文"}), ("get", URL, None), ("delete", f"{URL}/123-abc", None)],
    ids=["post", "get", "delete"],
)
def test_routes_reject_bad_tokens_with_401(client, dynamodb, cognito, case, method, path, body):
    header = _bad_tokens(cognito)[case]
    headers = {"Authorization": header} if header else {}

    response = getattr(client, method)(path, body, format="json", headers=headers)

    assert response.status_code == 401
    assert response.json()["error"].startswith("Unauthorized")
    assert _items(dynamodb) == []


def test_auth_is_checked_before_the_body(client, dynamodb):
    response = client.post(URL, b"{not json", content_type="application/json")

    assert response.status_code == 401


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_missing_table_is_a_clear_500(client, dynamodb, as_user, settings, method):
    settings.DYNAMODB_TABLES = {**settings.DYNAMODB_TABLES, "saved_sentences": "vela-no-such-table"}
    path = f"{URL}/123-abc" if method == "delete" else URL

    response = getattr(client, method)(path, {"sentence": "文"}, format="json", headers=as_user(ALICE))

    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "table_not_found"
    assert "vela-no-such-table" in body["error"]
    assert "Traceback" not in body["error"]


class dynamodb_batch:
    """Seed items with the low-level client (strings only)."""

    def __init__(self, ddb, table="vela-saved-sentences"):
        self.ddb, self.table, self.items = ddb, table, []

    def __enter__(self):
        return self.items.append

    def __exit__(self, *exc):
        for item in self.items:
            self.ddb.put_item(TableName=self.table, Item={k: {"S": v} for k, v in item.items()})


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'{"sentence": "\\ud800 lone surrogate"}', "invalid_text"),
        (b'{"sentence": "ok", "context": {"k": "\\udc00"}}', "invalid_text"),
        (b"[" * 100_000, "malformed_json"),
        (b'{"sentence": "a", "context": ' + b"[" * 5000 + b"]" * 5000 + b"}", "malformed_json"),
    ],
    ids=["surrogate-sentence", "surrogate-context", "deep-array", "deep-context"],
)
def test_post_hostile_json_is_400_not_500(client, dynamodb, as_user, body, code):
    response = client.post(URL, body, content_type="application/json", headers=as_user(ALICE))

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert _items(dynamodb) == []
