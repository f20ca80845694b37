"""GET /api/srs/due, /stats, /all and GET/DELETE /api/srs/progress/<id> over a moto server (HEAD delta §5.2-§5.7)."""

import pytest

from srs.records import WIRE_KEYS
from tests.dynamo_helpers import get, put
from tests.srs.conftest import USER_A, USER_B, post_json, progress_row, put_many, word

DUE, STATS, ALL = "/api/srs/due", "/api/srs/stats", "/api/srs/all"


def due_rows(user, count, *, start_days=-200, **extra):
    """`count` due rows, v000 the most overdue."""
    return [progress_row(user, f"v{i:03d}", due_in_days=start_days + i, **extra) for i in range(count)]


# --- due ------------------------------------------------------------------------------------------
def test_due_lists_most_overdue_first_with_vocabulary_or_null(client, dynamodb_http, auth_header):
    rows = [
        progress_row(USER_A, "late", due_in_days=-1, last_quality=2, note="not copied"),
        progress_row(USER_A, "later", due_in_days=-5),
        progress_row(USER_A, "future", due_in_days=3),
    ]
    put_many(dynamodb_http, "user_vocabulary_progress", rows)
    put(dynamodb_http, "vocabulary", word("later", jlpt_level=5, extra_field=[1, "x"]))

    response = client.get(DUE, headers=auth_header(USER_A))

    assert response.status_code == 200
    data = response.json()
    assert data["total"] == 2
    assert [i["progress"]["vocabulary_id"] for i in data["items"]] == ["later", "late"]
    first, second = data["items"]
    assert first["vocabulary"] == word("later", jlpt_level=5, extra_field=[1, "x"])
    assert second["vocabulary"] is None
    expected = {k: v for k, v in rows[0].items() if k != "note"}
    assert second["progress"] == expected
    assert list(second["progress"]) == [k for k in WIRE_KEYS if k in expected]  # HEAD's key order


def test_due_without_items(client, dynamodb_http, auth_header):
    assert client.get(DUE, headers=auth_header(USER_A)).json() == {"items": [], "total": 0}


def test_due_limit_takes_the_first_and_total_counts_all(client, dynamodb_http, auth_header):
    put_many(dynamodb_http, "user_vocabulary_progress", due_rows(USER_A, 10))

    data = client.get(f"{DUE}?limit=3", headers=auth_header(USER_A)).json()

    assert [i["progress"]["vocabulary_id"] for i in data["items"]] == ["v000", "v001", "v002"]
    assert data["total"] == 10


def test_due_default_limit_is_20(client, dynamodb_http, auth_header):
    put_many(dynamodb_http, "user_vocabulary_progress", due_rows(USER_A, 25))

    data = client.get(DUE, headers=auth_header(USER_A)).json()

    assert (len(data["items"]), data["total"]) == (20, 25)


@pytest.mark.parametrize(("text", "count"), [(" 3 ", 3), ("0x2", 2), ("1e1", 10), ("100", 12)])
def test_due_limit_is_javascript_number(client, dynamodb_http, auth_header, text, count):
    put_many(dynamodb_http, "user_vocabulary_progress", due_rows(USER_A, 12))

    data = client.get(DUE, {"limit": text}, headers=auth_header(USER_A)).json()

    assert len(data["items"]) == count


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=", "limit=101", "limit=2.5", "limit=abc", "limit=1&limit=2", "limit=0x" + "f" * 300],
)
def test_due_limit_errors(client, dynamodb_http, auth_header, query):
    response = client.get(f"{DUE}?{query}", headers=auth_header(USER_A))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == ["limit"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("jlpt=6", "Invalid JLPT level(s): 6. Must be integers between 1 and 5."),
        ("jlpt=N5,0,abc", "Invalid JLPT level(s): N5, 0, abc. Must be integers between 1 and 5."),
        ("jlpt=5&jlpt=4", "Expected a single value."),
    ],
)
def test_due_jlpt_errors(client, dynamodb_http, auth_header, query, message):
    response = client.get(f"{DUE}?{query}", headers=auth_header(USER_A))

    assert response.status_code == 400
    assert response.json()["fields"] == {"jlpt": [message]}


