"""DynamoDB access for TTS settings (table tts-settings, PK `user_id`)."""

from __future__ import annotations

from typing import Any

from tts.records import TtsSettings
from vela.aws import dynamodb_table


class TtsSettingsRepository:
    def __init__(self, table: Any | None = None) -> None:
        self._table = table or dynamodb_table("tts_settings")

    def get(self, *, user_id: str) -> TtsSettings | None:
        item = self._table.get_item(Key={"user_id": user_id}, ConsistentRead=True).get("Item")
        return TtsSettings.from_item(item) if item else None

    def put(self, settings: TtsSettings) -> None:
        self._table.put_item(Item=settings.to_item())
