"""Profile preferences as HEAD has them (delta §8.3, quirk §13.10), over a moto server over HTTP."""

import json
import math

import pytest

from profiles.preferences import preferences_normalised
from tests.dynamo_helpers import get, put
from vela.js import js_to_number

URL, UPDATE, CREATE = "/api/profiles", "/api/profiles/update", "/api/profiles/create"
DEFAULTS = {"dailyGoal": 30, "dailyLessonGoal": 5, "lessonDurationMinutes": 6, "todayStudyTime": 0}


def send_json(client, method, url, body, headers):
    return client.generic(method, url, json.dumps(body), content_type="application/json", headers=headers)


def update(client, auth_header, preferences, sub="user-1"):
    return send_json(client, "PUT", UPDATE, {"preferences": preferences}, auth_header(sub))


# --- normalisation (pure) ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "number"),
    [(True, 1), (False, 0), (None, 0), ("45", 45), (" 7 ", 7), ("", 0), ("0x10", 16), ("1e3", 1000), ([7], 7), ([], 0)],
)
def test_js_number_of_json_values(value, number):
    assert js_to_number(value) == number


@pytest.mark.parametrize("value", ["abc", {}, [1, 2], "1,5"])
def test_js_number_nan(value):
    assert math.isnan(js_to_number(value))


def test_normalising_heads_example():
    stored = {"dailyGoal": 9999, "foo": "bar", "difficulty": "Beginner", "todayStudyTime": 12.7, "dailyLessonGoal": "7"}

    normalised = preferences_normalised(stored)

    assert normalised == {
        "dailyGoal": 30,
        "dailyLessonGoal": 7,
        "lessonDurationMinutes": 6,
        "difficulty": "Beginner",
        "todayStudyTime": 12,
    }
    assert list(normalised) == ["dailyGoal", "dailyLessonGoal", "lessonDurationMinutes", "difficulty", "todayStudyTime"]


@pytest.mark.parametrize("stored", [None, [], [{"dailyGoal": 9}], "dark", 5])
def test_a_non_object_counts_as_empty(stored):
    assert preferences_normalised(stored) == DEFAULTS


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("dailyGoal", 1440, 1440),
        ("dailyGoal", 1441, 30),
        ("dailyGoal", 0, 30),
        ("dailyGoal", 0.9, 30),  # truncates to 0: out of range
        ("dailyGoal", 1.9, 1),
        ("dailyGoal", None, 30),  # Number(null) is 0
        ("dailyLessonGoal", 50, 50),
        ("dailyLessonGoal", 51, 5),
        ("lessonDurationMinutes", "120", 120),
        ("lessonDurationMinutes", "Infinity", 6),
        ("todayStudyTime", -0.5, 0),
        ("todayStudyTime", -1, 0),
        ("todayStudyTime", 1440.9, 1440),
        ("todayStudyTime", 2000, 0),
        ("todayStudyTime", True, 1),
    ],
)
def test_numbers_truncate_or_fall_back_to_their_default(key, raw, expected):
    assert preferences_normalised({key: raw})[key] == expected


@pytest.mark.parametrize(
    "stored", [{"difficulty": "Expert"}, {"difficulty": None}, {"notifications": "yes"}, {"notifications": 1}]
)
def test_invalid_stored_flags_are_dropped(stored):
    assert preferences_normalised(stored) == DEFAULTS


# --- GET --------------------------------------------------------------------------------------------
def test_a_new_profile_stores_and_returns_the_four_defaults(client, dynamodb_http, auth_header):
    response = client.get(URL, headers=auth_header("user-1"))

    assert response.status_code == 200
    assert response.json()["profile"]["preferences"] == DEFAULTS
    assert get(dynamodb_http, "profiles", user_id="user-1")["preferences"] == DEFAULTS


