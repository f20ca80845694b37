"""Games services called directly: the sampling rules with a fake repository passed as `repo=` (to see
which pool was asked for), the JLPT filters and the demo seed against in-process moto (`dynamodb`)."""

import json
import re

import pytest

from games.records import SentenceItem, VocabularyItem, vocabulary_id_for
from games.services import (
    DEFAULT_SENTENCE_LIMIT,
    DEFAULT_VOCABULARY_LIMIT,
    SeedResult,
    demo_data,
    demo_data_seed,
    sentence_list,
    vocabulary_list,
)
from tests.dynamo_helpers import drop, get, put, scan
from vela.errors import ApplicationError


class FakeContent:
    """A content repository holding `count` items; records which pool the service asked for."""

    def __init__(self, count):
        self.items = [VocabularyItem(id=f"v{n:03d}") for n in range(count)]
        self.asked = []

    def first_page(self, *, limit):
        self.asked.append(("first_page", limit))
        return self.items[:limit]

    def with_jlpt_levels(self, *, levels):
        self.asked.append(("with_jlpt_levels", levels))
        return list(self.items)


def ids(items):
    return sorted(item.id for item in items)


def test_without_levels_a_limit_is_sampled_from_one_page_of_three_times_limit():
    repo = FakeContent(100)

    items = vocabulary_list(limit=7, repo=repo)

    assert repo.asked == [("first_page", 21)]
    assert len(items) == 7
    assert len(set(ids(items))) == 7
    assert set(ids(items)) <= {f"v{n:03d}" for n in range(21)}


def test_the_sample_is_random_not_the_first_items():
    repo = FakeContent(30)

    samples = [tuple(item.id for item in vocabulary_list(limit=10, repo=repo)) for _ in range(20)]

    seen = {item_id for sample in samples for item_id in sample}
    assert len(seen) > 10  # 20 identical draws of 10 from 30 has probability ~1e-130
    assert len(set(samples)) > 1


def test_a_pool_smaller_than_limit_is_returned_whole():
    repo = FakeContent(4)

    items = sentence_list(limit=5, repo=repo)

    assert ids(items) == ["v000", "v001", "v002", "v003"]


@pytest.mark.parametrize("levels", [None, []], ids=["none", "empty"])
def test_no_levels_means_no_filter(levels):
    repo = FakeContent(50)

    vocabulary_list(levels=levels, repo=repo)

    assert repo.asked == [("first_page", 3 * DEFAULT_VOCABULARY_LIMIT)]


def test_levels_sample_from_every_match_not_a_first_page():
    repo = FakeContent(50)

    items = sentence_list(limit=3, levels=[5, 4], repo=repo)

    assert repo.asked == [("with_jlpt_levels", [5, 4])]
    assert len(items) == 3


def vocab(n, level):
    item = {"id": f"v{n:03d}", "japanese_word": f"語{n}"}
    if level is not None:
        item["jlpt_level"] = level
    return item


def test_jlpt_filter_returns_only_items_of_a_numeric_matching_level(dynamodb):
    for n in range(20):
        put(dynamodb, "vocabulary", vocab(n, [5, 4, "5", None][n % 4]))

    items = vocabulary_list(limit=100, levels=[5])

    assert ids(items) == [f"v{n:03d}" for n in range(0, 20, 4)]  # "5", a string, never matches
    assert {item.to_dict()["jlpt_level"] for item in items} == {5}


def test_several_levels_are_pooled_then_limited(dynamodb):
    for n in range(30):
        put(dynamodb, "sentences", {"id": f"s{n:03d}", "jlpt_level": [5, 4, 3][n % 3]})

    items = sentence_list(limit=4, levels=[3, 5])

    assert len(items) == 4
    assert all(isinstance(item, SentenceItem) and item.to_dict()["jlpt_level"] in (3, 5) for item in items)


