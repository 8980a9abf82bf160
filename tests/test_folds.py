import pandas as pd
import pytest

from bench.errors import BenchError
from bench.folds import check_plan, fold_plan, fold_summary, read_plan, split_ids, write_plan


def _manifest(sessions=5, per_speaker=3, with_sessions=True):
    rows = []
    for s in range(1, sessions + 1):
        for g in "FM":
            spk = f"Ses0{s}{g}"
            for i in range(per_speaker):
                rows.append({"id": f"{spk}_{i}", "speaker": spk, "session": f"Ses0{s}" if with_sessions else ""})
    return pd.DataFrame(rows)


def _roles_by_speaker(plan, fold):
    part = plan[plan["fold"] == fold]
    return part.groupby("speaker")["role"].agg(lambda r: set(r)).to_dict()


def test_loso_tests_each_speaker_once_and_validates_on_the_session_partner():
    manifest = _manifest()
    plan = fold_plan(manifest, "loso")
    assert plan["fold"].nunique() == 10
    assert len(plan) == 10 * len(manifest)
    tested = []
    for fold in range(10):
        roles = _roles_by_speaker(plan, fold)
        assert all(len(r) == 1 for r in roles.values()), "a speaker has two roles in one fold"
        test = [s for s, r in roles.items() if r == {"test"}]
        valid = [s for s, r in roles.items() if r == {"valid"}]
        assert len(test) == 1 and len(valid) == 1
        assert valid[0][:5] == test[0][:5] and valid[0] != test[0]  # same session, other speaker
        assert sum(r == {"train"} for r in roles.values()) == 8
        tested += test
    assert sorted(tested) == sorted(manifest["speaker"].unique())


def test_loso_without_sessions_falls_back_to_next_speaker_and_none_rule():
    manifest = _manifest(sessions=3, with_sessions=False)
    plan = fold_plan(manifest, "loso")
    speakers = sorted(manifest["speaker"].unique())
    for fold, test_speaker in enumerate(speakers):
        ids = split_ids(plan, fold)
        valid_speakers = set(manifest.set_index("id").loc[ids["valid"], "speaker"])
        assert valid_speakers == {speakers[(fold + 1) % len(speakers)]}
    no_valid = fold_plan(manifest, "loso", validation="none")
    assert set(no_valid["role"]) == {"train", "test"}


def test_loso_session_holds_out_whole_sessions():
    plan = fold_plan(_manifest(), "loso-session")
    assert plan["fold"].nunique() == 5
    summary = fold_summary(plan)
    assert summary["test_speakers"].tolist()[0] == "Ses01F Ses01M"
    assert summary["valid_speakers"].tolist()[0] == "Ses02F Ses02M"
    assert (summary["n_test"] == 6).all() and (summary["n_train"] == 18).all()
    with pytest.raises(BenchError, match="session"):
        fold_plan(_manifest(with_sessions=False), "loso-session")


def test_predefined_uses_the_split_column():
    manifest = _manifest(sessions=2)
    manifest["split"] = ["train", "dev", "test"] * (len(manifest) // 3)
    plan = fold_plan(manifest, "predefined")
    assert plan["fold"].unique().tolist() == [0]
    assert plan["role"].tolist() == ["train", "valid", "test"] * (len(manifest) // 3)
    manifest["split"] = "holdout"
    with pytest.raises(BenchError, match="split column"):
        fold_plan(manifest, "predefined")


def test_plan_round_trips_and_bad_plans_are_rejected(tmp_path):
    plan = fold_plan(_manifest(), "loso")
    write_plan(plan, tmp_path / "folds.csv")
    pd.testing.assert_frame_equal(read_plan(tmp_path / "folds.csv"), plan)
    leaky = plan.copy()
    leaky.loc[(leaky["fold"] == 0) & (leaky["id"] == "Ses01F_0"), "role"] = "train"
    with pytest.raises(BenchError, match="two roles"):
        check_plan(leaky)
    with pytest.raises(BenchError, match="unknown protocol"):
        fold_plan(_manifest(), "random")
    with pytest.raises(BenchError, match="at least"):
        fold_plan(_manifest(sessions=1), "loso")


def test_plan_keeps_speakers_and_ids_that_pandas_would_read_as_missing(tmp_path):
    names = ["NA", "nan", "None", "0013"]
    manifest = pd.DataFrame(
        [{"id": f"{n}" if k == 0 else f"{n}_{k}", "speaker": n, "session": ""} for n in names for k in range(2)]
    )
    plan = fold_plan(manifest, "loso", "next")
    write_plan(plan, tmp_path / "folds.csv")
    back = read_plan(tmp_path / "folds.csv")
    pd.testing.assert_frame_equal(back, plan)
    assert set(back["speaker"]) == set(names) and "0013" in split_ids(back, 0)["test"] + split_ids(back, 0)["train"]