def test_a_legacy_stored_map_is_normalised_in_the_response_only(client, dynamodb_http, auth_header):
    legacy = {"dailyGoal": 9999, "foo": "bar", "difficulty": "Beginner", "todayStudyTime": 12.7, "dailyLessonGoal": "7"}
    stored = {"user_id": "user-1", "username": "aki", "current_level": 3, "preferences": legacy, "extra_attr": "kept"}
    put(dynamodb_http, "profiles", stored)

    response = client.get(URL, headers=auth_header("user-1"))

    assert response.status_code == 200
    assert response.json() == {
        "profile": {
            "user_id": "user-1",
            "username": "aki",
            "current_level": 3,
            "preferences": {
                "dailyGoal": 30,
                "dailyLessonGoal": 7,
                "lessonDurationMinutes": 6,
                "difficulty": "Beginner",
                "todayStudyTime": 12,
            },
            "extra_attr": "kept",
        }
    }
    assert get(dynamodb_http, "profiles", user_id="user-1") == stored  # not written back


@pytest.mark.parametrize(
    ("stored", "returned"),
    [
        ([1, 2], DEFAULTS),  # an array counts as {}
        ({"furigana": True, "theme": "dark"}, DEFAULTS),  # December's free-form keys
        ({"difficulty": "Expert", "notifications": True}, {**DEFAULTS, "notifications": True}),
        ({"notifications": "yes", "difficulty": "Advanced"}, {**DEFAULTS, "difficulty": "Advanced"}),
    ],
)
def test_legacy_shapes_read_as_valid_preferences(client, dynamodb_http, auth_header, stored, returned):
    put(dynamodb_http, "profiles", {"user_id": "user-1", "preferences": stored})

    response = client.get(URL, headers=auth_header("user-1"))

    # HEAD answers 500 "Invalid preferences data" for an invalid stored difficulty/notifications.
    assert response.status_code == 200
    assert response.json()["profile"]["preferences"] == returned


def test_a_profile_without_preferences_reads_the_defaults(client, dynamodb_http, auth_header):
    put(dynamodb_http, "profiles", {"user_id": "user-1", "username": "u"})

    response = client.get(URL, headers=auth_header("user-1"))

    assert response.json()["profile"] == {"user_id": "user-1", "username": "u", "preferences": DEFAULTS}


# --- PUT --------------------------------------------------------------------------------------------
def test_every_field_is_stored_as_sent(client, dynamodb_http, auth_header):
    sent = {
        "dailyGoal": 45,
        "dailyLessonGoal": 10,
        "lessonDurationMinutes": 15,
        "difficulty": "Intermediate",
        "notifications": False,
        "todayStudyTime": 25,
    }

    response = update(client, auth_header, sent)

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["profile"]["preferences"] == sent
    assert list(body["profile"]["preferences"]) == list(sent)
    assert get(dynamodb_http, "profiles", user_id="user-1")["preferences"] == sent


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ({}, DEFAULTS),
        ({"difficulty": "Advanced"}, {**DEFAULTS, "difficulty": "Advanced"}),
        ({"dailyGoal": "45"}, {**DEFAULTS, "dailyGoal": 45}),  # coerced as Zod's z.coerce.number()
        ({"dailyGoal": 20.0, "theme": "dark"}, {**DEFAULTS, "dailyGoal": 20}),  # unknown keys stripped
        ({"todayStudyTime": 2000}, DEFAULTS),  # beyond 1440: its default
        ({"todayStudyTime": -5.5}, DEFAULTS),
        ({"todayStudyTime": 12.7}, {**DEFAULTS, "todayStudyTime": 12}),
        ({"todayStudyTime": "45"}, {**DEFAULTS, "todayStudyTime": 45}),
        ({"todayStudyTime": None}, DEFAULTS),  # Number(null) is 0
        ({"dailyGoal": True}, {**DEFAULTS, "dailyGoal": 1}),  # Number(true) is 1
    ],
)
def test_preferences_are_normalised_and_stored(client, dynamodb_http, auth_header, sent, stored):
    response = update(client, auth_header, sent)

    assert response.status_code == 200
    assert response.json()["profile"]["preferences"] == stored
    assert get(dynamodb_http, "profiles", user_id="user-1")["preferences"] == stored


