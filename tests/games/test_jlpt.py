"""Games `jlpt` filters and random sampling (HEAD §8.6, §5.9) against a moto server over real HTTP.

DynamoDB calls are counted with a botocore event hook on the app's own client, so the bounded reads
(one Scan page of 3 x limit without a filter; with one, a Query of `JlptLevelIndex` per level reading
only matching rows, at most 1000) are asserted.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.dynamo_helpers import drop, put
from vela.dynamodb_admin import tables_create
from vela.dynamodb_schema import JLPT_LEVEL_INDEX, SPECS

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


def _sent(operation: str, answered: str, answer_key: str):
    """Every `operation` the app sends (on its own client): the parameters, plus `answer_key` of the answer."""
    from vela.aws import dynamodb_client

    seen: list[dict] = []

    def before(params, **kwargs):
        seen.append(dict(params))

    def after(parsed, **kwargs):
        seen[-1][answered] = parsed.get(answer_key)

    events = dynamodb_client(validate=False).meta.events
    events.register(f"provide-client-params.dynamodb.{operation}", before)
    events.register(f"after-call.dynamodb.{operation}", after)
    yield seen
    events.unregister(f"provide-client-params.dynamodb.{operation}", before)
    events.unregister(f"after-call.dynamodb.{operation}", after)


@pytest.fixture
def scans(dynamodb_http):
    yield from _sent("Scan", "answered_scanned", "ScannedCount")


@pytest.fixture
def queries(dynamodb_http):
    yield from _sent("Query", "answered_count", "Count")


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


def test_filter_reads_only_matching_rows_one_query_per_level(client, dynamodb_http, scans, queries):
    batch_put(dynamodb_http, "vocabulary", [vocab(n, [5, 4, 3, 2, 1][n % 5]) for n in range(300)])

    response = client.get(VOCABULARY, {"jlpt": "5,4", "limit": "3"})

    assert len(response.json()["vocabulary"]) == 3
    assert scans == []
    assert [(q["IndexName"], q["ExpressionAttributeValues"]) for q in queries] == [
        (JLPT_LEVEL_INDEX, {":level": {"N": "5"}}),
        (JLPT_LEVEL_INDEX, {":level": {"N": "4"}}),
    ]
    assert [q["answered_count"] for q in queries] == [60, 60]  # matches only: 120 of the 300 rows


def test_filter_samples_every_match_not_a_first_page(client, dynamodb_http, queries):
    batch_put(dynamodb_http, "vocabulary", [vocab(n, 5) for n in range(30)])

    seen: set[str] = set()
    for _ in range(12):
        items = client.get(VOCABULARY, {"jlpt": "5", "limit": "4"}).json()["vocabulary"]
        assert len({i["id"] for i in items}) == 4
        seen.update(i["id"] for i in items)

    assert len(queries) == 12
    assert len(seen) > 12  # random subsets of all 30 matches (about 25 seen), not of the first 12


def test_filter_reads_at_most_1000_matches(client, dynamodb_http, queries, caplog):
    batch_put(dynamodb_http, "vocabulary", [vocab(n, 3) for n in range(1200)])

    response = client.get(VOCABULARY, {"jlpt": "3", "limit": "5"})

    assert response.status_code == 200
    assert len(response.json()["vocabulary"]) == 5
    assert [(q["Limit"], q["answered_count"]) for q in queries] == [(1000, 1000)]  # never the 1200
    assert "JLPT level 3 of vocabulary: pool stopped at 1000 items" in caplog.text


def test_an_existing_table_gains_the_index_and_string_levels_stay_out(client, dynamodb_http, settings, queries):
    """Tables made before the index: `dynamodb_tables create` (and provisioning) add it; DynamoDB's backfill
    leaves out rows whose `jlpt_level` is not a number, which never matched anyway (HEAD §13.9)."""
    ddb = dynamodb_http
    name = drop(ddb, "vocabulary")
    ddb.get_waiter("table_not_exists").wait(TableName=name)
    old = SPECS["vocabulary"].create_table_kwargs(name)
    del old["GlobalSecondaryIndexes"]
    old["AttributeDefinitions"] = [{"AttributeName": "id", "AttributeType": "S"}]
    ddb.create_table(**old)
    batch_put(ddb, "vocabulary", [vocab(n, [5, "5", None][n % 3]) for n in range(9)])
    report: list[str] = []

    tables_create(ddb, {"vocabulary": name}, only=["vocabulary"], report=report.append)
    response = client.get(VOCABULARY, {"jlpt": "5"})

    assert f"{name}: adding index {JLPT_LEVEL_INDEX}" in report
    indexes = ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"]
    assert [(i["IndexName"], i["IndexStatus"]) for i in indexes] == [(JLPT_LEVEL_INDEX, "ACTIVE")]
    assert sorted(item["id"] for item in response.json()["vocabulary"]) == ["v0000", "v0003", "v0006"]
    assert len(queries) == 1
    tables_create(ddb, {"vocabulary": name}, only=["vocabulary"], report=report.append)  # idempotent
    assert report.count(f"{name}: adding index {JLPT_LEVEL_INDEX}") == 1


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
