"""The dev-speakers design: trials score on the development speakers, which a later run never tests."""

import pytest
import yaml

import bench.train
from bench.errors import BenchError
from bench.runner import run_grid
from bench.tune import TuneOptions, run_tune
from tune_helpers import RecordingFit, tiny_tune_config


@pytest.fixture(scope="module")
def dev_run(tiny_manifest, cache_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("tune-dev")
    recorder = RecordingFit(tiny_manifest)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bench.train, "fit", recorder)
        options = TuneOptions(
            pooler="gap", trials=2, out=out, design="dev-speakers", dev_speakers=["S02M"], sampler_seed=0, pruner="none"
        )
        run_tune(tiny_tune_config(tiny_manifest, cache_dir), options, echo=lambda *_: None)
    return out, recorder


def test_dev_design_scores_on_dev_speakers_only(dev_run):
    out, recorder = dev_run
    params = yaml.safe_load((out / "best_params.yaml").read_text())
    assert params["design"] == "dev-speakers" and params["dev_speakers"] == ["S02M"]
    assert params["alpha"] + params["beta"] + params["gamma"] == pytest.approx(1.0, abs=1e-5)
    assert "pooler.heads" not in params  # gap has no heads
    for call in recorder.calls:
        assert call["valid"] == {"S02M"} and "S02M" not in call["train"]
    summary = (out / "summary.md").read_text()
    assert "design: **dev-speakers**" in summary and "folds 3" in summary


def test_later_run_never_tests_a_dev_speaker(dev_run, tiny_manifest, cache_dir, tmp_path):
    out, _ = dev_run
    config = tiny_tune_config(tiny_manifest, cache_dir, params_file=out / "best_params.yaml", grid=["poolers=gap"])
    results = run_grid(config, tmp_path / "run", echo=lambda *_: None).results
    assert sorted(results["fold"]) == [0, 1, 2] and "S02M" not in set(results["test_speaker"])
    asked = tiny_tune_config(
        tiny_manifest, cache_dir, params_file=out / "best_params.yaml", grid=["poolers=gap"], sets=["folds=3"]
    )
    with pytest.raises(BenchError, match="development speakers"):
        run_grid(asked, tmp_path / "run2", echo=lambda *_: None)


def test_unknown_dev_speaker_lists_the_valid_ones(tiny_manifest, cache_dir, tmp_path):
    options = TuneOptions(pooler="gap", trials=1, out=tmp_path, design="dev-speakers", dev_speakers=["S09X"])
    with pytest.raises(BenchError, match="S09X.*S01F, S01M, S02F, S02M"):
        run_tune(tiny_tune_config(tiny_manifest, cache_dir), options, echo=lambda *_: None)
