"""The nested design on the tiny corpus: outputs, no test speaker in scoring, and `bench run --params`."""

import pytest
import yaml

import bench.train
from bench.folds import read_plan
from bench.runner import run_grid
from bench.tune import TuneOptions, run_tune
from tune_helpers import RecordingFit, tiny_tune_config


@pytest.fixture(scope="module")
def nested_run(tiny_manifest, cache_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("tune-nested")
    recorder = RecordingFit(tiny_manifest)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bench.train, "fit", recorder)
        options = TuneOptions(pooler="sap", trials=3, out=out, folds=1, sampler_seed=0)
        _, params = run_tune(tiny_tune_config(tiny_manifest, cache_dir), options, echo=lambda *_: None)
    return out, params, recorder


def test_best_params_file_has_the_folds_loss_weights(nested_run):
    out, params, _ = nested_run
    written = yaml.safe_load((out / "best_params.yaml").read_text())
    assert written == params and written["design"] == "nested" and list(written["folds"]) == [0]
    fold0 = written["folds"][0]
    assert fold0["alpha"] + fold0["beta"] + fold0["gamma"] == pytest.approx(1.0, abs=1e-5)
    assert {"lr", "proj_dim", "pooler.heads"} <= set(fold0)


def test_figures_and_summary(nested_run):
    out, _, _ = nested_run
    for name in ("history", "importance", "simplex"):
        assert (out / "figures" / f"fold0-{name}.png").stat().st_size > 1000
    summary = (out / "summary.md").read_text()
    assert "design: **nested**" in summary and "--set folds=0" in summary
    assert "| 3 | 0 | 0 | 0 |" in summary  # 3 complete, none pruned / failed / running


def test_fold0_test_speaker_is_never_trained_or_scored_on(nested_run, tiny_manifest):
    out, _, recorder = nested_run
    plan = read_plan(out / "folds.csv")
    fold0 = plan[plan["fold"] == 0]
    test_speaker = set(fold0.loc[fold0["role"] == "test", "speaker"])
    valid_speaker = set(fold0.loc[fold0["role"] == "valid", "speaker"])
    assert len(recorder.calls) == 3
    for call in recorder.calls:
        assert call["valid"] == valid_speaker
        assert not (call["train"] | call["valid"]) & test_speaker
    import optuna

    study = optuna.load_study(study_name="manifest-sap-nested-fold0", storage=f"sqlite:///{out / 'optuna.db'}")
    assert all(t.user_attrs["scoring_speakers"] == sorted(valid_speaker) for t in study.trials)


def test_best_params_round_trip_into_bench_run(nested_run, tiny_manifest, cache_dir, tmp_path, monkeypatch):
    out, params, _ = nested_run
    recorder = RecordingFit(tiny_manifest)
    monkeypatch.setattr(bench.train, "fit", recorder)
    config = tiny_tune_config(
        tiny_manifest, cache_dir, sets=["folds=0"], params_file=out / "best_params.yaml", grid=["poolers=sap"]
    )
    results = run_grid(config, tmp_path / "run", echo=lambda *_: None).results
    assert len(results) == 1 and (results["status"] == "ok").all()
    tuned = params["folds"][0]
    (call,) = recorder.calls
    assert (call["config"].alpha, call["config"].beta, call["config"].gamma) == (
        tuned["alpha"],
        tuned["beta"],
        tuned["gamma"],
    )
    assert call["config"].lr == tuned["lr"] and call["pooler_params"]["heads"] == tuned["pooler.heads"]


def test_running_an_untuned_fold_says_which_folds_are_covered(nested_run, tiny_manifest, cache_dir, tmp_path):
    from bench.errors import BenchError

    out, _, _ = nested_run
    config = tiny_tune_config(tiny_manifest, cache_dir, params_file=out / "best_params.yaml", grid=["poolers=sap"])
    with pytest.raises(BenchError, match="--set folds=0"):
        run_grid(config, tmp_path / "run", echo=lambda *_: None)