def test_due_jlpt_filter_keeps_numeric_levels_only(client, dynamodb_http, auth_header):
    put_many(dynamodb_http, "user_vocabulary_progress", due_rows(USER_A, 4))
    words = [word("v000", jlpt_level=5), word("v001", jlpt_level=3), word("v002", jlpt_level="5"), word("v003")]
    put_many(dynamodb_http, "vocabulary", words)

    data = client.get(f"{DUE}?jlpt=5", headers=auth_header(USER_A)).json()

    assert [i["vocabulary"]["id"] for i in data["items"]] == ["v000"]
    assert data["total"] == 1


@pytest.mark.parametrize(("query", "count", "total"), [("jlpt=5&limit=5", 5, 24), ("jlpt=5&limit=20", 10, 10)])
def test_due_jlpt_estimates_total_when_it_stops_early(client, dynamodb_http, auth_header, query, count, total):
    # HEAD's worked run: 120 due, the 10 most overdue are N5, the rest N3.
    put_many(dynamodb_http, "user_vocabulary_progress", due_rows(USER_A, 120))
    put_many(dynamodb_http, "vocabulary", [word(f"v{i:03d}", jlpt_level=5 if i < 10 else 3) for i in range(120)])

    data = client.get(f"{DUE}?{query}", headers=auth_header(USER_A)).json()

    assert [i["progress"]["vocabulary_id"] for i in data["items"]] == [f"v{i:03d}" for i in range(count)]
    assert data["total"] == total


def test_due_jlpt_3_limit_100(client, dynamodb_http, auth_header):
    put_many(dynamodb_http, "user_vocabulary_progress", due_rows(USER_A, 120))
    put_many(dynamodb_http, "vocabulary", [word(f"v{i:03d}", jlpt_level=5 if i < 10 else 3) for i in range(120)])

    data = client.get(f"{DUE}?jlpt=3&limit=100", headers=auth_header(USER_A)).json()

    assert (len(data["items"]), data["total"]) == (100, 110)


def test_due_reads_the_index_never_a_scan(client, dynamodb_http, auth_header, dynamodb_calls):
    put_many(dynamodb_http, "user_vocabulary_progress", due_rows(USER_A, 30))

    client.get(f"{DUE}?limit=5", headers=auth_header(USER_A))
    paged = list(dynamodb_calls)
    dynamodb_calls.clear()
    client.get(f"{DUE}?limit=50", headers=auth_header(USER_A))

    assert paged == ["Query", "Query", "BatchGetItem"]  # 5 items, then a Select=COUNT Query for the total
    assert dynamodb_calls == ["Query", "BatchGetItem"]


# --- stats ----------------------------------------------------------------------------------------
def test_stats_heads_example(client, dynamodb_http, auth_header):
    intervals = [1, 25, 0, 70, 3, 10]
    reviews = [(2, 1), (2, 1), (0, 0), (4, 2), (1, 0), (1, 1)]  # (total, correct): 10 and 5
    rows = [
        progress_row(USER_A, f"v{i}", interval=n, total_reviews=t, correct_count=c, due_in_days=-1 if i else 2)
        for i, (n, (t, c)) in enumerate(zip(intervals, reviews, strict=True))
    ]
    put_many(dynamodb_http, "user_vocabulary_progress", rows)

    response = client.get(STATS, headers=auth_header(USER_A))

    assert response.status_code == 200
    assert response.json() == {
        "total_items": 6,
        "due_today": 5,
        "mastery_breakdown": {"new": 1, "learning": 3, "reviewing": 1, "mastered": 1},
        "average_ease_factor": 2.5,
        "total_reviews": 10,
        "accuracy_rate": 50,
    }
    assert list(response.json()) == [
        "total_items",
        "due_today",
        "mastery_breakdown",
        "average_ease_factor",
        "total_reviews",
        "accuracy_rate",
    ]


