"""SRS services: retry rules with fake repositories (what a moto server cannot force), then the
rules that need real tables (in-process moto via the `dynamodb` fixture)."""

from datetime import UTC, datetime

import pytest

from games.records import to_katakana, vocabulary_id_for
from srs.records import Progress
from srs.services import (
    REVIEW_ATTEMPTS,
    progress_apply_review,
    srs_due,
    srs_stats,
    vocabulary_from_word,
)
from tests.dynamo_helpers import put
from tests.srs.conftest import USER_A, progress_row
from vela.errors import ConflictError, NotFoundError


class AlwaysChanged:
    """A progress table where another review always commits first."""

    def __init__(self):
        self.reads = self.writes = 0

    def get(self, *, user_id, vocabulary_id):
        self.reads += 1
        return Progress.from_dict(progress_row(user_id, vocabulary_id, total_reviews=self.reads))

    def replace_review_state(self, previous, values):
        self.writes += 1
        return None


class ChangedOnce(AlwaysChanged):
    def replace_review_state(self, previous, values):
        self.writes += 1
        if self.writes == 1:
            return None
        return Progress.from_dict({**previous.to_dict(), **values})


def test_a_row_that_keeps_changing_is_a_bounded_409():
    repo, sleeps = AlwaysChanged(), []

    with pytest.raises(ConflictError, match="Failed to update progress due to race condition"):
        progress_apply_review(user_id=USER_A, vocabulary_id="v1", quality=4, repo=repo, sleep=sleeps.append)

    assert repo.writes == REVIEW_ATTEMPTS
    assert len(sleeps) == REVIEW_ATTEMPTS
    assert all(0 <= s <= 0.1 for s in sleeps)  # jittered, capped back-off


def test_a_lost_race_is_recomputed_from_the_new_state():
    repo = ChangedOnce()

    row = progress_apply_review(user_id=USER_A, vocabulary_id="v1", quality=4, repo=repo, sleep=lambda s: None)

    assert repo.reads == 2
    assert row.total_reviews == 3  # the second read saw 2 reviews; this one is the third


class CreatedMeanwhile:
    """No row at first; another request creates it before our conditional put."""

    def __init__(self):
        self.created = False

    def get(self, *, user_id, vocabulary_id):
        return Progress.from_dict(progress_row(user_id, vocabulary_id, total_reviews=1)) if self.created else None

    def create_if_absent(self, row):
        self.created = True
        return False

    def replace_review_state(self, previous, values):
        return Progress.from_dict({**previous.to_dict(), **values})


def test_a_row_created_meanwhile_gets_the_review_applied():
    row = progress_apply_review(
        user_id=USER_A, vocabulary_id="v1", quality=5, current=None, repo=CreatedMeanwhile(), sleep=lambda s: None
    )

    assert row.total_reviews == 2


class Vanishing(AlwaysChanged):
    def get(self, *, user_id, vocabulary_id):
        return None


def test_a_row_deleted_during_the_review_is_404():
    current = Progress.from_dict(progress_row(USER_A, "v1"))

    with pytest.raises(NotFoundError, match="Progress not found for vocabulary item"):
        progress_apply_review(
            user_id=USER_A, vocabulary_id="v1", quality=4, current=current, repo=Vanishing(), sleep=lambda s: None
        )


def test_ids_and_katakana():
    assert to_katakana("たべるゔゖー") == "タベルヴヶー"
    assert vocabulary_id_for("\uff21\uff22\uff23", "ｴｰﾋﾞｰｼｰ") == "ABC:エービーシー"
    assert vocabulary_id_for("猫", None) == "猫"


def test_stats_count_missing_counters_as_zero(dynamodb):
    put(dynamodb, "user_vocabulary_progress", {"user_id": USER_A, "vocabulary_id": "bare", "interval": 3})
    put(dynamodb, "user_vocabulary_progress", progress_row(USER_A, "full", total_reviews=4, correct_count=3))

    stats = srs_stats(user_id=USER_A)

    assert (stats["total_items"], stats["total_reviews"], stats["accuracy_rate"]) == (2, 4, 75)
    assert stats["due_today"] == 1  # the bare row has no date: never due
    assert stats["average_ease_factor"] == 1.25  # a missing ease factor counts as 0


def test_due_at_a_given_instant(dynamodb):
    put(dynamodb, "user_vocabulary_progress", progress_row(USER_A, "v1", next_review_date="2026-03-01T00:00:00.000Z"))

    before, total_before = srs_due(user_id=USER_A, at=datetime(2026, 2, 28, 23, 59, tzinfo=UTC))
    at, total_at = srs_due(user_id=USER_A, at=datetime(2026, 3, 1, tzinfo=UTC))

    assert (before, total_before) == ([], 0)
    assert total_at == 1
    assert at[0].progress.vocabulary_id == "v1"


def test_from_word_first_review_is_due_24_hours_later(dynamodb):
    moment = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # a DST change in Europe: UTC days are still 24 h

    result = vocabulary_from_word(user_id=USER_A, japanese_word="猫", english_translation="cat", clock=lambda: moment)

    assert (result.vocabulary_id, result.created, result.already_in_srs) == ("猫", True, False)
    due, total = srs_due(user_id=USER_A, at=datetime(2026, 3, 30, 0, 30, tzinfo=UTC))
    assert total == 1
    assert due[0].progress.next_review_date == "2026-03-30T00:30:00.000Z"


def test_table_missing_is_a_clear_500_with_the_routes_wording(dynamodb, settings):
    dynamodb.delete_table(TableName=settings.DYNAMODB_TABLES["user_vocabulary_progress"])

    with pytest.raises(Exception, match="Failed to fetch due items: DynamoDB table 'vela-user-vocabulary-progress'"):
        srs_due(user_id=USER_A)
