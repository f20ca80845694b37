"""Progress repositories against in-process moto: storage only (the rules are in test_services.py)."""

from progress.records import DailyProgress, GameProgressDelta, GameSession
from progress.repositories import DailyProgressRepository, GameSessionRepository
from tests.dynamo_helpers import get, put
from vela.dynamodb import Transaction

DAY = "2026-01-02"
DELTA = GameProgressDelta(
    vocabulary_studied=1, sentences_completed=0, time_spent_minutes=2, experience_gained=10, accuracy=50.0
)


def test_sessions_are_listed_per_user(dynamodb):
    repo = GameSessionRepository()
    for i, user in enumerate(["u", "u", "v"]):
        repo.add(GameSession(user, f"s{i}", "vocabulary", 1, 2, 3, 1, 5, "2026-01-01T00:00:00.000Z"))

    assert sorted(s.session_id for s in repo.list_for_user(user_id="u")) == ["s0", "s1"]


def test_create_writes_only_a_new_row(dynamodb):
    repo = DailyProgressRepository()
    first = DailyProgress.first_game(user_id="u", date=DAY, delta=DELTA)

    assert repo.create(first) is True
    assert repo.create(first.plus(DELTA)) is False
    assert repo.get(user_id="u", date=DAY) == first


def test_add_if_unchanged_refuses_a_row_that_moved_on(dynamodb):
    repo = DailyProgressRepository()
    first = DailyProgress.first_game(user_id="u", date=DAY, delta=DELTA)
    repo.create(first)
    second = first.plus(DELTA)

    assert repo.add_game_if_unchanged(known=first, delta=DELTA, after=second) == second
    assert repo.add_game_if_unchanged(known=first, delta=DELTA, after=second) is None  # games_played is 2 now
    assert get(dynamodb, "daily_progress", user_id="u", date=DAY)["games_played"] == 2


def test_add_game_refuses_a_row_of_the_original_api_until_it_has_a_sum(dynamodb):
    repo = DailyProgressRepository()
    put(dynamodb, "daily_progress", {"user_id": "u", "date": DAY, "games_played": 2, "accuracy_percentage": 80})

    assert repo.add_game(user_id="u", date=DAY, delta=DELTA) is None
    assert repo.set_sum_if_missing(user_id="u", date=DAY, games_played=2, accuracy_sum=160) is True
    assert repo.set_sum_if_missing(user_id="u", date=DAY, games_played=2, accuracy_sum=999) is False
    totals, has_percentage = repo.add_game(user_id="u", date=DAY, delta=DELTA)

    assert (totals.games_played, totals.accuracy_sum, has_percentage) == (3, 210, True)


def test_writes_given_a_transaction_wait_for_its_commit(dynamodb):
    put(dynamodb, "profiles", {"user_id": "u", "total_experience": 1})
    tx = Transaction()
    first = DailyProgress.first_game(user_id="u", date=DAY, delta=DELTA)
    DailyProgressRepository().create(first, tx=tx)
    GameSessionRepository().add(GameSession("u", "s1", "vocabulary", 1, 2, 3, 1, 5, "2026-01-02T00:00:00.000Z"), tx=tx)

    assert get(dynamodb, "daily_progress", user_id="u", date=DAY) is None
    tx.commit(token="s1")
    assert get(dynamodb, "daily_progress", user_id="u", date=DAY)["games_played"] == 1
    assert get(dynamodb, "game_sessions", user_id="u", session_id="s1") is not None
