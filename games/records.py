"""Game content (public data).

- Vocabulary, table `vela-vocabulary` (VOCABULARY_TABLE_NAME): partition key `id` (S).
- Sentences, table `vela-sentences` (SENTENCES_TABLE_NAME): partition key `id` (S).

Items are returned exactly as stored (reference §5.4), so a record keeps the known attributes it
has (MISSING when absent) plus any others in `extra` (e.g. `jlpt_level` of the later seed script).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from vela.dynamodb_codec import MISSING


class _Verbatim:
    """to_dict/from_dict shared by the content records: known attributes first, then extras."""

    __slots__ = ()
    extra: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        known = [f.name for f in fields(self) if f.name != "extra"]  # type: ignore[arg-type]
        data = {name: getattr(self, name) for name in known}
        data.update(self.extra)
        return {k: v for k, v in data.items() if v is not MISSING}

    @classmethod
    def from_dict(cls, item: Mapping[str, Any]) -> Any:
        known = {f.name for f in fields(cls) if f.name != "extra"}  # type: ignore[arg-type]
        return cls(
            **{k: v for k, v in item.items() if k in known}, extra={k: v for k, v in item.items() if k not in known}
        )


@dataclass(frozen=True, slots=True)
class VocabularyItem(_Verbatim):
    id: str
    japanese_word: str = MISSING
    hiragana: str = MISSING
    katakana: str = MISSING
    romaji: str = MISSING
    english_translation: str = MISSING
    difficulty_level: Any = MISSING
    category: str = MISSING
    example_sentence_jp: str = MISSING
    example_sentence_en: str = MISSING
    audio_url: str = MISSING
    created_at: str = MISSING
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SentenceItem(_Verbatim):
    id: str
    japanese_sentence: str = MISSING
    english_translation: str = MISSING
    difficulty_level: Any = MISSING
    category: str = MISSING
    created_at: str = MISSING
    words_array: list[str] = MISSING
    extra: Mapping[str, Any] = field(default_factory=dict)
