"""`vela.dynamodb.batch_get`: one BatchGetItem over several tables, unprocessed keys re-sent (moto over HTTP)."""

import pytest

from tests.dynamo_helpers import put
from vela.aws import dynamodb_client
from vela.dynamodb import BATCH_ATTEMPTS, DynamoTable, batch_get, from_item
from vela.errors import ApplicationError, UpstreamError


class HoldingBack:
    """moto never answers with UnprocessedKeys, so this client holds back the first key of each table
    in the first `times` calls (as DynamoDB does under throttling) and forwards the rest to moto."""

    def __init__(self, client, *, times):
        self.client, self.times, self.calls = client, times, []

    def __getattr__(self, name):
        return getattr(self.client, name)

    def batch_get_item(self, RequestItems):
        self.calls.append({name: [key for key in request["Keys"]] for name, request in RequestItems.items()})
        if len(self.calls) > self.times:
            return self.client.batch_get_item(RequestItems=RequestItems)
        held = {name: {**request, "Keys": request["Keys"][:1]} for name, request in RequestItems.items()}
        sent = {name: {**request, "Keys": request["Keys"][1:]} for name, request in RequestItems.items()}
        sent = {name: request for name, request in sent.items() if request["Keys"]}
        response = self.client.batch_get_item(RequestItems=sent) if sent else {"Responses": {}}
        return {**response, "UnprocessedKeys": held}


@pytest.fixture
def two_tables(dynamodb_http):
    for word in ("a", "b"):
        put(dynamodb_http, "vocabulary", {"id": word, "japanese_word": word})
    put(dynamodb_http, "user_vocabulary_progress", {"user_id": "u", "vocabulary_id": "a", "total_reviews": 3})
    return dynamodb_http


def _request(vocabulary, progress):
    return {
        vocabulary: {"Keys": [{"id": {"S": "a"}}, {"id": {"S": "b"}}, {"id": {"S": "gone"}}]},
        progress: {"Keys": [{"user_id": {"S": "u"}, "vocabulary_id": {"S": "a"}}], "ConsistentRead": True},
    }


def test_items_of_both_tables_in_one_call(two_tables):
    vocabulary, progress = DynamoTable("vocabulary"), DynamoTable("user_vocabulary_progress")

    found = batch_get(_request(vocabulary, progress))

    assert sorted(from_item(item)["id"] for item in found[vocabulary]) == ["a", "b"]
    assert [from_item(item) for item in found[progress]] == [{"user_id": "u", "vocabulary_id": "a", "total_reviews": 3}]


def test_unprocessed_keys_of_every_table_are_resent_with_backoff(two_tables):
    flaky = HoldingBack(dynamodb_client(validate=False), times=2)
    vocabulary = DynamoTable("vocabulary", client=flaky)
    progress = DynamoTable("user_vocabulary_progress", client=flaky)
    sleeps = []

    found = batch_get(_request(vocabulary, progress), sleep=sleeps.append)

    assert sorted(from_item(item)["id"] for item in found[vocabulary]) == ["a", "b"]
    assert len(found[progress]) == 1
    assert len(sleeps) == 2  # one back-off before each re-send (vela.dynamodb.backoff_delay)
    assert 0 <= sleeps[0] <= 0.05
    assert 0 <= sleeps[1] <= 0.1
    # The re-sends carry only what was held back: the first key of each table.
    assert flaky.calls[1] == {vocabulary.name: [{"id": {"S": "a"}}], progress.name: flaky.calls[0][progress.name]}
    assert len(flaky.calls) == 3


def test_keys_still_unprocessed_after_every_attempt_are_an_upstream_error(two_tables):
    stuck = HoldingBack(dynamodb_client(validate=False), times=100)
    vocabulary = DynamoTable("vocabulary", client=stuck)
    progress = DynamoTable("user_vocabulary_progress", client=stuck)

    with pytest.raises(UpstreamError) as excinfo:
        batch_get(_request(vocabulary, progress), sleep=lambda seconds: None)

    assert len(stuck.calls) == BATCH_ATTEMPTS
    assert (excinfo.value.status_code, excinfo.value.code) == (502, "dynamodb_throttled")
    assert excinfo.value.message == f"DynamoDB left 2 items unprocessed after {BATCH_ATTEMPTS} attempts."


def test_a_missing_table_is_named(two_tables, settings):
    settings.DYNAMODB_TABLES = {**settings.DYNAMODB_TABLES, "vocabulary": "vela-gone"}

    with pytest.raises(ApplicationError) as excinfo:
        batch_get(_request(DynamoTable("vocabulary"), DynamoTable("user_vocabulary_progress")))

    assert excinfo.value.code == "table_not_found"
    assert "vela-gone" in excinfo.value.message


def test_nothing_asked_is_no_call():
    assert batch_get({}) == {}