def test_default_limits_against_a_real_table(dynamodb):
    for n in range(40):
        put(dynamodb, "vocabulary", vocab(n, 5))
        put(dynamodb, "sentences", {"id": f"s{n:03d}", "japanese_sentence": "文"})

    assert (len(vocabulary_list()), len(sentence_list())) == (DEFAULT_VOCABULARY_LIMIT, DEFAULT_SENTENCE_LIMIT)
    assert (DEFAULT_VOCABULARY_LIMIT, DEFAULT_SENTENCE_LIMIT) == (10, 5)


def test_items_come_back_verbatim(dynamodb):
    item = {"id": "v1", "japanese_word": "猫", "jlpt_level": 5, "weight": 0.5, "tags": ["a"]}
    put(dynamodb, "vocabulary", item)

    assert [found.to_dict() for found in vocabulary_list(levels=[5])] == [item]


def test_a_missing_table_is_table_not_found(dynamodb):
    name = drop(dynamodb, "sentences")

    with pytest.raises(ApplicationError, match=name) as raised:
        sentence_list()

    assert (raised.value.code, raised.value.status_code) == ("table_not_found", 500)


def test_demo_data_is_real_japanese_with_reference_shapes():
    data = demo_data()

    assert len(data["vocabulary"]) >= 30
    assert len(data["sentences"]) >= 12
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    for item in data["vocabulary"]:
        assert {"id", "japanese_word", "romaji", "english_translation", "created_at"} <= set(item)
        assert japanese.search(item["japanese_word"])
        assert item.get("hiragana") or item.get("katakana")
    for item in data["sentences"]:
        assert {"id", "japanese_sentence", "english_translation", "created_at", "words_array"} <= set(item)
        assert "".join(item["words_array"]) == re.sub("[、。]", "", item["japanese_sentence"])
    ids = [i["id"] for i in data["vocabulary"] + data["sentences"]]
    assert len(ids) == len(set(ids))


def test_demo_vocabulary_has_heads_deterministic_ids():
    vocabulary = demo_data()["vocabulary"]

    by_word = {item["japanese_word"]: item for item in vocabulary}
    assert by_word["食べる"]["id"] == "食べる:タベル"
    assert by_word["コーヒー"]["id"] == "コーヒー:コーヒー"  # a katakana reading
    assert by_word["食べる"]["normalized_japanese_word"] == "食べる"
    for item in vocabulary:
        assert item["id"] == vocabulary_id_for(item["japanese_word"], item.get("hiragana") or item.get("katakana"))


def write_demo(tmp_path, vocabulary, sentences):
    path = tmp_path / "demo.json"
    path.write_text(json.dumps({"vocabulary": vocabulary, "sentences": sentences}), encoding="utf-8")
    return path


def test_demo_data_ignores_a_vocabulary_id_in_the_file(tmp_path):
    path = write_demo(tmp_path, [{"id": "random-1", "japanese_word": " \uff21\uff22\uff23 ", "katakana": "ｴｰ"}], [])

    [item] = demo_data(path)["vocabulary"]

    assert (item["id"], item["normalized_japanese_word"]) == ("ABC:エー", "ABC")


def test_seed_writes_what_is_missing_and_leaves_existing_ids_alone(dynamodb, tmp_path):
    path = write_demo(
        tmp_path,
        [{"japanese_word": "水", "hiragana": "みず"}, {"japanese_word": "猫", "hiragana": "ねこ"}],
        [{"id": "s1", "japanese_sentence": "はい。"}],
    )
    put(dynamodb, "vocabulary", {"id": "猫:ネコ", "english_translation": "kept"})
    messages = []

    first = demo_data_seed(path=path, progress=messages.append)
    second = demo_data_seed(path=path)

    assert first == [SeedResult("vocabulary", 1, 1), SeedResult("sentences", 1, 0)]
    assert second == [SeedResult("vocabulary", 0, 2), SeedResult("sentences", 0, 1)]
    assert messages == ["vocabulary: 1 written, 1 already present", "sentences: 1 written, 0 already present"]
    assert get(dynamodb, "vocabulary", id="猫:ネコ") == {"id": "猫:ネコ", "english_translation": "kept"}
    assert get(dynamodb, "vocabulary", id="水:ミズ")["normalized_japanese_word"] == "水"
    assert len(scan(dynamodb, "sentences")) == 1