def test_stats_rounding_of_the_repo_test(client, dynamodb_http, auth_header):
    rows = [
        progress_row(USER_A, "a", interval=0, total_reviews=5, correct_count=5, ease_factor=2.36),
        progress_row(
            USER_A, "b", interval=10, total_reviews=5, correct_count=4, ease_factor=2.1799999999999997, due_in_days=1
        ),
        progress_row(USER_A, "c", interval=30, total_reviews=6, correct_count=5, due_in_days=1),
        progress_row(USER_A, "d", interval=90, total_reviews=6, correct_count=5, due_in_days=1),
    ]
    put_many(dynamodb_http, "user_vocabulary_progress", rows)

    data = client.get(STATS, headers=auth_header(USER_A)).json()

    assert data["due_today"] == 1
    assert data["mastery_breakdown"] == {"new": 1, "learning": 1, "reviewing": 1, "mastered": 1}
    assert (data["total_reviews"], data["accuracy_rate"]) == (22, 86)
    assert data["average_ease_factor"] == 2.38  # Math.round(238.49999999999997) / 100, as JavaScript computes it


def test_stats_for_a_new_user_are_zeros(client, dynamodb_http, auth_header):
    assert client.get(STATS, headers=auth_header(USER_A)).json() == {
        "total_items": 0,
        "due_today": 0,
        "mastery_breakdown": {"new": 0, "learning": 0, "reviewing": 0, "mastered": 0},
        "average_ease_factor": 0,
        "total_reviews": 0,
        "accuracy_rate": 0,
    }


def test_stats_jlpt_filter(client, dynamodb_http, auth_header, dynamodb_calls):
    put_many(dynamodb_http, "user_vocabulary_progress", due_rows(USER_A, 3, total_reviews=2, correct_count=1))
    put_many(dynamodb_http, "vocabulary", [word("v000", jlpt_level=4), word("v001", jlpt_level="4"), word("v002")])

    data = client.get(f"{STATS}?jlpt=4,5", headers=auth_header(USER_A)).json()

    assert (data["total_items"], data["total_reviews"], data["accuracy_rate"]) == (1, 2, 50)
    assert dynamodb_calls == ["Query", "BatchGetItem"]


def test_stats_jlpt_error(client, dynamodb_http, auth_header):
    response = client.get(f"{STATS}?jlpt=1.5", headers=auth_header(USER_A))

    assert response.status_code == 400
    assert response.json()["fields"] == {"jlpt": ["Invalid JLPT level(s): 1.5. Must be integers between 1 and 5."]}


# --- progress/<id>, all ---------------------------------------------------------------------------------
def test_progress_get_found_and_missing(client, dynamodb_http, auth_header):
    row = progress_row(USER_A, "食べる:タベル", note="raw")
    put(dynamodb_http, "user_vocabulary_progress", row)

    encoded = "/api/srs/progress/%E9%A3%9F%E3%81%B9%E3%82%8B:%E3%82%BF%E3%83%99%E3%83%AB"
    found = client.get(encoded, headers=auth_header(USER_A))
    missing = client.get("/api/srs/progress/other", headers=auth_header(USER_A))

    assert found.json() == {"progress": row}
    assert (missing.status_code, missing.json()) == (200, {})


def test_progress_ids_may_hold_a_slash(client, dynamodb_http, auth_header):
    put(dynamodb_http, "user_vocabulary_progress", progress_row(USER_A, "a/b"))

    response = client.get("/api/srs/progress/a%2Fb", headers=auth_header(USER_A))

    assert response.json()["progress"]["vocabulary_id"] == "a/b"


def test_progress_ids_may_hold_a_newline(client, dynamodb_http, auth_header):
    """Found by schema fuzzing: `%0A` in the id missed the route (Django's `path` is `.+`) and answered
    the catch-all's undocumented 404, with or without a token."""
    put(dynamodb_http, "user_vocabulary_progress", progress_row(USER_A, "a\nb"))

    found = client.get("/api/srs/progress/a%0Ab", headers=auth_header(USER_A))
    deleted = client.delete("/api/srs/progress/x%0A", headers=auth_header(USER_A))
    anonymous = client.get("/api/srs/progress/a%0Ab")

    assert found.json()["progress"]["vocabulary_id"] == "a\nb"
    assert deleted.status_code == 200
    assert anonymous.status_code == 401


