"""`POST /api/progress/game-session` as one TransactWriteItems call (against in-process moto).

The three writes (session, day, profile) go out together or not at all; when DynamoDB cancels the
transaction (stale view of the day, another writer, no profile) nothing was written and the
step-by-step path decides, so totals stay exact either way.
"""

import pytest

from progress.records import DailyProgress
from progress.services import daily_progress_add_game, seen_days
from tests.dynamo_helpers import get, put, scan
from tests.progress.support import record, today
from tests.spy import CountingClient
from vela.dynamodb import DynamoTable
from vela.errors import ServiceMisconfiguredError


@pytest.fixture
def counted(dynamodb, monkeypatch):
    client = CountingClient(dynamodb)
    monkeypatch.setattr("vela.dynamodb.dynamodb_client", lambda validate=True: client)
    return client


def test_each_game_is_one_transaction_when_the_process_knows_the_day(counted, dynamodb):
    put(dynamodb, "profiles", {"user_id": "u", "total_experience": 100})

    record(xp=10, correct=5)
    record(xp=20, correct=10)

    assert counted.calls == ["transact_write_items", "transact_write_items"]
    day = get(dynamodb, "daily_progress", user_id="u", date=today())
    assert (day["games_played"], day["experience_gained"], day["accuracy_percentage"]) == (2, 30, 75)
    assert get(dynamodb, "profiles", user_id="u")["total_experience"] == 130
    assert len(scan(dynamodb, "game_sessions")) == 2


def test_stale_view_of_the_day_cancels_and_falls_back_without_losing_writes(counted, dynamodb):
    put(dynamodb, "profiles", {"user_id": "u", "total_experience": 0})
    record(xp=10, correct=10)
    # Another process added a game this process never saw.
    seen_days.clear()
    daily_progress_add_game(user_id="u", date=today(), delta=_delta(), session_id="other-process")
    seen_days.remember(DailyProgress(user_id="u", date=today(), games_played=1, accuracy_sum=100.0))
    counted.calls.clear()

    record(xp=5, correct=0)

    assert counted.calls[0] == "transact_write_items"  # cancelled: games_played was 2, not 1
    assert counted.calls[1] == "transact_write_items"  # the session with its experience
    assert "transact_write_items" not in counted.calls[2:]  # the day: one ADD, outside any transaction
    day = get(dynamodb, "daily_progress", user_id="u", date=today())
    assert (day["games_played"], day["experience_gained"]) == (3, 10 + 7 + 5)
    assert get(dynamodb, "profiles", user_id="u")["total_experience"] == 15
    assert len(scan(dynamodb, "game_sessions")) == 2


def test_missing_profile_cancels_then_session_and_day_are_kept_and_no_profile_is_created(counted, dynamodb):
    record(xp=10)

    assert counted.calls[0] == "transact_write_items"
    assert len(scan(dynamodb, "game_sessions")) == 1
    assert get(dynamodb, "daily_progress", user_id="u", date=today())["games_played"] == 1
    assert scan(dynamodb, "profiles") == []


def test_a_missing_table_writes_nothing_at_all(counted, dynamodb, settings):
    put(dynamodb, "profiles", {"user_id": "u", "total_experience": 1})
    dynamodb.delete_table(TableName=settings.DYNAMODB_TABLES["daily_progress"])

    with pytest.raises(ServiceMisconfiguredError, match="DynamoDB table 'vela-daily-progress' does not exist"):
        record()

    assert scan(dynamodb, "game_sessions") == []
    assert get(dynamodb, "profiles", user_id="u")["total_experience"] == 1


def _delta():
    from progress.records import GameProgressDelta

    return GameProgressDelta(
        vocabulary_studied=1, sentences_completed=0, time_spent_minutes=1, experience_gained=7, accuracy=50.0
    )


def test_entries_are_built_by_the_owning_tables():
    entry = DynamoTable("game_sessions").entry("Put", Item={"user_id": {"S": "u"}})

    assert entry == {"Put": {"TableName": "vela-game-sessions", "Item": {"user_id": {"S": "u"}}}}
