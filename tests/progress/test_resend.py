"""A game is counted once even when DynamoDB applied a write whose answer never came back.

Over the moto server (HTTP), behind `LostResponseProxy`: the first answer to each write is lost
(connection closed, or sent after the client's read timeout), so botocore re-sends the same request,
as it does in production after a timeout. moto ignores `ClientRequestToken` (real DynamoDB honours
it for ten minutes), so these re-sends really are applied twice unless each write is guarded by a
condition: the session item must not exist yet, and the day row must not list the session yet.
Both the one-transaction path and the step-by-step path are re-sent.
"""

from __future__ import annotations

import pytest
from botocore.config import Config

from progress.services import seen_days
from tests.dynamo_helpers import get, put, scan
from tests.faults import LostResponseProxy
from tests.progress.support import record, today
from vela.errors import ApplicationError

WRITES = {"PutItem", "UpdateItem", "TransactWriteItems"}
SESSION = "/api/progress/game-session"


@pytest.fixture
def proxy(dynamodb_http, moto_server, settings):
    """The service's DynamoDB client goes through a `LostResponseProxy`; `dynamodb_http`, the test's
    own client, still talks to moto directly."""
    from vela.aws import reset_clients

    proxy = LostResponseProxy(moto_server, late_seconds=3.0)
    settings.DDB_ENDPOINT = proxy.url
    reset_clients()
    yield proxy
    proxy.close()
    reset_clients()


@pytest.fixture
def lossy(request, proxy, monkeypatch):
    """The first answer to every write is lost: `drop` (the default) closes the connection; `late`
    (parametrize `lossy` indirectly) answers after the client's read timeout, 1.5 s here, so botocore
    raises ReadTimeoutError and re-sends. A slow answer on a busy machine may add a re-send: the
    assertions allow that."""
    from vela import aws

    mode = getattr(request, "param", "drop")
    if mode == "late":
        short = Config(read_timeout=1.5)
        monkeypatch.setattr(aws, "CLIENT_CONFIG", aws.CLIENT_CONFIG.merge(short))
        monkeypatch.setattr(aws, "UNVALIDATED_CLIENT_CONFIG", aws.UNVALIDATED_CLIENT_CONFIG.merge(short))
        aws.reset_clients()
    proxy.mode = mode
    proxy.lose = set(WRITES)
    return proxy


def distinct(calls):
    """Each different request once, in order (a re-send has the same body)."""
    unique = []
    for call in calls:
        if call not in unique:
            unique.append(call)
    return unique


def day_row(ddb):
    return get(ddb, "daily_progress", user_id="u", date=today())


@pytest.mark.parametrize("lossy", ["drop", "late"], indirect=True)
def test_a_resent_transaction_counts_the_game_once(lossy, dynamodb_http):
    put(dynamodb_http, "profiles", {"user_id": "u", "total_experience": 100})

    record(xp=10, correct=5)  # the day's first game: the transaction creates the row
    record(xp=20, correct=10)  # the row this process knows: the transaction adds to it

    assert len(lossy.calls) >= 4  # each answer lost, so each transaction re-sent by botocore
    first, second = distinct(lossy.calls)  # and no other call
    assert first[0] == second[0] == "TransactWriteItems"
    assert first[1]["ClientRequestToken"] != second[1]["ClientRequestToken"]
    row = day_row(dynamodb_http)
    assert (row["games_played"], row["experience_gained"], row["accuracy_percentage"]) == (2, 30, 75)
    assert get(dynamodb_http, "profiles", user_id="u")["total_experience"] == 130
    assert len(scan(dynamodb_http, "game_sessions")) == 2


def _no_profile(ddb):
    """The transaction is cancelled (no profile); the session and the day are still recorded."""


def _stale_day(ddb):
    """This process believes the day has 1 game; it has 2, so the transaction's condition fails."""
    put(ddb, "profiles", {"user_id": "u", "total_experience": 100})
    put(ddb, "daily_progress", _row(games=2, xp=40, accuracy_sum=150.0))
    from progress.records import DailyProgress

    seen_days.remember(DailyProgress.from_dict(_row(games=1, xp=20, accuracy_sum=100.0)))


def _legacy_day(ddb):
    """A row the original API wrote (no `accuracy_sum`): the step-by-step path gives it its sum first."""
    put(ddb, "profiles", {"user_id": "u", "total_experience": 100})
    row = _row(games=2, xp=40, accuracy_sum=None)
    del row["accuracy_sum"]
    put(ddb, "daily_progress", {**row, "accuracy_percentage": 75})


def _row(*, games, xp, accuracy_sum):
    return {
        "user_id": "u",
        "date": today(),
        "vocabulary_studied": 10 * games,
        "sentences_completed": 0,
        "time_spent_minutes": games,
        "experience_gained": xp,
        "games_played": games,
        "accuracy_percentage": 75,
        "accuracy_sum": accuracy_sum,
    }


