"""Dictionary lookup (HEAD §6): pick the Jisho entry for a word (and optional reading hint), map it."""

from __future__ import annotations

from dataclasses import dataclass

from dictionary import jisho
from vela.errors import NotFoundError

MAX_MEANINGS = 3


@dataclass(frozen=True, slots=True)
class Lookup:
    word: str
    reading: str
    meanings: list[str]
    jlpt: str | None  # None: the key is left out of the answer
    common: bool


def to_hiragana(text: str) -> str:
    """Katakana U+30A1..U+30F6 -> hiragana (-0x60), everything else unchanged (HEAD's normalisation)."""
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)


def choose(entries: list[jisho.Entry], reading: str) -> tuple[jisho.Entry, jisho.Variant | None]:
    """The first entry with a variant whose reading matches the hint (with that variant), else the first
    entry and its first variant."""
    if reading:
        hint = to_hiragana(reading)
        for entry in entries:
            for variant in entry.japanese:
                if variant.reading is not None and to_hiragana(variant.reading) == hint:
                    return entry, variant
    first = entries[0]
    return first, (first.japanese[0] if first.japanese else None)


def dictionary_lookup(*, word: str, reading: str = "") -> Lookup:
    """`word` and `reading` arrive trimmed; `word` is non-empty."""
    entries = jisho.search(word)
    if not entries:
        raise NotFoundError("No results found", code="no_results")
    entry, variant = choose(entries, reading)
    meanings = list(dict.fromkeys(entry.definitions))[:MAX_MEANINGS]
    return Lookup(
        word=(variant.word if variant and variant.word is not None else word),
        reading=(variant.reading if variant and variant.reading is not None else ""),
        meanings=meanings,
        jlpt=entry.jlpt[0] if entry.jlpt else None,
        common=entry.is_common,
    )
