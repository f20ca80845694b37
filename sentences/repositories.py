"""Saved-sentences repository. Table `vela-saved-sentences`: PK `user_id` (email), SK `sentence_id`."""

from __future__ import annotations

from sentences.records import SavedSentence
from vela.dynamodb import ConditionFailed, DynamoTable
from vela.errors import ConflictError


class SavedSentenceRepository:
    def __init__(self, table: DynamoTable | None = None) -> None:
        self._table = table or DynamoTable("saved_sentences")

    @property
    def table_name(self) -> str:
        return self._table.name

    def create(self, sentence: SavedSentence) -> None:
        """PutItem that never overwrites: an id collision is a ConflictError (the service retries)."""
        try:
            self._table.call(
                "put_item", Item=sentence.to_item(), ConditionExpression="attribute_not_exists(sentence_id)"
            )
        except ConditionFailed as exc:
            raise ConflictError("Sentence id already exists", code="sentence_id_taken") from exc

    def list_newest_first(self, *, user_id: str, limit: int) -> list[SavedSentence]:
        """Up to `limit` sentences, newest first; follows LastEvaluatedKey if a 1 MB page came back short."""
        found: list[SavedSentence] = []
        pages = self._table.pages(
            "query",
            KeyConditionExpression="user_id = :u",
            ExpressionAttributeValues={":u": {"S": user_id}},
            ScanIndexForward=False,
            Limit=limit,
        )
        for page in pages:
            found.extend(SavedSentence.from_item(item) for item in page)
            if len(found) >= limit:
                break
        return found[:limit]

    def delete(self, *, user_id: str, sentence_id: str) -> None:
        """Idempotent: deleting a sentence that does not exist is not an error."""
        self._table.call("delete_item", Key={"user_id": {"S": user_id}, "sentence_id": {"S": sentence_id}})
