"""Game content (HEAD §8.6): random vocabulary items / sentences, optionally of some JLPT levels; the demo seed."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from games.records import SentenceItem, VocabularyItem, normalized_word, vocabulary_id_for
from games.repositories import SentenceRepository, VocabularyRepository

SEED_DIR = Path(__file__).resolve().parent / "seed"
DEFAULT_VOCABULARY_LIMIT = 10
DEFAULT_SENTENCE_LIMIT = 5
MAX_LIMIT = 100


_random = random.SystemRandom()


def vocabulary_list(
    *, limit: int = DEFAULT_VOCABULARY_LIMIT, levels: list[int] | None = None, repo: VocabularyRepository | None = None
) -> list[Any]:
    return _sample(repo or VocabularyRepository(), limit=limit, levels=levels)


def sentence_list(
    *, limit: int = DEFAULT_SENTENCE_LIMIT, levels: list[int] | None = None, repo: SentenceRepository | None = None
) -> list[Any]:
    return _sample(repo or SentenceRepository(), limit=limit, levels=levels)


def _sample(repo: VocabularyRepository | SentenceRepository, *, limit: int, levels: list[int] | None) -> list[Any]:
    """HEAD §8.6: a random `limit` of the first 3 x limit items, or of the items matching `levels` (all of
    them up to the repository's bound: HEAD's pool when the table has at most 1000 rows)."""
    pool = repo.first_page(limit=3 * limit) if not levels else repo.with_jlpt_levels(levels=levels)
    _random.shuffle(pool)
    return pool[:limit]


@dataclass(frozen=True, slots=True)
class SeedResult:
    table: str
    written: int
    skipped: int


def demo_data(path: Path | None = None) -> dict[str, list[dict[str, Any]]]:
    """The demo set. Vocabulary ids are HEAD's deterministic ones, derived from the word and its reading
    (the id `POST /api/vocabulary/from-word` gives them), with `normalized_japanese_word`, as HEAD's seed
    script writes them; an `id` in the file is not used."""
    with (path or SEED_DIR / "demo.json").open(encoding="utf-8") as handle:
        data: dict[str, list[dict[str, Any]]] = json.load(handle)
    data["vocabulary"] = [_with_deterministic_id(item) for item in data.get("vocabulary", [])]
    return data


def _with_deterministic_id(item: dict[str, Any]) -> dict[str, Any]:
    word = item["japanese_word"].strip()
    reading = (item.get("hiragana") or item.get("katakana") or "").strip() or None
    return {**item, "id": vocabulary_id_for(word, reading), "normalized_japanese_word": normalized_word(word)}


def demo_data_seed(
    *,
    path: Path | None = None,
    vocabulary_repo: VocabularyRepository | None = None,
    sentence_repo: SentenceRepository | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> list[SeedResult]:
    """Put the demo vocabulary and sentences; items whose fixed `id` already exists are left alone (idempotent)."""
    data = demo_data(path)
    results = []
    plan = (
        ("vocabulary", data.get("vocabulary", []), vocabulary_repo or VocabularyRepository(), VocabularyItem),
        ("sentences", data.get("sentences", []), sentence_repo or SentenceRepository(), SentenceItem),
    )
    for name, items, repo, record in plan:
        present = repo.existing_ids(list(dict.fromkeys(item["id"] for item in items)))
        missing = [record.from_dict(item) for item in items if item["id"] not in present]
        repo.put_many(missing)
        results.append(SeedResult(table=name, written=len(missing), skipped=len(items) - len(missing)))
        progress(f"{name}: {len(missing)} written, {len(items) - len(missing)} already present")
    return results
