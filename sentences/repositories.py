"""Saved-sentences repository. Table `vela-saved-sentences`: PK `user_id` (email), SK `sentence_id`."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from django.conf import settings

from sentences.records import SavedSentence
from vela.aws import dynamodb_table
from vela.dynamo_boundary import client_error_code, translate_errors
from vela.errors import ConflictError

LOGICAL_TABLE = "saved_sentences"


class SavedSentenceRepository:
    def __init__(self, table: Any | None = None) -> None:
        self._table = table if table is not None else dynamodb_table(LOGICAL_TABLE)

    @property
    def table_name(self) -> str:
        return str(getattr(self._table, "name", settings.DYNAMODB_TABLES[LOGICAL_TABLE]))

    def create(self, sentence: SavedSentence) -> None:
        """PutItem that never overwrites: an id collision is a ConflictError (the service retries)."""
        item = sentence.to_item()
        with translate_errors(self.table_name):
            try:
                self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(sentence_id)")
            except ClientError as exc:
                if client_error_code(exc) == "ConditionalCheckFailedException":
                    raise ConflictError("Sentence id already exists", code="sentence_id_taken") from exc
                raise

    def get(self, *, user_id: str, sentence_id: str) -> SavedSentence | None:
        """One sentence by key, strongly consistent (an idempotent replay reads what the first save wrote)."""
        with translate_errors(self.table_name):
            item = self._table.get_item(Key={"user_id": user_id, "sentence_id": sentence_id}, ConsistentRead=True)
        found = item.get("Item")
        return SavedSentence.from_item(found) if found else None

    def list_newest_first(self, *, user_id: str, limit: int) -> list[SavedSentence]:
        """Up to `limit` sentences, newest first; follows LastEvaluatedKey if a 1 MB page came back short."""
        found: list[SavedSentence] = []
        kwargs: dict[str, Any] = {"KeyConditionExpression": Key("user_id").eq(user_id), "ScanIndexForward": False}
        with translate_errors(self.table_name):
            while len(found) < limit:
                page = self._table.query(Limit=limit - len(found), **kwargs)
                found.extend(SavedSentence.from_item(item) for item in page.get("Items", []))
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return found[:limit]

    def delete(self, *, user_id: str, sentence_id: str) -> None:
        """Idempotent: deleting a sentence that does not exist is not an error."""
        with translate_errors(self.table_name):
            self._table.delete_item(Key={"user_id": user_id, "sentence_id": sentence_id})
