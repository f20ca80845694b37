"""Adding games to a day (progress.services.daily_progress_add_game) against in-process moto: atomic adds,
the one-write path for rows this process knows, and the legacy-row migration."""

import pytest

from progress.records import DailyProgress, GameProgressDelta, js_round
from progress.repositories import DailyProgressRepository
from progress.services import daily_progress_add_game, game_delta, seen_days
from tests.dynamo_helpers import get, put
from tests.spy import CountingClient
from vela.clock import timestamped_id

DAY = "2026-01-02"


def add_game(repo, **kwargs):
    return daily_progress_add_game(days=repo, session_id=timestamped_id(), **kwargs)


def delta(accuracy, xp=10):
    return GameProgressDelta(
        vocabulary_studied=1, sentences_completed=0, time_spent_minutes=2, experience_gained=xp, accuracy=accuracy
    )


def test_js_round_rounds_half_up():
    assert [js_round(x) for x in (0.5, 1.5, 2.5, -0.5, -1.5, 76.666)] == [1, 2, 3, 0, -1, 77]


def test_first_add_creates_the_row(dynamodb):
    day = add_game(DailyProgressRepository(), user_id="u", date=DAY, delta=delta(70.0))

    assert (day.games_played, day.accuracy_percentage, day.accuracy_sum) == (1, 70, 70)
    assert get(dynamodb, "daily_progress", user_id="u", date=DAY)["accuracy_percentage"] == 70


def test_adds_accumulate_and_accuracy_is_the_running_average(dynamodb):
    repo = DailyProgressRepository()
    for accuracy in (100.0, 50.0, 33.33333333333333):
        day = add_game(repo, user_id="u", date=DAY, delta=delta(accuracy))

    assert (day.games_played, day.vocabulary_studied, day.time_spent_minutes, day.experience_gained) == (3, 3, 6, 30)
    assert day.accuracy_percentage == 61
    assert get(dynamodb, "daily_progress", user_id="u", date=DAY)["accuracy_percentage"] == 61


def test_legacy_row_gets_its_sum_once(dynamodb):
    put(dynamodb, "daily_progress", {"user_id": "u", "date": DAY, "games_played": 4, "accuracy_percentage": 50})

    day = add_game(DailyProgressRepository(), user_id="u", date=DAY, delta=delta(100.0))

    assert (day.games_played, day.accuracy_sum, day.accuracy_percentage) == (5, 300, 60)


def test_rows_of_other_days_and_users_are_untouched(dynamodb):
    repo = DailyProgressRepository()
    add_game(repo, user_id="u", date=DAY, delta=delta(10.0))

    add_game(repo, user_id="v", date="2026-01-03", delta=delta(90.0))

    assert get(dynamodb, "daily_progress", user_id="u", date=DAY)["games_played"] == 1
    assert get(dynamodb, "daily_progress", user_id="u", date="2026-01-03") is None


def test_game_delta_follows_the_original_rules():
    vocab = game_delta(
        game_type="vocabulary", duration_seconds=95, questions_answered=10, correct_answers=7, experience=5
    )
    sentence = game_delta(
        game_type="sentence", duration_seconds=29, questions_answered=4, correct_answers=1, experience=1
    )
    other = game_delta(
        game_type="sentences", duration_seconds=30, questions_answered=0, correct_answers=0, experience=0
    )

    assert (vocab.vocabulary_studied, vocab.sentences_completed, vocab.time_spent_minutes) == (10, 0, 2)
    assert vocab.accuracy == 70.0
    assert (sentence.vocabulary_studied, sentence.sentences_completed, sentence.accuracy) == (0, 4, 25.0)
    assert (other.vocabulary_studied, other.sentences_completed, other.time_spent_minutes, other.accuracy) == (
        0,
        0,
        1,
        0,
    )


def test_session_ids_look_like_the_originals():
    ids = {timestamped_id(1795316189680) for _ in range(50)}

    assert len(ids) == 50
    assert all(i.startswith("1795316189680-") and len(i) == 23 for i in ids)


@pytest.fixture
def counted(dynamodb):
    from vela.dynamodb import DynamoTable

    client = CountingClient(dynamodb)
    return client, DailyProgressRepository(DynamoTable("daily_progress", client=client))


def test_known_rows_take_one_write_per_game(counted, dynamodb):
    client, repo = counted

    add_game(repo, user_id="u", date=DAY, delta=delta(100.0))
    add_game(repo, user_id="u", date=DAY, delta=delta(50.0))
    day = add_game(repo, user_id="u", date=DAY, delta=delta(0.0))

    assert client.calls == ["put_item", "update_item", "update_item"]
    assert (day.games_played, day.accuracy_percentage, day.experience_gained) == (3, 50, 30)
    assert get(dynamodb, "daily_progress", user_id="u", date=DAY)["accuracy_percentage"] == 50


def test_a_stale_view_of_the_row_falls_back_without_losing_the_other_write(counted, dynamodb):
    _client, repo = counted
    add_game(repo, user_id="u", date=DAY, delta=delta(100.0))
    add_game(DailyProgressRepository(), user_id="u", date=DAY, delta=delta(0.0))  # "another process"
    # As another process left it: this process saw only the first game.
    seen_days.remember(DailyProgress(user_id="u", date=DAY, games_played=1, accuracy_sum=100.0))

    day = add_game(repo, user_id="u", date=DAY, delta=delta(50.0))

    assert (day.games_played, day.accuracy_percentage) == (3, 50)
    row = get(dynamodb, "daily_progress", user_id="u", date=DAY)
    assert (row["games_played"], row["accuracy_sum"], row["accuracy_percentage"], row["experience_gained"]) == (
        3,
        150,
        50,
        30,
    )


def test_first_game_on_a_legacy_row_uses_the_migration_path(counted, dynamodb):
    client, repo = counted
    put(dynamodb, "daily_progress", {"user_id": "u", "date": DAY, "games_played": 2, "accuracy_percentage": 80})

    day = add_game(repo, user_id="u", date=DAY, delta=delta(70.0))

    assert (day.games_played, day.accuracy_percentage, day.accuracy_sum) == (3, 77, 230)
    assert client.calls[0] == "put_item"  # the create attempt fails on the existing row
