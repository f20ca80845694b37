"""Game content (public data).

- Vocabulary, table `vela-vocabulary` (VOCABULARY_TABLE_NAME): partition key `id` (S), HEAD's
  deterministic id of the word and its reading (`vocabulary_id_for`; older rows may have random ids).
- Sentences, table `vela-sentences` (SENTENCES_TABLE_NAME): partition key `id` (S).

Items are returned exactly as stored (reference §5.4), so a record keeps the known attributes it
has (MISSING when absent) plus any others in `extra` (e.g. `jlpt_level` of the later seed script).
"""

from __future__ import annotations

import unicodedata
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


def to_katakana(text: str) -> str:
    """Hiragana U+3041..U+3096 -> katakana (+0x60); everything else unchanged."""
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)


def normalized_word(word: str) -> str:
    return unicodedata.normalize("NFKC", word)


def vocabulary_id_for(word: str, reading: str | None) -> str:
    """HEAD's deterministic id (delta §7): `NFKC(word)[:katakana(NFKC(reading))]` (inputs already trimmed).

    The one id of a word: `POST /api/vocabulary/from-word` and the demo seed both use it, so a seeded
    word added from the dictionary finds its row instead of making a second one."""
    base = normalized_word(word)
    return f"{base}:{to_katakana(normalized_word(reading))}" if reading else base
