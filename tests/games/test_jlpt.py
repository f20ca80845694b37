"""Games `jlpt` filters and random sampling (HEAD §8.6, §5.9) against a moto server over real HTTP.

DynamoDB calls are counted with a botocore event hook on the app's own client, so the bounded reads
(one Scan page of 3 x limit without a filter; at most 1000 items read with one) are asserted.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.dynamo_helpers import put

VOCABULARY, SENTENCES = "/api/games/vocabulary", "/api/games/sentences"


def batch_put(ddb, logical, items):
    name = settings.DYNAMODB_TABLES[logical]
    for start in range(0, len(items), 25):
        requests = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        ddb.batch_write_item(RequestItems={name: requests})


def vocab(n, level):
    item = {"id": {"S": f"v{n:04d}"}, "japanese_word": {"S": f"語{n}"}, "english_translation": {"S": f"w{n}"}}
    if level is not None:
        item["jlpt_level"] = {"N": str(level)} if isinstance(level, int) else {"S": level}
    return item


@pytest.fixture
def scans(dynamodb_http):
    """Every Scan the app sends (on its own client): the parameters, plus `ScannedCount` of the answer."""
    from vela.aws import dynamodb_client

    seen: list[dict] = []

    def before(params, **kwargs):
        seen.append(dict(params))

    def after(parsed, **kwargs):
        seen[-1]["answered_scanned"] = parsed.get("ScannedCount")

    events = dynamodb_client(validate=False).meta.events
    events.register("provide-client-params.dynamodb.Scan", before)
    events.register("after-call.dynamodb.Scan", after)
    yield seen
    events.unregister("provide-client-params.dynamodb.Scan", before)
    events.unregister("after-call.dynamodb.Scan", after)


def test_filter_returns_only_numeric_matching_levels(client, dynamodb_http, scans):
    batch_put(dynamodb_http, "vocabulary", [vocab(n, [5, 4, 3, "5", None][n % 5]) for n in range(50)])

    response = client.get(VOCABULARY, {"jlpt": "5", "limit": "100"})

    assert response.status_code == 200
    body = response.json()
    assert body["filters"] == {"jlpt_levels": [5], "limit": 100}
    assert sorted(item["id"] for item in body["vocabulary"]) == [f"v{n:04d}" for n in range(0, 50, 5)]
    assert all(item["jlpt_level"] == 5 for item in body["vocabulary"])  # "5" (a string) never matches


def test_several_levels_unique_in_order(client, dynamodb_http):
    batch_put(dynamodb_http, "vocabulary", [vocab(n, [5, 4, 3, 2, 1][n % 5]) for n in range(25)])

    response = client.get(VOCABULARY, {"jlpt": " 4 ,5,4,,05", "limit": "50"})

    assert response.json()["filters"] == {"jlpt_levels": [4, 5], "limit": 50}
    assert {item["jlpt_level"] for item in response.json()["vocabulary"]} == {4, 5}
    assert len(response.json()["vocabulary"]) == 10


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("6", "Invalid JLPT level(s): 6. Must be integers between 1 and 5."),
        ("N5,0,abc", "Invalid JLPT level(s): N5, 0, abc. Must be integers between 1 and 5."),
        ("1.5", "Invalid JLPT level(s): 1.5. Must be integers between 1 and 5."),
        ("5, -1", "Invalid JLPT level(s): -1. Must be integers between 1 and 5."),
        ("\u0665", "Invalid JLPT level(s): \u0665. Must be integers between 1 and 5."),
        ("9" * 5000, f"Invalid JLPT level(s): {'9' * 5000}. Must be integers between 1 and 5."),
    ],
)
def test_invalid_levels_are_one_400_issue(client, dynamodb_http, scans, raw, message):
    response = client.get(SENTENCES, {"jlpt": raw})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"] == {"jlpt": [message]}
    assert scans == []


def test_repeated_jlpt_and_bad_limit_are_reported_together(client, dynamodb_http):
    response = client.get(f"{VOCABULARY}?jlpt=5&jlpt=4&limit=0")

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "limit": ["Too small: expected number to be >0"],
        "jlpt": ["Invalid input: expected string, received array"],
    }


@pytest.mark.parametrize("raw", ["", ",,", " , "])
def test_empty_level_lists_mean_no_filter(client, dynamodb_http, scans, raw):
    batch_put(dynamodb_http, "vocabulary", [vocab(n, None) for n in range(5)])

    response = client.get(VOCABULARY, {"jlpt": raw})

    assert response.json()["filters"] == {"jlpt_levels": "all", "limit": 10}
    assert len(response.json()["vocabulary"]) == 5
    assert [s.get("FilterExpression") for s in scans] == [None]


def test_without_filter_one_scan_page_of_three_times_limit_is_sampled(client, dynamodb_http, scans):
    batch_put(dynamodb_http, "vocabulary", [vocab(n, 5) for n in range(100)])

    seen: set[str] = set()
    for _ in range(12):
        items = client.get(VOCABULARY, {"limit": "4"}).json()["vocabulary"]
        assert len(items) == 4
        assert len({i["id"] for i in items}) == 4
        seen.update(i["id"] for i in items)

    assert all(s["Limit"] == 12 and "ExclusiveStartKey" not in s for s in scans)
    assert len(scans) == 12
    assert 4 < len(seen) <= 12  # random subsets of the same first page of 12


def test_filter_stops_once_enough_items_match(client, dynamodb_http, scans):
    batch_put(dynamodb_http, "vocabulary", [vocab(n, 5) for n in range(300)])

    response = client.get(VOCABULARY, {"jlpt": "5", "limit": "3"})

    assert len(response.json()["vocabulary"]) == 3
    assert len(scans) == 1  # the first page already had enough matches
    assert scans[0]["Limit"] == 1000


def test_filter_reads_at_most_1000_items(client, dynamodb_http, scans, caplog):
    # 1200 non-matching items with ~1.5 KB each: moto answers 1 MB pages, so it takes several Scans.
    filler = "x" * 1500
    items = [vocab(n, 3) | {"note": {"S": filler}} for n in range(1200)]
    batch_put(dynamodb_http, "vocabulary", items)

    response = client.get(VOCABULARY, {"jlpt": "1", "limit": "5"})

    assert response.status_code == 200
    assert response.json()["vocabulary"] == []
    assert len(scans) >= 2
    budget = 1000
    for scan in scans:
        assert scan["Limit"] == budget  # each page asks only for what is left of the budget
        budget -= scan["answered_scanned"]
    assert budget == 0  # 1000 read in all, never the whole 1200-item table
    assert "JLPT filter on vocabulary read 1000 items for 0 matches" in caplog.text


def test_sentences_filter_the_same_way(client, dynamodb_http):
    put(
        dynamodb_http,
        "sentences",
        {
            "id": "s1",
            "japanese_sentence": "猫です。",
            "english_translation": "cat",
            "jlpt_level": 5,
            "words_array": ["猫"],
        },
    )
    put(
        dynamodb_http,
        "sentences",
        {
            "id": "s2",
            "japanese_sentence": "犬です。",
            "english_translation": "dog",
            "jlpt_level": 4,
            "words_array": ["犬"],
        },
    )

    response = client.get(SENTENCES, {"jlpt": "4"})

    assert response.json() == {
        "sentences": [
            {
                "id": "s2",
                "japanese_sentence": "犬です。",
                "english_translation": "dog",
                "jlpt_level": 4,
                "words_array": ["犬"],
            }
        ],
        "filters": {"jlpt_levels": [4], "limit": 5},
    }
