"""The DynamoDB table catalogue (reference §6.3): the one source for keys, index, setting names and defaults.

`vela/settings.py` builds `DYNAMODB_TABLES` from it (`TableSpec.name_from(environment)`, legacy
names included), and so do provisioning (`deploy/provision.py`, from the stage's environment) and
the IAM policy; repositories, `manage.py dynamodb_tables` and the tests read the result. No Django
imports: settings import this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Index:
    name: str
    partition_key: tuple[str, str]
    sort_key: tuple[str, str] | None = None

    def definition(self) -> dict[str, Any]:
        """The index as CreateTable and UpdateTable take it (on-demand, every attribute projected)."""
        return {
            "IndexName": self.name,
            "KeySchema": _key_schema(self.partition_key, self.sort_key),
            "Projection": {"ProjectionType": "ALL"},
        }


@dataclass(frozen=True, slots=True)
class TableSpec:
    """`logical` is the key of settings.DYNAMODB_TABLES; keys are (attribute, type) with type S or N.

    The table's name is read from `env_names` in order (`overrides`, e.g. an original API name that
    wins, then `setting`, then `fallbacks`); unset or blank means the next one, then `default_name`.
    """

    logical: str
    setting: str
    default_name: str
    partition_key: tuple[str, str]
    sort_key: tuple[str, str] | None = None
    indexes: tuple[Index, ...] = field(default_factory=tuple)
    overrides: tuple[str, ...] = ()
    fallbacks: tuple[str, ...] = ()

    @property
    def env_names(self) -> tuple[str, ...]:
        return (*self.overrides, self.setting, *self.fallbacks)

    def name_from(self, read: Callable[[str], str] | Mapping[str, str]) -> str:
        """The table name given an environment (a mapping, or a reader returning "" when unset)."""
        get = read.get if isinstance(read, Mapping) else read
        for name in self.env_names:
            if value := str(get(name) or "").strip():
                return value
        return self.default_name

    def attribute_definitions(self) -> list[dict[str, str]]:
        """Every key attribute of the table and its indexes, with its type."""
        attributes = dict([self.partition_key])
        for key in (self.sort_key, *(k for index in self.indexes for k in (index.partition_key, index.sort_key))):
            if key:
                attributes[key[0]] = key[1]
        return [{"AttributeName": n, "AttributeType": t} for n, t in attributes.items()]

    def create_table_kwargs(self, name: str) -> dict[str, Any]:
        """Arguments for `client.create_table`: on-demand billing, same keys and GSI as production."""
        kwargs: dict[str, Any] = {
            "TableName": name,
            "KeySchema": _key_schema(self.partition_key, self.sort_key),
            "BillingMode": "PAY_PER_REQUEST",
        }
        if self.indexes:
            kwargs["GlobalSecondaryIndexes"] = [index.definition() for index in self.indexes]
        kwargs["AttributeDefinitions"] = self.attribute_definitions()
        return kwargs

    def add_index_kwargs(self, name: str, index: Index) -> dict[str, Any]:
        """Arguments for `client.update_table` adding `index` to an existing table (one index per call)."""
        return {
            "TableName": name,
            "AttributeDefinitions": self.attribute_definitions(),
            "GlobalSecondaryIndexUpdates": [{"Create": index.definition()}],
        }


def _key_schema(partition_key: tuple[str, str], sort_key: tuple[str, str] | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition_key[0], "KeyType": "HASH"}]
    if sort_key:
        schema.append({"AttributeName": sort_key[0], "KeyType": "RANGE"})
    return schema


CHAT_HISTORY_USER_INDEX = "UserIdIndex"
SRS_NEXT_REVIEW_INDEX = "NextReviewDateIndex"
# Game content by JLPT level (HEAD §8.6's filter): only rows with a numeric `jlpt_level` are in it, which
# are exactly the rows the filter can match (a string "5" never matches, §13.9). Sort key `id`: every
# row has it, so no row needs a new attribute to be found.
JLPT_LEVEL_INDEX = "JlptLevelIndex"
_JLPT_INDEX = Index(JLPT_LEVEL_INDEX, ("jlpt_level", "N"), ("id", "S"))

TABLES: tuple[TableSpec, ...] = (
    TableSpec("profiles", "PROFILES_TABLE_NAME", "vela-profiles", ("user_id", "S")),
    TableSpec("vocabulary", "VOCABULARY_TABLE_NAME", "vela-vocabulary", ("id", "S"), indexes=(_JLPT_INDEX,)),
    TableSpec("sentences", "SENTENCES_TABLE_NAME", "vela-sentences", ("id", "S"), indexes=(_JLPT_INDEX,)),
    TableSpec("game_sessions", "GAME_SESSIONS_TABLE_NAME", "vela-game-sessions", ("user_id", "S"), ("session_id", "S")),
    TableSpec("daily_progress", "DAILY_PROGRESS_TABLE_NAME", "vela-daily-progress", ("user_id", "S"), ("date", "S")),
    TableSpec(
        "chat_history",
        "DYNAMODB_TABLE_NAME",
        "vela-chat-history",
        ("ThreadId", "S"),
        ("Timestamp", "N"),
        (Index(CHAT_HISTORY_USER_INDEX, ("UserId", "S"), ("Timestamp", "N")),),
        fallbacks=("DDB_TABLE",),  # the original API's name
    ),
    # Partition key holds the user's email (legacy data), not the Cognito sub.
    TableSpec(
        "saved_sentences",
        "SAVED_SENTENCES_TABLE_NAME",
        "vela-saved-sentences",
        ("user_id", "S"),
        ("sentence_id", "S"),
        overrides=("MY_DICTIONARIES_TABLE_NAME",),  # the original API's name, which it read first
    ),
    TableSpec("tts_settings", "TTS_SETTINGS_TABLE_NAME", "vela-tts-settings", ("user_id", "S")),
    # SRS progress (HEAD delta §5.1): due items are read by the index, ordered by next review.
    TableSpec(
        "user_vocabulary_progress",
        "USER_VOCABULARY_PROGRESS_TABLE_NAME",
        "vela-user-vocabulary-progress",
        ("user_id", "S"),
        ("vocabulary_id", "S"),
        (Index(SRS_NEXT_REVIEW_INDEX, ("user_id", "S"), ("next_review_date", "S")),),
    ),
)

SPECS = {spec.logical: spec for spec in TABLES}


def table_names(configured: Mapping[str, str]) -> dict[str, str]:
    """logical name -> real table name, from settings.DYNAMODB_TABLES."""
    return {spec.logical: configured.get(spec.logical, spec.default_name) for spec in TABLES}


def table_names_from_env(read: Callable[[str], str] | Mapping[str, str]) -> dict[str, str]:
    """logical name -> real table name, read from an environment as settings and provisioning do."""
    return {spec.logical: spec.name_from(read) for spec in TABLES}