def test_put_replaces_the_whole_map(client, dynamodb_http, auth_header):
    update(client, auth_header, {"difficulty": "Beginner", "notifications": True, "dailyGoal": 60})

    response = update(client, auth_header, {"lessonDurationMinutes": 20})

    assert response.json()["profile"]["preferences"] == {**DEFAULTS, "lessonDurationMinutes": 20}
    assert get(dynamodb_http, "profiles", user_id="user-1")["preferences"] == {**DEFAULTS, "lessonDurationMinutes": 20}


def test_put_without_preferences_leaves_them(client, dynamodb_http, auth_header):
    update(client, auth_header, {"difficulty": "Beginner"})

    response = send_json(client, "PUT", UPDATE, {"username": "new"}, auth_header("user-1"))

    assert response.json()["profile"]["preferences"] == {**DEFAULTS, "difficulty": "Beginner"}


@pytest.mark.parametrize(
    ("sent", "field", "message"),
    [
        ({"dailyGoal": 5000}, "preferences.dailyGoal", "Too big: expected number to be <=1440"),
        ({"dailyGoal": 0}, "preferences.dailyGoal", "Too small: expected number to be >=1"),
        ({"dailyGoal": None}, "preferences.dailyGoal", "Too small: expected number to be >=1"),
        ({"dailyGoal": "abc"}, "preferences.dailyGoal", "Invalid input: expected number, received NaN"),
        ({"dailyGoal": {}}, "preferences.dailyGoal", "Invalid input: expected number, received NaN"),
        ({"dailyLessonGoal": 2.5}, "preferences.dailyLessonGoal", "Invalid input: expected int, received number"),
        ({"dailyLessonGoal": 51}, "preferences.dailyLessonGoal", "Too big: expected number to be <=50"),
        ({"lessonDurationMinutes": 121}, "preferences.lessonDurationMinutes", "Too big: expected number to be <=120"),
        ({"lessonDurationMinutes": -1}, "preferences.lessonDurationMinutes", "Too small: expected number to be >=1"),
        (
            {"difficulty": "Expert"},
            "preferences.difficulty",
            'Invalid option: expected one of "Beginner"|"Intermediate"|"Advanced"',
        ),
        ({"notifications": "true"}, "preferences.notifications", None),
        ({"todayStudyTime": "soon"}, "preferences.todayStudyTime", "Invalid input: expected number, received NaN"),
        (
            {"todayStudyTime": "Infinity"},
            "preferences.todayStudyTime",
            "Invalid input: expected number, received Infinity",
        ),
        (None, "preferences", "Invalid input: expected object, received null"),
        ([], "preferences", "Invalid input: expected object, received array"),
        ("dark", "preferences", "Invalid input: expected object, received string"),
    ],
)
def test_invalid_preferences_are_400_with_the_field(client, dynamodb_http, auth_header, sent, field, message):
    response = update(client, auth_header, sent)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [field]
    if message:
        assert body["fields"][field] == [message]
    assert get(dynamodb_http, "profiles", user_id="user-1") is None


def test_every_invalid_field_is_named(client, dynamodb_http, auth_header):
    response = update(client, auth_header, {"dailyGoal": 5000, "difficulty": "x", "dailyLessonGoal": 3})

    assert response.status_code == 400
    assert sorted(response.json()["fields"]) == ["preferences.dailyGoal", "preferences.difficulty"]


def test_create_stores_the_four_defaults(client, dynamodb_http, auth_header):
    response = send_json(client, "POST", CREATE, {"username": "aki"}, auth_header("user-1"))

    assert response.json() == {"success": True}
    assert get(dynamodb_http, "profiles", user_id="user-1")["preferences"] == DEFAULTS
