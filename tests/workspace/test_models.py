"""The relational app on `dsql` through the DSQL stand-in (token-validated, DSQL rules enforced), in the
schema-isolated test database of dsql_backend.creation."""

from __future__ import annotations

import uuid

import pytest
from django.db import connections, transaction
from django.db.models import Count, Q

from workspace.models import Conversation, Document, Message, User

pytestmark = pytest.mark.django_db(databases=["dsql"])


def make_user(email: str = "kana@example.com") -> User:
    return User.objects.create(email=email)


def test_runs_through_the_standin_in_a_test_schema(dsql_standin):
    db = connections["dsql"]
    with db.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]

    assert schema.startswith("test_postgres")
    assert db.settings_dict["PORT"] == dsql_standin.port
    assert db.connection.info.password.startswith(f"{db.settings_dict['HOST']}/?Action=DbConnectAdmin&")


def test_models_route_to_dsql_and_get_uuid_keys():
    user = make_user()

    assert User.objects.db == "dsql"
    assert isinstance(user.pk, uuid.UUID)
    assert User.objects.get(pk=str(user.pk)) == user


def test_create_read_update_delete():
    user = make_user()
    doc = Document.objects.create(user=user, title="N5 kanji", content="日本語", metadata={"tags": ["n5"]})

    doc.title = "N4 kanji"
    doc.save()
    fetched = Document.objects.get(pk=doc.pk)
    assert (fetched.title, fetched.content, fetched.metadata) == ("N4 kanji", "日本語", {"tags": ["n5"]})
    assert fetched.created_at is not None

    Document.objects.filter(pk=doc.pk).delete()
    assert not Document.objects.filter(pk=doc.pk).exists()


def test_json_lookups_compile_as_postgresql():
    user = make_user()
    Document.objects.create(user=user, title="a", metadata={"level": 5, "tags": ["verbs"]})
    Document.objects.create(user=user, title="b", metadata={"level": 4, "tags": ["nouns"]})
    Document.objects.create(user=user, title="c", metadata=None)

    assert list(Document.objects.filter(metadata__level=5).values_list("title", flat=True)) == ["a"]
    assert list(Document.objects.filter(metadata__tags__contains=["nouns"]).values_list("title", flat=True)) == ["b"]
    assert list(
        Document.objects.filter(metadata__has_key="level").order_by("title").values_list("title", flat=True)
    ) == [
        "a",
        "b",
    ]


def test_foreign_keys_joins_and_aggregates():
    alice, bob = make_user("alice@example.com"), make_user("bob@example.com")
    for user, count in ((alice, 3), (bob, 1)):
        conversation = Conversation.objects.create(user=user, title=f"{user.email} chat")
        for i in range(count):
            Message.objects.create(conversation=conversation, role=Message.Role.USER, content=f"m{i}")

    per_user = dict(User.objects.annotate(n=Count("conversations__messages")).values_list("email", "n"))
    assert per_user == {"alice@example.com": 3, "bob@example.com": 1}
    assert Message.objects.filter(conversation__user__email="bob@example.com").count() == 1
    assert Message.objects.filter(Q(content="m2") | Q(content="m0"), conversation__user=alice).count() == 2


@pytest.mark.django_db(databases=["dsql"], transaction=True)
def test_database_enforces_the_foreign_key():
    # FKs are DEFERRABLE INITIALLY DEFERRED (as on PostgreSQL): the check fires at COMMIT.
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic(using="dsql"):
        Message.objects.create(conversation_id=uuid.uuid4(), role="user", content="orphan")


def test_unique_email_is_enforced():
    from django.db import IntegrityError

    make_user("same@example.com")
    with pytest.raises(IntegrityError), transaction.atomic(using="dsql"):
        make_user("same@example.com")


def test_nested_atomic_sends_no_savepoint():
    # The stand-in rejects SAVEPOINT: this passing means the backend never sent one.
    user = make_user()
    with transaction.atomic(using="dsql"), transaction.atomic(using="dsql"):
        Conversation.objects.create(user=user, title="inner")

    assert Conversation.objects.filter(title="inner").exists()


def test_iterator_uses_client_side_cursors():
    # DSQL has no DECLARE CURSOR; the backend forces DISABLE_SERVER_SIDE_CURSORS.
    user = make_user()
    Document.objects.bulk_create([Document(user=user, title=f"d{i}") for i in range(30)])

    titles = [doc.title for doc in Document.objects.order_by("title").iterator(chunk_size=7)]

    assert len(titles) == 30
    assert connections["dsql"].settings_dict["DISABLE_SERVER_SIDE_CURSORS"] is True


def test_select_for_update_plain_works():
    user = make_user()
    with transaction.atomic(using="dsql"):
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.email = "locked@example.com"
        locked.save()

    assert User.objects.get(pk=user.pk).email == "locked@example.com"


@pytest.mark.django_db(databases=["dsql"], transaction=True)
def test_transactional_tests_flush_with_batched_delete():
    # A TransactionTestCase flushes with DELETE (no TRUNCATE on DSQL) after each test; rows of earlier
    # transactional tests are gone, and this one leaves more than the 3,000-rows-per-transaction limit behind.
    assert Conversation.objects.count() == 0
    user = make_user()
    for start in range(0, 3200, 1600):
        with transaction.atomic(using="dsql"):
            Document.objects.bulk_create([Document(user=user, title=f"d{i}") for i in range(start, start + 1600)])
    assert Document.objects.count() == 3200


@pytest.mark.django_db(databases=["dsql"], transaction=True)
def test_previous_flush_removed_more_than_the_row_limit():
    assert Document.objects.count() == 0
    assert User.objects.count() == 0
