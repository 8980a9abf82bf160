"""Joining a training corpus and test corpora (bench.cross_corpus) and their fold plan (bench.folds)."""

import pandas as pd
import pytest

from bench.cross_corpus import combined_manifest, corpus_name, parse_test
from bench.errors import BenchError
from bench.folds import fold_plan


def _corpus(speakers, labels, session=True):
    return pd.DataFrame(
        [
            {"id": f"{s}_{label}", "speaker": s, "session": s[:2] if session else "", "label": label}
            for s in speakers
            for label in labels
        ]
    )


def test_names_and_test_specs():
    assert parse_test("emodb=~/EmoDB") == {"dataset": "emodb", "data_dir": "~/EmoDB", "manifest": None}
    assert parse_test("demo") == {"dataset": "demo", "data_dir": None, "manifest": None}
    assert parse_test("/data/street.csv")["manifest"] == "/data/street.csv"
    assert corpus_name(None, None, "/data/street.csv") == "street"
    assert corpus_name("csv", "/data/my_corpus/") == "my_corpus" and corpus_name("emodb", "/x") == "emodb"
    with pytest.raises(BenchError, match="expected ADAPTER=DIR"):
        parse_test("=dir")


def test_shared_classes_prefixed_ids_and_one_fold_per_test_corpus():
    joined = combined_manifest(
        [
            ("a", _corpus(["s1", "s2", "s3"], ["angry", "sad", "happy"])),
            ("b", _corpus(["s1"], ["angry", "sad", "fear"], session=False)),
            ("c", _corpus(["t1", "t2"], ["sad", "angry"])),
        ]
    )
    assert sorted(set(joined["label"])) == ["angry", "sad"]  # the names all three share
    assert list(joined["corpus"].unique()) == ["a", "b", "c"]
    assert set(joined.loc[joined["corpus"] == "b", "speaker"]) == {"b/s1"}  # no clash with a's s1
    assert set(joined.loc[joined["corpus"] == "b", "session"]) == {""} and joined["id"].is_unique
    plan = fold_plan(joined, "cross-corpus")
    roles = plan.groupby(["fold", "role"])["speaker"].agg(lambda s: sorted(set(s))).to_dict()
    assert roles == {
        (0, "train"): ["a/s2", "a/s3"],
        (0, "valid"): ["a/s1"],
        (0, "test"): ["b/s1"],
        (1, "train"): ["a/s2", "a/s3"],
        (1, "valid"): ["a/s1"],
        (1, "test"): ["c/t1", "c/t2"],
    }
    assert "valid" not in set(fold_plan(joined, "cross-corpus", "none")["role"])


def test_a_class_map_merges_and_drops_labels():
    joined = combined_manifest(
        [
            ("a", _corpus(["s1", "s2"], ["angry", "sad", "neutral"])),
            ("b", _corpus(["t1"], ["anger", "sadness", "boredom", "fear"])),
        ],
        {
            "a": {"angry": "angry", "sad": "sad", "neutral": "neutral"},
            "b": {"anger": "angry", "sadness": "sad", "boredom": "neutral"},
        },
    )
    test = joined[joined["corpus"] == "b"].set_index("id")["label"].to_dict()
    assert test == {"b/t1_anger": "angry", "b/t1_sadness": "sad", "b/t1_boredom": "neutral"}  # fear dropped


@pytest.mark.parametrize(
    "corpora, class_map, message",
    [
        ([("a", ["x", "y"]), ("a", ["x", "y"])], None, "corpus 'a' is named twice"),
        ([("a", ["x", "y"]), ("b", ["x", "z"])], None, "share 1 class\\(es\\) \\(x\\).*a: x, y; b: x, z"),
        (
            [("a", ["x", "y"]), ("b", ["x", "y"])],
            {"a": {"x": "x", "y": "y"}, "b": {"x": "x", "w": "y"}},
            "maps labels \\['w'\\] that corpus does not have",
        ),
    ],
)
def test_joins_that_cannot_work_are_refused(corpora, class_map, message):
    with pytest.raises(BenchError, match=message):
        combined_manifest([(name, _corpus(["s1", "s2"], labels)) for name, labels in corpora], class_map)


def test_the_protocol_needs_joined_corpora():
    with pytest.raises(BenchError, match="needs test corpora: give --test"):
        fold_plan(_corpus(["s1", "s2"], ["x", "y"]), "cross-corpus")
