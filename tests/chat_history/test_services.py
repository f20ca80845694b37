"""Chat-history services (chat_history.services) called directly against in-process moto: ownership of a
thread (its owner marker, or for older threads the user of its earliest message), what is stored and
deleted, and how threads are summarised."""

from __future__ import annotations

import pytest

from chat_history.records import ChatMessage
from chat_history.repositories import PUT_ATTEMPTS, ChatHistoryRepository
from chat_history.services import (
    chat_message_save,
    chat_messages_list,
    chat_thread_delete,
    chat_threads_list,
    utf16_prefix,
)
from tests.chat_history.conftest import markers, seed, stored
from tests.spy import Spy
from vela.aws import dynamodb_client
from vela.dynamodb import DynamoTable
from vela.errors import ConflictError, ForbiddenError, ServiceMisconfiguredError, UpstreamError

NOT_OWNER = "Forbidden: You do not own this thread"


def message(thread_id="t", timestamp=1, user_id="alice", text="hello", is_user=True):
    return ChatMessage(thread_id=thread_id, timestamp=timestamp, user_id=user_id, message=text, is_user=is_user)


def items_by_key(ddb):
    return {(i["ThreadId"]["S"], int(i["Timestamp"]["N"])): i for i in stored(ddb)}


def test_save_stores_the_five_fields_and_an_empty_context(dynamodb):
    chat_message_save(message=message(text="こんにちは", is_user=False))

    [item] = stored(dynamodb)
    assert item == {
        "ThreadId": {"S": "t"},
        "Timestamp": {"N": "1"},
        "UserId": {"S": "alice"},
        "message": {"S": "こんにちは"},
        "is_user": {"BOOL": False},
        "context": {"M": {}},
    }


def test_the_owner_adds_to_and_overwrites_in_her_own_thread(dynamodb):
    chat_message_save(message=message(timestamp=1, text="first"))
    chat_message_save(message=message(timestamp=2, text="second"))

    chat_message_save(message=message(timestamp=1, text="edited"))

    assert {key: i["message"]["S"] for key, i in items_by_key(dynamodb).items()} == {
        ("t", 1): "edited",
        ("t", 2): "second",
    }


def test_saving_into_another_users_thread_is_403_and_stores_nothing(dynamodb):
    seed(dynamodb, {"ThreadId": "t", "Timestamp": 1, "UserId": "alice", "message": "mine"})

    with pytest.raises(ForbiddenError) as excinfo:
        chat_message_save(message=message(timestamp=2, user_id="bob", text="injected"))

    assert (excinfo.value.status_code, excinfo.value.code, excinfo.value.message) == (
        403,
        "not_thread_owner",
        NOT_OWNER,
    )
    assert list(items_by_key(dynamodb)) == [("t", 1)]


class OtherUserWritesAfterTheOwnerCheck:
    """A fake repository passed as `repo=`: the real ChatHistoryRepository, except that right after the
    ownership read another user's message lands on the same key (a race a single request cannot produce)."""

    def __init__(self, ddb):
        self._real, self._ddb = ChatHistoryRepository(), ddb

    def thread_owner(self, thread_id):
        owner = self._real.thread_owner(thread_id)
        seed(self._ddb, {"ThreadId": thread_id, "Timestamp": 1, "UserId": "alice", "message": "alice's"})
        return owner

    def put(self, item):
        self._real.put(item)


def test_losing_the_race_for_a_key_to_another_user_is_403_and_keeps_their_message(dynamodb):
    with pytest.raises(ForbiddenError) as excinfo:
        chat_message_save(
            message=message(timestamp=1, user_id="bob", text="bob's"), repo=OtherUserWritesAfterTheOwnerCheck(dynamodb)
        )

    assert excinfo.value.code == "not_thread_owner"
    [item] = stored(dynamodb)
    assert (item["UserId"]["S"], item["message"]["S"]) == ("alice", "alice's")


def test_save_to_a_missing_table_names_the_route_and_the_table(dynamodb, settings):
    settings.DYNAMODB_TABLES = {**settings.DYNAMODB_TABLES, "chat_history": "vela-missing"}

    with pytest.raises(ServiceMisconfiguredError) as excinfo:
        chat_message_save(message=message())

    assert (excinfo.value.status_code, excinfo.value.code) == (500, "table_not_found")
    assert excinfo.value.message.startswith("Failed to save message: DynamoDB table 'vela-missing' does not exist")


