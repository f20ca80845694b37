"""Reads through the boundary's client skip botocore's item parsing (vela.dynamodb.raw_reads) and give
the codec the same values as botocore's parsed items would, over a moto server over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from vela.dynamodb import DynamoTable, from_item
from vela.errors import ApplicationError

EVERY_TYPE = {
    "s": {"S": "テキスト"},
    "n": {"N": "12.5"},
    "i": {"N": "7"},
    "b": {"B": b"\x00\xffbytes"},
    "bs": {"BS": [b"\x01", b"\x02\x03"]},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2.5"]},
    "m": {"M": {"inner": {"L": [{"S": "x"}, {"NULL": True}, {"BOOL": False}, {"B": b"\x10"}]}}},
    "t": {"BOOL": True},
}


def _put(ddb: Any, table: str, user_id: str) -> None:
    ddb.put_item(TableName=table, Item={"user_id": {"S": user_id}, **EVERY_TYPE})


@pytest.fixture
def profiles(dynamodb_http: Any, settings: Any) -> tuple[Any, DynamoTable]:
    table = DynamoTable("profiles")
    for user_id in ("u1", "u2", "u3"):
        _put(dynamodb_http, table.name, user_id)
    return dynamodb_http, table


def test_get_item_gives_the_codec_what_botocore_would(profiles: tuple[Any, DynamoTable]) -> None:
    ddb, table = profiles
    parsed = ddb.get_item(TableName=table.name, Key={"user_id": {"S": "u1"}})["Item"]

    raw = table.call("get_item", Key={"user_id": {"S": "u1"}})

    assert isinstance(raw["Item"]["b"]["B"], str)  # the wire's base64 text: botocore did not parse it
    assert from_item(raw["Item"]) == from_item(parsed)
    assert from_item(raw["Item"])["b"] == "AP9ieXRlcw=="
    assert raw["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_scan_pages_follow_last_evaluated_key_and_batch_get_reads_every_table(
    profiles: tuple[Any, DynamoTable],
) -> None:
    ddb, table = profiles
    expected = from_item(ddb.get_item(TableName=table.name, Key={"user_id": {"S": "u2"}})["Item"])

    pages = list(table.pages("scan", Limit=1))
    found = table.batch_get_keys([{"user_id": {"S": u}} for u in ("u1", "u2", "u3", "nobody")], projection="user_id, m")

    assert [len(page) for page in pages if page] == [1, 1, 1]
    assert sorted(from_item(page[0])["user_id"] for page in pages if page) == ["u1", "u2", "u3"]
    assert all(from_item(page[0])["b"] == expected["b"] for page in pages if page)
    assert sorted(from_item(item)["user_id"] for item in found) == ["u1", "u2", "u3"]
    assert all(from_item(item)["m"] == expected["m"] for item in found)


def test_a_read_that_finds_nothing_and_a_failed_read_are_unchanged(profiles: tuple[Any, DynamoTable]) -> None:
    _, table = profiles

    assert "Item" not in table.call("get_item", Key={"user_id": {"S": "nobody"}})
    with pytest.raises(ApplicationError) as caught:
        DynamoTable("profiles").call("get_item", Key={"wrong_key": {"S": "x"}})

    assert (caught.value.status_code, caught.value.code) == (500, "dynamodb_validation")
