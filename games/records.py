"""Game content (public data).

- Vocabulary, table `vela-vocabulary` (VOCABULARY_TABLE_NAME): partition key `id` (S).
- Sentences, table `vela-sentences` (SENTENCES_TABLE_NAME): partition key `id` (S).

Items are returned exactly as stored (reference §5.4), so a record keeps the known attributes it
has (MISSING when absent) plus any others in `extra` (e.g. `jlpt_level` of the later seed script).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vela.dynamodb.codec import MISSING
from vela.records import VerbatimRecord


@dataclass(frozen=True, slots=True)
class VocabularyItem(VerbatimRecord):
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
class SentenceItem(VerbatimRecord):
    id: str
    japanese_sentence: str = MISSING
    english_translation: str = MISSING
    difficulty_level: Any = MISSING
    category: str = MISSING
    created_at: str = MISSING
    words_array: list[str] = MISSING
    extra: Mapping[str, Any] = field(default_factory=dict)