def test_messages_list_returns_the_owners_thread_in_time_order(dynamodb):
    seed(
        dynamodb,
        {"ThreadId": "t", "Timestamp": 30, "UserId": "alice", "message": "c", "is_user": False},
        {"ThreadId": "t", "Timestamp": 10, "UserId": "alice", "message": "a"},
        {"ThreadId": "t", "Timestamp": 20, "UserId": "alice", "message": "b"},
        {"ThreadId": "other", "Timestamp": 5, "UserId": "alice", "message": "elsewhere"},
    )

    messages = chat_messages_list(thread_id="t", user_id="alice")

    assert messages == [
        ChatMessage("t", 10, "alice", "a", True),
        ChatMessage("t", 20, "alice", "b", True),
        ChatMessage("t", 30, "alice", "c", False),
    ]


def test_messages_list_of_another_users_thread_is_403_unless_read_without_a_user(dynamodb):
    seed(dynamodb, {"ThreadId": "t", "Timestamp": 1, "UserId": "alice", "message": "secret"})

    with pytest.raises(ForbiddenError) as excinfo:
        chat_messages_list(thread_id="t", user_id="bob")
    tokenless = chat_messages_list(thread_id="t", user_id=None)  # the December build's migration window

    assert (excinfo.value.code, excinfo.value.message) == ("not_thread_owner", NOT_OWNER)
    assert [m.message for m in tokenless] == ["secret"]


def test_messages_list_of_an_empty_thread_is_empty_for_anyone(dynamodb):
    assert chat_messages_list(thread_id="nobody-here", user_id="bob") == []


def test_thread_delete_removes_only_that_thread_and_counts(dynamodb):
    seed(
        dynamodb,
        *({"ThreadId": "t", "Timestamp": n, "UserId": "alice"} for n in range(1, 31)),
        {"ThreadId": "keep", "Timestamp": 1, "UserId": "alice"},
    )

    deleted = chat_thread_delete(thread_id="t", user_id="alice")

    assert deleted == 30
    assert list(items_by_key(dynamodb)) == [("keep", 1)]


def test_thread_delete_by_another_user_is_403_and_deletes_nothing(dynamodb):
    seed(dynamodb, *({"ThreadId": "t", "Timestamp": n, "UserId": "alice"} for n in (1, 2)))

    with pytest.raises(ForbiddenError) as excinfo:
        chat_thread_delete(thread_id="t", user_id="bob")

    assert excinfo.value.code == "not_thread_owner"
    assert len(stored(dynamodb)) == 2


def test_deleting_an_empty_thread_is_0_without_a_write(dynamodb):
    client = Spy(dynamodb_client(validate=False))
    repo = ChatHistoryRepository(DynamoTable("chat_history", client=client))

    deleted = chat_thread_delete(thread_id="empty", user_id="bob", repo=repo)

    assert deleted == 0
    assert (client.calls["query"], client.calls["batch_write_item"]) == (1, 0)


def test_threads_list_groups_titles_and_orders_by_last_activity(dynamodb):
    seed(
        dynamodb,
        {"ThreadId": "old", "Timestamp": 1, "UserId": "u", "message": "assistant first", "is_user": False},
        {"ThreadId": "old", "Timestamp": 2, "UserId": "u", "message": "user question"},
        {"ThreadId": "new", "Timestamp": 5, "UserId": "u", "message": "only a reply", "is_user": False},
        {"ThreadId": "new", "Timestamp": 9, "UserId": "u", "message": "later reply", "is_user": False},
        {"ThreadId": "blank", "Timestamp": 3, "UserId": "u", "message": ""},
        {"ThreadId": "theirs", "Timestamp": 99, "UserId": "someone-else", "message": "not yours"},
    )

    threads = chat_threads_list(user_id="u")

    assert [(t.thread_id, t.last_timestamp, t.title, t.message_count) for t in threads] == [
        ("new", 9, "only a reply", 2),  # no user message: the earliest message gives the title
        ("blank", 3, "Conversation", 1),
        ("old", 2, "user question", 2),  # the earliest *user* message gives the title
    ]


