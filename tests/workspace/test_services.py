"""workspace.services called directly on the `dsql` alias through the DSQL stand-in (tests/workspace/conftest.py).

Conflicts are real: a Django execute wrapper (the documented hook for instrumenting queries) lets another
client commit a change to the conversation after this transaction's snapshot and before its
`SELECT ... FOR UPDATE`, which then fails with DSQL's OC000 and is retried by the service."""

from __future__ import annotations

import logging
import threading
import uuid
from contextlib import contextmanager

import psycopg
import pytest
from django.db import DatabaseError, connections, transaction

from dsql_backend.transaction import OCCRetriesExhausted
from tests.conftest import PG_HOST, PG_PORT, PG_SUPERUSER
from tests.dsql_support import STANDIN_UPSTREAM_DB
from workspace import services
from workspace.models import Conversation, Message, User

pytestmark = pytest.mark.django_db(databases=["dsql"])


def make_user(email: str = "kana@example.com") -> User:
    return User.objects.create(email=email)


@contextmanager
def conflicting_writes(conversation: Conversation, *, times: int):
    """For the first `times` transactions, another client renames `conversation` after the snapshot."""
    db = connections["dsql"]
    with db.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        table = f'"{cursor.fetchone()[0]}".workspace_conversation'
    done: list[str] = []

    def wrapper(execute, sql, params, many, context):
        if "FOR UPDATE" in sql and len(done) < times:
            execute("SELECT 1", (), False, context)  # this transaction's snapshot
            with psycopg.connect(
                host=PG_HOST, port=PG_PORT, user=PG_SUPERUSER, dbname=STANDIN_UPSTREAM_DB, autocommit=True
            ) as other:
                done.append(f"other {len(done)}")
                other.execute(f"UPDATE {table} SET title = %s WHERE id = %s", [done[-1], conversation.pk])  # noqa: S608
        return execute(sql, params, many, context)

    with db.execute_wrapper(wrapper):
        yield done


def test_service_appends_message_and_counts():
    conversation = Conversation.objects.create(user=make_user(), title="chat")

    message = services.conversation_add_message(conversation_id=conversation.pk, role="user", content="こんにちは")

    conversation.refresh_from_db()
    assert conversation.message_count == 1
    assert Message.objects.get(pk=message.pk).content == "こんにちは"


def test_each_message_keeps_its_role_and_metadata_and_bumps_the_counter():
    conversation = Conversation.objects.create(user=make_user(), title="chat")

    sent = [
        services.conversation_add_message(conversation_id=conversation.pk, role=role, content=c, metadata=meta)
        for role, c, meta in [("system", "be kind", None), ("user", "猫", {"jlpt": 5}), ("assistant", "cat", [1])]
    ]

    conversation.refresh_from_db()
    assert conversation.message_count == 3
    stored = {m.pk: (m.role, m.content, m.metadata) for m in Message.objects.filter(conversation=conversation)}
    assert stored == {
        sent[0].pk: ("system", "be kind", None),
        sent[1].pk: ("user", "猫", {"jlpt": 5}),
        sent[2].pk: ("assistant", "cat", [1]),
    }


@pytest.mark.django_db(databases=["dsql"], transaction=True)
def test_an_unknown_conversation_raises_does_not_exist_and_stores_nothing():
    """Django's DoesNotExist, not a vela.errors NotFoundError (transactional: without savepoints the
    error also breaks an enclosing atomic block, so nothing could be queried after it)."""
    with pytest.raises(Conversation.DoesNotExist):
        services.conversation_add_message(conversation_id=uuid.uuid4(), role="user", content="lost")

    assert Message.objects.count() == 0


@pytest.mark.django_db(databases=["dsql"], transaction=True)
def test_inside_the_callers_transaction_a_conflict_is_not_retried():
    """The caller's atomic block owns the retries (DSQL has no savepoints): the service joins it."""
    conversation = Conversation.objects.create(user=make_user(), title="chat")

    with conflicting_writes(conversation, times=3) as done, pytest.raises(DatabaseError) as raised:
        with transaction.atomic(using="dsql"):
            services.conversation_add_message(conversation_id=conversation.pk, role="user", content="x")

    assert not isinstance(raised.value, OCCRetriesExhausted)
    assert "OC000" in str(raised.value)
    assert done == ["other 0"]  # one attempt only
    conversation.refresh_from_db()
    assert (conversation.message_count, Message.objects.count()) == (0, 0)


@pytest.mark.django_db(databases=["dsql"], transaction=True)
def test_a_conflict_is_retried_and_keeps_the_other_clients_change(caplog):
    conversation = Conversation.objects.create(user=make_user(), title="chat")

    with conflicting_writes(conversation, times=1) as done, caplog.at_level(logging.WARNING, "dsql_backend.occ"):
        message = services.conversation_add_message(conversation_id=conversation.pk, role="user", content="again")

    assert done == ["other 0"]
    conversation.refresh_from_db()
    assert (conversation.message_count, conversation.title) == (1, "other 0")
    assert list(Message.objects.values_list("pk", "content")) == [(message.pk, "again")]
    retries = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retries) == 1
    assert "OC000 on 'dsql' (attempt 1/6)" in retries[0]  # the default: 5 retries


@pytest.mark.django_db(databases=["dsql"], transaction=True)
@pytest.mark.parametrize("retries", [0, 2])
def test_conflicts_beyond_the_retries_give_up_and_store_nothing(retries):
    conversation = Conversation.objects.create(user=make_user(), title="chat")

    with conflicting_writes(conversation, times=retries + 1) as done, pytest.raises(OCCRetriesExhausted) as raised:
        services.conversation_add_message(conversation_id=conversation.pk, role="user", content="x", retries=retries)

    assert len(done) == retries + 1
    assert (raised.value.attempts, raised.value.code) == (retries + 1, "OC000")
    conversation.refresh_from_db()
    assert (conversation.message_count, conversation.title) == (0, f"other {retries}")
    assert Message.objects.count() == 0


@pytest.mark.django_db(databases=["dsql"], transaction=True)
def test_concurrent_service_calls_are_retried_and_both_count(caplog):
    conversation = Conversation.objects.create(user=make_user(), title="busy")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def add(text: str) -> None:
        try:
            barrier.wait(timeout=5)
            services.conversation_add_message(conversation_id=conversation.pk, role="user", content=text)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=(f"t{i}",)) for i in range(2)]
    with caplog.at_level("WARNING", logger="dsql_backend.occ"):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert errors == []
    conversation.refresh_from_db()
    assert conversation.message_count == 2
    assert sorted(Message.objects.values_list("content", flat=True)) == ["t0", "t1"]
