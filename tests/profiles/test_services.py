"""Profile services called directly against in-process moto (`dynamodb`): auto-create on read and its race,
create-if-absent with the username fill, partial upserts with preferences normalisation, experience gains."""

import pytest

from profiles.repositories import ProfileRepository
from profiles.services import (
    profile_add_experience,
    profile_create,
    profile_get,
    profile_get_or_create,
    profile_update,
)
from tests.dynamo_helpers import get, put
from vela.dynamodb import Transaction, TransactionCancelled
from vela.errors import NotFoundError

DEFAULTS = {"dailyGoal": 30, "dailyLessonGoal": 5, "lessonDurationMinutes": 6, "todayStudyTime": 0}


def test_get_or_create_stores_a_default_profile(dynamodb):
    profile = profile_get_or_create(user_id="u")

    stored = get(dynamodb, "profiles", user_id="u")
    assert profile.to_dict() == stored
    assert (stored["native_language"], stored["current_level"], stored["total_experience"]) == ("en", 1, 0)
    assert (stored["email"], stored["username"], stored["avatar_url"]) == (None, None, None)
    assert stored["preferences"] == DEFAULTS
    assert stored["created_at"] == stored["updated_at"]


def test_get_or_create_normalises_preferences_in_the_result_only(dynamodb):
    stored = {"user_id": "u", "username": "aki", "preferences": {"dailyGoal": 9999, "theme": "dark"}}
    put(dynamodb, "profiles", stored)

    profile = profile_get_or_create(user_id="u")

    assert profile.preferences == DEFAULTS
    assert profile.username == "aki"
    assert get(dynamodb, "profiles", user_id="u") == stored


def test_get_or_create_keeps_a_profile_created_concurrently(dynamodb):
    class RacingRepo(ProfileRepository):
        """Another request creates the profile between our read and our write."""

        def get(self, *, user_id):
            found = super().get(user_id=user_id)
            if found is None and not getattr(self, "raced", False):
                self.raced = True
                put(dynamodb, "profiles", {"user_id": user_id, "username": "theirs"})
            return found

    profile = profile_get_or_create(user_id="u", repo=RacingRepo())

    assert profile.username == "theirs"
    assert get(dynamodb, "profiles", user_id="u") == {"user_id": "u", "username": "theirs"}


def test_get_returns_the_stored_profile_verbatim(dynamodb):
    stored = {"user_id": "u", "preferences": {"dailyGoal": 9999}, "custom": [1, 2]}
    put(dynamodb, "profiles", stored)

    assert profile_get(user_id="u").to_dict() == stored  # no normalisation here


def test_get_of_a_missing_profile_is_not_found_and_creates_nothing(dynamodb):
    with pytest.raises(NotFoundError, match="User profile not found") as raised:
        profile_get(user_id="nobody")

    assert raised.value.code == "not_found"
    assert get(dynamodb, "profiles", user_id="nobody") is None


def test_update_sets_only_the_given_fields_and_stamps_updated_at(dynamodb):
    put(dynamodb, "profiles", {"user_id": "u", "username": "old", "current_level": 4, "updated_at": "2025"})

    profile = profile_update(user_id="u", changes={"username": "new"})

    stored = get(dynamodb, "profiles", user_id="u")
    assert profile.to_dict() == stored
    assert (stored["username"], stored["current_level"]) == ("new", 4)
    assert stored["updated_at"] > "2025"


def test_update_normalises_and_replaces_the_preferences_map(dynamodb):
    put(dynamodb, "profiles", {"user_id": "u", "preferences": {**DEFAULTS, "difficulty": "Beginner"}})

    profile = profile_update(user_id="u", changes={"preferences": {"dailyGoal": "45", "todayStudyTime": 12.7}})

    expected = {**DEFAULTS, "dailyGoal": 45, "todayStudyTime": 12}  # difficulty not merged back in
    assert profile.preferences == expected
    assert get(dynamodb, "profiles", user_id="u")["preferences"] == expected


def test_update_of_a_missing_profile_creates_a_partial_one(dynamodb):
    profile_update(user_id="u", changes={"username": "aki"})

    stored = get(dynamodb, "profiles", user_id="u")
    assert set(stored) == {"user_id", "username", "updated_at"}
    assert stored["username"] == "aki"


def test_create_stores_a_new_profile_once(dynamodb):
    created = profile_create(user_id="u", email="a@example.com", username="aki")
    again = profile_create(user_id="u", email="b@example.com", username="other")

    assert (created, again) == (True, False)
    stored = get(dynamodb, "profiles", user_id="u")
    assert (stored["email"], stored["username"], stored["preferences"]) == ("a@example.com", "aki", DEFAULTS)


def test_create_stores_blank_email_and_username_as_null(dynamodb):
    profile_create(user_id="u", email="", username="")

    stored = get(dynamodb, "profiles", user_id="u")
    assert (stored["email"], stored["username"]) == (None, None)


@pytest.mark.parametrize("stored", [{}, {"username": None}, {"username": ""}], ids=["absent", "null", "empty"])
def test_create_on_an_existing_profile_only_fills_a_missing_username(dynamodb, stored):
    put(dynamodb, "profiles", {"user_id": "u", "current_level": 3, "updated_at": "2025"} | stored)

    assert profile_create(user_id="u", email="x@example.com", username="アキ") is False

    profile = get(dynamodb, "profiles", user_id="u")
    assert (profile["username"], profile["current_level"]) == ("アキ", 3)
    assert "email" not in profile
    assert profile["updated_at"] > "2025"


def test_create_never_overwrites_an_existing_username(dynamodb):
    existing = {"user_id": "u", "username": "aki", "total_experience": 900}
    put(dynamodb, "profiles", existing)

    assert profile_create(user_id="u", username="evil") is False

    assert get(dynamodb, "profiles", user_id="u") == existing


def test_add_experience_adds_atomically_and_skips_a_missing_profile(dynamodb):
    put(dynamodb, "profiles", {"user_id": "u", "total_experience": 10})

    added = profile_add_experience(user_id="u", amount=5, at="t1")
    skipped = profile_add_experience(user_id="nobody", amount=5, at="t2")

    assert (added, skipped) == (True, False)
    assert get(dynamodb, "profiles", user_id="u") == {"user_id": "u", "total_experience": 15, "last_activity": "t1"}
    assert get(dynamodb, "profiles", user_id="nobody") is None


def test_add_experience_in_a_transaction_waits_for_the_commit_and_a_missing_profile_cancels_it(dynamodb):
    put(dynamodb, "profiles", {"user_id": "u", "total_experience": 10})
    tx = Transaction()

    joined = profile_add_experience(user_id="u", amount=5, at="t1", tx=tx)
    assert get(dynamodb, "profiles", user_id="u")["total_experience"] == 10  # nothing written before commit
    profile_add_experience(user_id="nobody", amount=1, at="t1", tx=tx)

    with pytest.raises(TransactionCancelled):
        tx.commit()

    assert joined is True
    assert get(dynamodb, "profiles", user_id="u")["total_experience"] == 10
