"""`--split-file`: a fold file in the format `bench folds` writes, checked against the manifest."""

import hashlib

import pandas as pd
import pytest

from bench.errors import BenchError
from bench.folds import fold_plan
from bench.split_file import file_digest, read_split_file


def _manifest():
    rows = [
        {"id": f"{spk}_{i}", "speaker": spk, "session": spk[:5]}
        for spk in ("Ses01F", "Ses01M", "Ses02F", "Ses02M")
        for i in range(3)
    ]
    return pd.DataFrame(rows)


def _written(tmp_path, plan, name="split.csv"):
    path = tmp_path / name
    plan.to_csv(path, index=False)  # what write_plan writes, damaged columns included
    return path


def test_a_plan_bench_folds_wrote_reads_back_identically(tmp_path):
    manifest = _manifest()
    plan = fold_plan(manifest, "loso")
    shuffled = plan.sample(frac=1, random_state=0)  # row order in the file does not matter
    read = read_split_file(_written(tmp_path, shuffled), manifest)
    pd.testing.assert_frame_equal(read, plan)


def test_roles_are_spelled_freely_and_digest_is_sha256_of_the_bytes(tmp_path):
    manifest = _manifest()
    plan = fold_plan(manifest, "loso").assign(
        role=lambda p: p["role"].map({"train": "Train", "valid": "dev", "test": "TEST"})
    )
    path = _written(tmp_path, plan)
    assert set(read_split_file(path, manifest)["role"]) == {"train", "valid", "test"}
    assert file_digest(path) == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda p: p.drop(columns="role"), "lacks columns \\['role'\\]"),
        (lambda p: p.assign(fold="first"), "fold must be a whole number"),
        (lambda p: p.assign(role=p["role"].replace("valid", "holdout")), "role must be one of"),
        (
            lambda p: p.assign(id=p["id"].replace("Ses01F_0", "Ses09F_0")),
            "names 1 utterance id\\(s\\) the manifest lacks: Ses09F_0",
        ),
        (
            lambda p: p[~((p["fold"] == 1) & (p["id"] == "Ses02M_2"))],
            "fold 1 gives no role to 1 of the manifest's 12 utterances: Ses02M_2",
        ),
        (lambda p: pd.concat([p, p.head(1)]), "fold 0 lists 1 id\\(s\\) more than once: Ses01F_0"),
        (lambda p: p.assign(speaker=p["speaker"].replace("Ses01F", "F1")), "speaker of 3 id\\(s\\) differs"),
        (lambda p: p.assign(role=p["role"].where(p["fold"] != 2, "train")), "fold 2 lacks a test set"),
        (
            lambda p: p.assign(role=p["role"].where(~((p["fold"] == 0) & (p["id"] == "Ses01F_1")), "train")),
            "fold 0 puts speaker\\(s\\) Ses01F in both train and test",
        ),
    ],
)
def test_bad_split_files_are_refused_with_what_to_do(tmp_path, damage, message):
    manifest = _manifest()
    path = _written(tmp_path, damage(fold_plan(manifest, "loso")))
    with pytest.raises(BenchError, match=message):
        read_split_file(path, manifest)


def test_a_validation_speaker_may_also_train_but_the_file_must_exist(tmp_path):
    manifest = _manifest()
    plan = fold_plan(manifest, "loso")
    plan.loc[(plan["fold"] == 0) & (plan["id"] == "Ses01M_0"), "role"] = "train"  # Ses01M validates and trains
    assert len(read_split_file(_written(tmp_path, plan), manifest)) == len(plan)
    with pytest.raises(BenchError, match="split file not found: .*bench folds --out"):
        read_split_file(tmp_path / "missing.csv", manifest)
