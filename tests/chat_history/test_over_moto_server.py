"""Every chat-history route end to end against a moto server over real HTTP (not mock_aws)."""

from __future__ import annotations

from tests.chat_history.conftest import make_message

SAVE = "/api/chat-history/save"


def test_save_threads_messages_delete_over_http(client, dynamodb_http, auth_header):
    headers = auth_header("alice")
    for n, (text, is_user) in enumerate([("日本語を勉強しています", True), ("いいですね。", False)] * 15):
        body = make_message(ThreadId="jp", UserId="alice", Timestamp=1000 + n, message=text, is_user=is_user)
        assert client.post(SAVE, body, format="json", headers=headers).json() == {"ok": True}
    client.post(SAVE, make_message(ThreadId="en", UserId="alice", Timestamp=5000), format="json", headers=headers)

    threads = client.get("/api/chat-history/threads", headers=headers).json()
    items = client.get("/api/chat-history/messages", {"thread_id": "jp"}, headers=headers).json()["items"]
    deleted = client.delete("/api/chat-history/thread?thread_id=jp", headers=headers)
    after = client.get("/api/chat-history/messages", {"thread_id": "jp"}, headers=headers).json()

    assert threads == {
        "threads": [
            {"ThreadId": "en", "lastTimestamp": 5000, "title": "Hello world", "messageCount": 1},
            {"ThreadId": "jp", "lastTimestamp": 1029, "title": "日本語を勉強しています", "messageCount": 30},
        ]
    }
    assert [i["Timestamp"] for i in items] == list(range(1000, 1030))
    assert items[1] == {
        "ThreadId": "jp",
        "Timestamp": 1001,
        "UserId": "alice",
        "message": "いいですね。",
        "is_user": False,
    }
    assert (deleted.status_code, deleted.json()) == (200, {"ok": True})
    assert after == {"items": []}


def test_reads_span_dynamodb_1mb_pages_over_http(client, dynamodb_http, auth_header):
    headers = auth_header("alice")
    big = "長" * 20_000  # 60 KB of UTF-8 per message: 25 messages are ~1.5 MB, more than one page
    for n in range(25):
        body = make_message(ThreadId="big", UserId="alice", Timestamp=n + 1, message=f"{n}{big}")
        client.post(SAVE, body, format="json", headers=headers)

    threads = client.get("/api/chat-history/threads", headers=headers).json()["threads"]
    items = client.get("/api/chat-history/messages", {"thread_id": "big"}, headers=headers).json()["items"]

    assert threads[0]["messageCount"] == 25
    assert [i["Timestamp"] for i in items] == list(range(1, 26))
