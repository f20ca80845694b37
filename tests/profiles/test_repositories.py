"""Profile repository against in-process moto."""

from profiles.records import Profile
from profiles.repositories import ProfileRepository
from tests.dynamo_helpers import get, put


def test_create_if_absent_never_overwrites(dynamodb):
    repo = ProfileRepository()
    first = Profile.new(user_id="u", email="a@example.com", username=None, now="2026-01-01T00:00:00.000Z")

    assert repo.create_if_absent(first) is True
    assert repo.create_if_absent(Profile.new(user_id="u", email=None, username="x", now="later")) is False
    assert repo.get(user_id="u") == first


def test_add_experience_is_atomic_add_and_skips_missing_profiles(dynamodb):
    repo = ProfileRepository()
    put(dynamodb, "profiles", {"user_id": "u"})

    assert repo.add_experience(user_id="u", amount=5, at="t1") is True
    assert repo.add_experience(user_id="u", amount=2.5, at="t2") is True
    assert repo.add_experience(user_id="nobody", amount=5, at="t3") is False
    assert get(dynamodb, "profiles", user_id="u") == {"user_id": "u", "total_experience": 7.5, "last_activity": "t2"}
    assert get(dynamodb, "profiles", user_id="nobody") is None


def test_upsert_fields_returns_all_attributes(dynamodb):
    put(dynamodb, "profiles", {"user_id": "u", "current_level": 2})

    profile = ProfileRepository().upsert_fields(user_id="u", values={"username": "名前", "preferences": {"k": [1]}})

    assert profile.to_dict() == {"user_id": "u", "username": "名前", "current_level": 2, "preferences": {"k": [1]}}


def test_extra_attributes_survive_a_round_trip():
    item = {"user_id": "u", "email": None, "custom": {"a": 1}}

    assert Profile.from_dict(item).to_dict() == item