def test_thread_titles_are_cut_at_60_utf16_units_like_javascript(dynamodb):
    seed(dynamodb, {"ThreadId": "t", "Timestamp": 1, "UserId": "u", "message": "あ" * 59 + "😀" + "tail"})

    [summary] = chat_threads_list(user_id="u")

    assert summary.title == "あ" * 59  # the emoji's surrogate pair would be split at unit 60: dropped
    assert utf16_prefix("ab😀c", 3) == "ab"
    assert utf16_prefix("ab😀c", 4) == "ab😀"


def test_threads_list_on_a_missing_table_says_which_read_failed(dynamodb, settings):
    settings.DYNAMODB_TABLES = {**settings.DYNAMODB_TABLES, "chat_history": "vela-missing"}

    with pytest.raises(ServiceMisconfiguredError) as excinfo:
        chat_threads_list(user_id="u")

    assert excinfo.value.code == "table_not_found"
    assert excinfo.value.message.startswith("Failed to fetch threads: DynamoDB table 'vela-missing'")


class SawAnEmptyThread(ChatHistoryRepository):
    """The moment of the race: both users looked before either wrote, so both saw no owner (a fake
    of that one read, passed as `repo=`; everything else is the real repository on moto)."""

    def thread_owner(self, thread_id):
        return None


def test_two_users_starting_one_thread_at_once_get_one_owner(dynamodb):
    chat_message_save(message=message(timestamp=2, user_id="alice"), repo=SawAnEmptyThread())

    with pytest.raises(ForbiddenError) as excinfo:
        chat_message_save(message=message(timestamp=1, user_id="bob", text="mine"), repo=SawAnEmptyThread())

    assert (excinfo.value.status_code, excinfo.value.code) == (403, "not_thread_owner")
    assert [i["UserId"]["S"] for i in stored(dynamodb)] == ["alice"]
    assert markers(dynamodb) == {"t": "alice"}
    assert [m.user_id for m in chat_messages_list(thread_id="t", user_id="alice")] == ["alice"]


def test_the_owner_marker_is_written_once_per_thread_and_never_listed(dynamodb):
    for ts in (1, 2, 3):
        chat_message_save(message=message(timestamp=ts))

    assert markers(dynamodb) == {"t": "alice"}
    assert [m.timestamp for m in chat_messages_list(thread_id="t", user_id="alice")] == [1, 2, 3]
    [summary] = chat_threads_list(user_id="alice")
    assert summary.message_count == 3
    assert chat_thread_delete(thread_id="t", user_id="alice") == 3
    assert markers(dynamodb) == {}


class Conflicting:
    """DynamoDB cancelling every transaction on the thread with `reason` for the marker's put (moto never
    does; by default because another transaction holds the thread): forwards everything else to moto."""

    def __init__(self, client, reason="TransactionConflict"):
        self.client, self.reason, self.transactions = client, reason, 0

    def __getattr__(self, name):
        return getattr(self.client, name)

    def transact_write_items(self, **kwargs):
        from botocore.exceptions import ClientError

        self.transactions += 1
        reasons = [{"Code": self.reason}, {"Code": "None"}]
        error = {"Error": {"Code": "TransactionCanceledException", "Message": "x"}, "CancellationReasons": reasons}
        raise ClientError(error, "TransactWriteItems")


def test_a_thread_that_stays_busy_is_a_409_after_a_few_tries_with_nothing_stored(dynamodb):
    busy, sleeps = Conflicting(dynamodb_client(validate=False)), []
    repo = ChatHistoryRepository(DynamoTable("chat_history", client=busy), sleep=sleeps.append)

    with pytest.raises(ConflictError) as excinfo:
        chat_message_save(message=message(), repo=repo)

    assert (excinfo.value.status_code, excinfo.value.code) == (409, "thread_busy")
    assert busy.transactions == PUT_ATTEMPTS
    assert len(sleeps) == PUT_ATTEMPTS - 1
    assert stored(dynamodb) == []


def test_a_cancellation_no_retry_can_mend_is_a_502_at_once(dynamodb):
    broken, sleeps = Conflicting(dynamodb_client(validate=False), reason="ValidationError"), []
    repo = ChatHistoryRepository(DynamoTable("chat_history", client=broken), sleep=sleeps.append)

    with pytest.raises(UpstreamError) as excinfo:
        chat_message_save(message=message(), repo=repo)

    assert (excinfo.value.status_code, excinfo.value.code) == (502, "dynamodb_error")
    assert (broken.transactions, sleeps) == (1, [])
    assert stored(dynamodb) == []