def test_progress_empty_id_is_404_and_long_id_400(client, dynamodb_http, auth_header):
    assert client.get("/api/srs/progress/", headers=auth_header(USER_A)).status_code == 404
    response = client.get("/api/srs/progress/" + "x" * 1025, headers=auth_header(USER_A))
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["vocabulary_id"]


def test_progress_delete(client, dynamodb_http, auth_header):
    put(dynamodb_http, "user_vocabulary_progress", progress_row(USER_A, "v1"))

    first = client.delete("/api/srs/progress/v1", headers=auth_header(USER_A))
    again = client.delete("/api/srs/progress/v1", headers=auth_header(USER_A))

    assert first.json() == again.json() == {"success": True, "message": "Progress deleted"}
    assert get(dynamodb_http, "user_vocabulary_progress", user_id=USER_A, vocabulary_id="v1") is None


def test_all_lists_raw_rows_in_key_order(client, dynamodb_http, auth_header, dynamodb_calls):
    rows = [progress_row(USER_A, v, extra=1) for v in ("c", "a", "b")]
    put_many(dynamodb_http, "user_vocabulary_progress", rows)

    data = client.get(ALL, headers=auth_header(USER_A)).json()

    assert data == {"items": sorted(rows, key=lambda r: r["vocabulary_id"]), "total": 3}
    assert dynamodb_calls == ["Query"]


def test_all_for_a_new_user(client, dynamodb_http, auth_header):
    assert client.get(ALL, headers=auth_header(USER_A)).json() == {"items": [], "total": 0}


# --- isolation --------------------------------------------------------------------------------------------
def test_user_b_can_neither_read_nor_change_user_as_progress(client, dynamodb_http, auth_header):
    put(dynamodb_http, "vocabulary", word("v1"))
    mine = progress_row(USER_A, "v1", interval=6, repetitions=2, total_reviews=2, correct_count=2)
    put(dynamodb_http, "user_vocabulary_progress", mine)
    b = auth_header(USER_B)

    assert client.get("/api/srs/progress/v1", headers=b).json() == {}
    assert client.get(ALL, headers=b).json() == {"items": [], "total": 0}
    assert client.get(DUE, headers=b).json() == {"items": [], "total": 0}
    assert client.get(STATS, headers=b).json()["total_items"] == 0
    reviewed = post_json(client, "/api/srs/review", {"vocabulary_id": "v1", "quality": 5}, b)
    assert reviewed.json()["progress"]["user_id"] == USER_B
    assert reviewed.json()["progress"]["total_reviews"] == 1
    client.delete("/api/srs/progress/v1", headers=b)
    post_json(client, "/api/srs/batch-review", {"reviews": [{"vocabulary_id": "v1", "quality": 0}]}, b)

    assert get(dynamodb_http, "user_vocabulary_progress", user_id=USER_A, vocabulary_id="v1") == mine
    assert client.get("/api/srs/progress/v1", headers=auth_header(USER_A)).json() == {"progress": mine}


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", DUE), ("get", STATS), ("get", ALL), ("get", "/api/srs/progress/v1"), ("delete", "/api/srs/progress/v1")],
)
def test_reads_need_a_token(client, dynamodb_http, cognito, method, path):
    response = getattr(client, method)(path)

    assert response.status_code == 401


def test_bad_token_is_401(client, dynamodb_http, cognito):
    response = client.get(DUE, headers={"Authorization": "Bearer not-a-jwt"})

    assert response.status_code == 401


@pytest.mark.parametrize(("rows", "calls"), [(20, ["Query", "BatchGetItem"]), (22, ["Query", "Query", "BatchGetItem"])])
def test_due_counts_only_when_more_than_the_limit_are_due(
    client, dynamodb_http, auth_header, dynamodb_calls, rows, calls
):
    put_many(dynamodb_http, "user_vocabulary_progress", due_rows(USER_A, rows))

    data = client.get(DUE, headers=auth_header(USER_A)).json()

    assert (len(data["items"]), data["total"]) == (20, rows)
    assert dynamodb_calls == calls
