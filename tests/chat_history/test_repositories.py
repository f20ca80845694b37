"""ChatHistoryRepository against moto: Query (never Scan), paging to the end, batch deletes with retries."""

from __future__ import annotations

import pytest

from chat_history.records import ChatMessage
from chat_history.repositories import ChatHistoryRepository
from tests.chat_history.conftest import TABLE, seed, stored
from tests.spy import Spy
from vela.aws import dynamodb_client
from vela.dynamodb import BATCH_ATTEMPTS, DynamoTable
from vela.errors import ConflictError, ServiceMisconfiguredError, UpstreamError


def _repo(**kwargs):
    client = Spy(dynamodb_client(validate=False))
    return ChatHistoryRepository(DynamoTable("chat_history", client=client), **kwargs), client, client


def _thread(thread_id, count, user="u", start=1, size=0):
    return [
        {"ThreadId": thread_id, "Timestamp": start + n, "UserId": user, "message": f"m{n}" + "x" * size}
        for n in range(count)
    ]


def test_thread_messages_pages_through_every_page_in_time_order(dynamodb):
    seed(dynamodb, *reversed(_thread("t", 60)), *_thread("other", 3))
    repo, table, _ = _repo(page_size=7)

    page = repo.thread_messages("t")

    assert [m.timestamp for m in page.items] == list(range(1, 61))
    assert not page.truncated
    assert table.calls["query"] == 9  # 60 items in pages of 7 (the last one empty-ended)
    assert table.calls["scan"] == 0


def test_thread_messages_follows_dynamodbs_own_1mb_pages(dynamodb):
    seed(dynamodb, *_thread("big", 30, size=60_000))  # ~1.8 MB: more than one DynamoDB page
    repo, table, _ = _repo()

    page = repo.thread_messages("big")

    assert len(page.items) == 30
    assert table.calls["query"] >= 2


def test_user_messages_read_every_page_of_the_gsi(dynamodb):
    seed(dynamodb, *_thread("a", 20), *_thread("b", 20, start=100), *_thread("c", 5, user="someone-else"))
    repo, table, _ = _repo(page_size=6)

    page = repo.user_messages("u")

    assert len(page.items) == 40
    assert [m.timestamp for m in page.items] == sorted((m.timestamp for m in page.items), reverse=True)
    assert {kw.get("IndexName") for name, kw in table.kwargs if name == "query"} == {"UserIdIndex"}


def test_reads_stop_at_the_bound_and_say_so(dynamodb):
    seed(dynamodb, *_thread("t", 30))
    repo, _, _ = _repo(page_size=7, max_read_items=10)

    page = repo.thread_messages("t")

    assert [m.timestamp for m in page.items] == list(range(1, 11))
    assert page.truncated


def test_records_absorb_decimals(dynamodb):
    seed(dynamodb, {"ThreadId": "t", "Timestamp": 1693440000000, "UserId": "u", "message": "こんにちは"})
    repo, _, _ = _repo()

    [message] = repo.thread_messages("t").items

    assert message == ChatMessage("t", 1693440000000, "u", "こんにちは", True)
    assert type(message.timestamp) is int


def test_thread_owner_is_the_user_of_the_earliest_message(dynamodb):
    seed(
        dynamodb,
        {"ThreadId": "t", "Timestamp": 5, "UserId": "late"},
        {"ThreadId": "t", "Timestamp": 1, "UserId": "first"},
    )
    repo, _, _ = _repo()

    assert (repo.thread_owner("t"), repo.thread_owner("none")) == ("first", None)


def test_put_never_overwrites_another_users_message(dynamodb):
    seed(dynamodb, {"ThreadId": "t", "Timestamp": 1, "UserId": "alice", "message": "mine"})
    repo, _, _ = _repo()

    with pytest.raises(ConflictError):
        repo.put(ChatMessage("t", 1, "bob", "overwrite", True))

    assert stored(dynamodb)[0]["message"] == {"S": "mine"}


def test_delete_thread_removes_every_message_in_chunks_of_25(dynamodb):
    seed(dynamodb, *_thread("t", 130), *_thread("keep", 2))
    repo, _, client = _repo()

    deleted = repo.delete_thread("t")

    assert deleted == 130
    assert {i["ThreadId"]["S"] for i in stored(dynamodb)} == {"keep"}
    sizes = [len(kw["RequestItems"][TABLE]) for name, kw in client.kwargs if name == "batch_write_item"]
    assert sizes == [25, 25, 25, 25, 25, 5]


def test_delete_thread_pages_through_small_pages(dynamodb):
    seed(dynamodb, *_thread("t", 40))
    repo, table, _ = _repo(page_size=9)

    assert repo.delete_thread("t") == 40
    assert stored(dynamodb) == []
    assert table.calls["query"] >= 5


class Unprocessing:
    """moto never answers with UnprocessedItems, so this client holds back the first `hold` requests of
    the first `times` calls (as DynamoDB does under throttling) and forwards the rest to moto."""

    def __init__(self, client, *, hold, times):
        self.client, self.hold, self.times, self.calls = client, hold, times, 0

    def __getattr__(self, name):
        return getattr(self.client, name)

    def batch_write_item(self, RequestItems):
        self.calls += 1
        [(table, requests)] = RequestItems.items()
        if self.calls > self.times:
            return self.client.batch_write_item(RequestItems=RequestItems)
        held, sent = requests[: self.hold], requests[self.hold :]
        if sent:
            self.client.batch_write_item(RequestItems={table: sent})
        return {"UnprocessedItems": {table: held}}


def test_unprocessed_items_are_resent_with_backoff(dynamodb):
    seed(dynamodb, *_thread("t", 25))
    flaky = Unprocessing(dynamodb_client(validate=False), hold=10, times=2)
    sleeps = []
    repo = ChatHistoryRepository(DynamoTable("chat_history", client=flaky), sleep=sleeps.append)

    assert repo.delete_thread("t") == 25

    assert stored(dynamodb) == []
    assert flaky.calls == 3
    assert len(sleeps) == 2  # one back-off before each re-send (vela.dynamodb.backoff_delay)
    assert 0 <= sleeps[0] <= 0.05
    assert 0 <= sleeps[1] <= 0.1


def test_items_still_unprocessed_after_every_attempt_are_an_upstream_error(dynamodb):
    seed(dynamodb, *_thread("t", 3))
    stuck = Unprocessing(dynamodb_client(validate=False), hold=2, times=100)
    sleeps = []
    repo = ChatHistoryRepository(DynamoTable("chat_history", client=stuck), sleep=sleeps.append)

    with pytest.raises(UpstreamError) as excinfo:
        repo.delete_thread("t")

    assert stuck.calls == BATCH_ATTEMPTS
    assert len(sleeps) == BATCH_ATTEMPTS - 1
    assert (excinfo.value.status_code, excinfo.value.code) == (502, "dynamodb_throttled")
    assert excinfo.value.message == f"DynamoDB left 2 items unprocessed after {BATCH_ATTEMPTS} attempts."


def test_missing_table_is_a_misconfiguration_naming_it(dynamodb, settings):
    settings.DYNAMODB_TABLES = {**settings.DYNAMODB_TABLES, "chat_history": "vela-gone"}
    repo = ChatHistoryRepository()

    with pytest.raises(ServiceMisconfiguredError) as excinfo:
        repo.user_messages("u")

    assert excinfo.value.message.startswith("DynamoDB table 'vela-gone' does not exist")
    assert excinfo.value.status_code == 500
