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

    assert repo.create(first, session_id="s1") is True
    assert repo.create(first.plus(DELTA), session_id="s2") is False
    assert repo.get(user_id="u", date=DAY) == first


def test_add_if_unchanged_refuses_a_row_that_moved_on(dynamodb):
    repo = DailyProgressRepository()
    first = DailyProgress.first_game(user_id="u", date=DAY, delta=DELTA)
    repo.create(first, session_id="s1")
    second = first.plus(DELTA)

    assert repo.add_game_if_unchanged(known=first, delta=DELTA, after=second, session_id="s2") == second
    # games_played is 2 now: a re-send of the same write changes nothing
    assert repo.add_game_if_unchanged(known=first, delta=DELTA, after=second, session_id="s2") is None
    assert get(dynamodb, "daily_progress", user_id="u", date=DAY)["games_played"] == 2


def test_add_game_refuses_a_row_of_the_original_api_until_it_has_a_sum(dynamodb):
    repo = DailyProgressRepository()
    put(dynamodb, "daily_progress", {"user_id": "u", "date": DAY, "games_played": 2, "accuracy_percentage": 80})

    assert repo.add_game(user_id="u", date=DAY, delta=DELTA, session_id="s1") is None
    assert repo.set_sum_if_missing(user_id="u", date=DAY, games_played=2, accuracy_sum=160) is True
    assert repo.set_sum_if_missing(user_id="u", date=DAY, games_played=2, accuracy_sum=999) is False
    totals, has_percentage = repo.add_game(user_id="u", date=DAY, delta=DELTA, session_id="s1")

    assert (totals.games_played, totals.accuracy_sum, has_percentage) == (3, 210, True)


def test_writes_given_a_transaction_wait_for_its_commit(dynamodb):
    put(dynamodb, "profiles", {"user_id": "u", "total_experience": 1})
    tx = Transaction()
    first = DailyProgress.first_game(user_id="u", date=DAY, delta=DELTA)
    DailyProgressRepository().create(first, session_id="s1", tx=tx)
    GameSessionRepository().add(GameSession("u", "s1", "vocabulary", 1, 2, 3, 1, 5, "2026-01-02T00:00:00.000Z"), tx=tx)

    assert get(dynamodb, "daily_progress", user_id="u", date=DAY) is None
    tx.commit(token="s1")
    assert get(dynamodb, "daily_progress", user_id="u", date=DAY)["games_played"] == 1
    assert get(dynamodb, "game_sessions", user_id="u", session_id="s1") is not None


def test_a_session_is_put_once(dynamodb):
    repo = GameSessionRepository()
    session = GameSession("u", "s1", "vocabulary", 1, 2, 3, 1, 5, "2026-01-01T00:00:00.000Z")

    assert repo.add(session) is True
    assert repo.add(session) is False  # a re-send: stored already, nothing written
    assert len(repo.list_for_user(user_id="u")) == 1


def test_add_game_counts_each_session_once(dynamodb):
    repo = DailyProgressRepository()
    repo.create(DailyProgress.first_game(user_id="u", date=DAY, delta=DELTA), session_id="s1")

    added = repo.add_game(user_id="u", date=DAY, delta=DELTA, session_id="s2")
    resent = repo.add_game(user_id="u", date=DAY, delta=DELTA, session_id="s2")
    first_again = repo.add_game(user_id="u", date=DAY, delta=DELTA, session_id="s1")

    assert added == resent == first_again  # the totals with s2 counted, written once
    assert added[0].games_played == 2
    row = get(dynamodb, "daily_progress", user_id="u", date=DAY)
    assert (row["games_played"], row["experience_gained"], sorted(row["counted_sessions"])) == (2, 20, ["s1", "s2"])
