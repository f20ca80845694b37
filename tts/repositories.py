"""DynamoDB access for TTS settings (table tts-settings, PK `user_id`), on the one boundary
(`vela.dynamodb.DynamoTable`: AWS failures become `vela.errors` there)."""

from __future__ import annotations

from typing import Any

from tts.records import TtsSettings
from vela.dynamodb import DynamoTable, from_item


def _text_or_null(value: str | None) -> dict[str, Any]:
    return {"S": value} if value else {"NULL": True}


class TtsSettingsRepository:
    """Key: `user_id` (S). Attributes: provider, api_key, voice_id|NULL, model|NULL, created_at, updated_at (N, ms)."""

    def __init__(self, table: DynamoTable | None = None) -> None:
        self._table = table or DynamoTable("tts_settings")

    def get(self, *, user_id: str) -> TtsSettings | None:
        item = self._table.call("get_item", Key={"user_id": {"S": user_id}}, ConsistentRead=True).get("Item")
        return TtsSettings.from_dict(from_item(item)) if item else None

    def save(
        self, *, user_id: str, provider: str, api_key: str, voice_id: str | None, model: str | None, now_ms: int
    ) -> None:
        """Upsert as HEAD: every field set, `created_at` kept from the first save."""
        self._table.call(
            "update_item",
            Key={"user_id": {"S": user_id}},
            UpdateExpression=(
                "SET #provider = :provider, api_key = :api_key, voice_id = :voice_id, #model = :model, "
                "updated_at = :now, created_at = if_not_exists(created_at, :now)"
            ),
            ExpressionAttributeNames={"#provider": "provider", "#model": "model"},
            ExpressionAttributeValues={
                ":provider": {"S": provider},
                ":api_key": {"S": api_key},
                ":voice_id": _text_or_null(voice_id),
                ":model": _text_or_null(model),
                ":now": {"N": str(now_ms)},
            },
        )