@pytest.mark.parametrize(
    ("lossy", "arrange", "games", "day_xp", "profile_xp"),
    [
        ("drop", _no_profile, 1, 10, None),
        ("drop", _stale_day, 3, 50, 110),
        ("late", _stale_day, 3, 50, 110),
        ("drop", _legacy_day, 3, 50, 110),
    ],
    ids=["no-profile", "stale-day", "stale-day-timeout", "legacy-day"],
    indirect=["lossy"],
)
def test_the_step_by_step_path_counts_a_resent_game_once(lossy, dynamodb_http, arrange, games, day_xp, profile_xp):
    arrange(dynamodb_http)

    record(xp=10, correct=5)

    operations = lossy.operations()
    assert operations[:2] == ["TransactWriteItems", "TransactWriteItems"]  # cancelled, and re-sent
    assert len(operations) > 2  # then the steps, each write re-sent once
    row = day_row(dynamodb_http)
    assert (row["games_played"], row["experience_gained"]) == (games, day_xp)
    assert row["accuracy_percentage"] == round((75 * (games - 1) + 50) / games)
    profile = get(dynamodb_http, "profiles", user_id="u")
    assert (profile or {}).get("total_experience") == profile_xp
    assert len(scan(dynamodb_http, "game_sessions")) == 1


def test_over_http_every_game_is_counted_once(lossy, dynamodb_http, client, auth_header):
    put(dynamodb_http, "profiles", {"user_id": "user-1", "total_experience": 0})
    game = {
        "game_type": "vocabulary",
        "score": 1,
        "duration_seconds": 60,
        "questions_answered": 4,
        "correct_answers": 2,
        "experience_gained": 5,
    }

    answers = []
    for number in range(3):
        if number == 2:
            seen_days.clear()  # as if another process served it: the third game takes the step-by-step path
        answers.append(client.post(SESSION, game, content_type="application/json", headers=auth_header("user-1")))

    assert [(a.status_code, a.json()) for a in answers] == [(200, {"success": True})] * 3
    row = get(dynamodb_http, "daily_progress", user_id="user-1", date=today())
    assert (row["games_played"], row["experience_gained"], row["vocabulary_studied"]) == (3, 15, 12)
    assert get(dynamodb_http, "profiles", user_id="user-1")["total_experience"] == 15
    assert len(scan(dynamodb_http, "game_sessions")) == 3


def cancellation(*reasons):
    """DynamoDB's answer to a cancelled TransactWriteItems (moto never gives conflicts or throttling)."""
    return {
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "message": f"Transaction cancelled, please refer cancellation reasons [{', '.join(reasons)}]",
        "CancellationReasons": [{"Code": reason} for reason in reasons],
    }


def test_a_transaction_that_collides_on_the_profile_is_committed_again(proxy, dynamodb_http):
    _stale_day(dynamodb_http)
    proxy.answer("TransactWriteItems", 2, 400, cancellation("None", "TransactionConflict"))  # step by step: 1st
    proxy.answer("TransactWriteItems", 3, 400, cancellation("None", "ThrottlingError"))

    record(xp=10, correct=5)

    tokens = [body["ClientRequestToken"] for operation, body in proxy.calls if operation == "TransactWriteItems"]
    assert [token.rpartition("-")[2] for token in tokens[1:]] == ["xp0", "xp1", "xp2"]
    assert get(dynamodb_http, "profiles", user_id="u")["total_experience"] == 110
    assert day_row(dynamodb_http)["games_played"] == 3
    assert len(scan(dynamodb_http, "game_sessions")) == 1


def test_any_other_cancellation_is_a_502_and_the_game_is_not_recorded(proxy, dynamodb_http):
    _stale_day(dynamodb_http)
    proxy.answer("TransactWriteItems", 2, 400, cancellation("ValidationError", "None"))

    with pytest.raises(ApplicationError) as raised:
        record(xp=10, correct=5)

    assert (raised.value.status_code, raised.value.code) == (502, "dynamodb_error")
    assert get(dynamodb_http, "profiles", user_id="u")["total_experience"] == 100
    assert day_row(dynamodb_http)["games_played"] == 2
    assert scan(dynamodb_http, "game_sessions") == []


def test_the_happy_path_is_one_call_with_a_token(proxy, dynamodb_http, client, auth_header):
    put(dynamodb_http, "profiles", {"user_id": "user-1", "total_experience": 0})
    game = {"game_type": "sentence", "score": 1, "duration_seconds": 30, "questions_answered": 2}
    game |= {"correct_answers": 1, "experience_gained": 3}

    for _ in range(2):
        proxy.calls.clear()
        answer = client.post(SESSION, game, content_type="application/json", headers=auth_header("user-1"))

        assert (answer.status_code, answer.json()) == (200, {"success": True})
        assert proxy.operations() == ["TransactWriteItems"]
        assert (
            proxy.calls[0][1]["ClientRequestToken"]
            == proxy.calls[0][1]["TransactItems"][0]["Put"]["Item"]["session_id"]["S"]
        )
