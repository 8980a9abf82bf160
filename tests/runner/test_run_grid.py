"""The grid runner on a tiny corpus: results, resume after SIGKILL, failed jobs, Dask."""

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
import yaml

import bench.train
from bench.runner import run_grid
from runner_fixtures import numbers, tiny_config


@pytest.fixture(scope="module")
def reference_run(tiny_manifest, cache_dir, tmp_path_factory):
    """An uninterrupted run of 2 poolers x 2 seeds x 4 folds, in this process."""
    out = tmp_path_factory.mktemp("reference")
    outcome = run_grid(tiny_config(tiny_manifest, cache_dir), out, echo=lambda *_: None)
    run_dir, results = outcome.run_dir, outcome.results
    return run_dir, results


def test_grid_writes_the_run_folder_contract(reference_run):
    run_dir, results = reference_run
    for name in ("config.yaml", "manifest.csv", "folds.csv", "results.csv", "predictions.csv", "history.csv"):
        assert (run_dir / name).is_file(), name
    assert len(results) == 2 * 2 * 4 and (results["status"] == "ok").all()
    assert sorted(results["cell"].unique()) == ["fbank|energy|gap", "fbank|energy|sap-noattn"]
    assert results["ua"].between(0, 1).all() and (results["n_test"] == 8).all()
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    assert config["expected_jobs"] == 16 and config["classes"] == ["angry", "happy", "neutral", "sad"]
    assert "torch" in config["environment"]["packages"]
    # the features' backbone, as the cache identifies it (hub id, revision, commit for a hub model)
    assert [f["revision"] for f in config["features"]] == ["built-in (log-mel filterbank, no weights)"]
    predictions = pd.read_csv(run_dir / "predictions.csv")
    assert len(predictions) == 16 * 8
    # each job tests exactly its fold's test speaker
    folds = pd.read_csv(run_dir / "folds.csv")
    for job, part in predictions.groupby("job"):
        fold = results.set_index("job").loc[job, "fold"]
        test_ids = set(folds[(folds["fold"] == fold) & (folds["role"] == "test")]["id"])
        assert set(part["id"]) == test_ids
    # UA recomputed from the stored predictions equals the stored UA
    from sklearn.metrics import balanced_accuracy_score

    for job, part in predictions.groupby("job"):
        assert balanced_accuracy_score(part["true"], part["pred"]) == pytest.approx(
            results.set_index("job").loc[job, "ua"]
        )


def test_same_command_again_runs_nothing(reference_run, tiny_manifest, cache_dir):
    run_dir, results = reference_run
    stamps = {p: p.stat().st_mtime_ns for p in (run_dir / "jobs").glob("*.json")}
    again = run_grid(tiny_config(tiny_manifest, cache_dir), run_dir, echo=lambda *_: None).results
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    pd.testing.assert_frame_equal(numbers(again), numbers(results))


def test_a_failing_job_is_recorded_and_the_rest_finish(tiny_manifest, cache_dir, tmp_path, monkeypatch):
    real_fit = bench.train.fit

    def flaky_fit(train, valid, classes, pooler, *args, seed=0, **kwargs):
        if pooler == "sap-noattn" and seed == 1:
            raise RuntimeError("simulated out-of-memory")
        return real_fit(train, valid, classes, pooler, *args, seed=seed, **kwargs)

    monkeypatch.setattr(bench.train, "fit", flaky_fit)
    config = tiny_config(tiny_manifest, cache_dir, grid=("poolers=gap,sap-noattn", "seeds=0,1"), sets=("folds=0",))
    results = run_grid(config, tmp_path, echo=lambda *_: None).results
    failed = results[results["status"] == "failed"]
    assert len(results) == 4 and len(failed) == 1
    assert "simulated out-of-memory" in failed["error"].iloc[0]
    monkeypatch.setattr(bench.train, "fit", real_fit)
    skipped = run_grid(config, tmp_path, echo=lambda *_: None).results  # failed jobs stay failed ...
    assert (skipped["status"] == "failed").sum() == 1
    retried = run_grid(config, tmp_path, retry_failed=True, echo=lambda *_: None).results  # ... until retried
    assert (retried["status"] == "ok").all()


def test_sigkill_and_resume_loses_nothing_and_repeats_nothing(reference_run, tiny_manifest, cache_dir, tmp_path):
    out = tmp_path / "run"
    argv = [
        sys.executable,
        "-m",
        "bench",
        "run",
        "--manifest",
        str(tiny_manifest),
        "--backbone",
        "fbank",
        "--vad",
        "energy",
        "--cache-dir",
        str(cache_dir),
        "--set",
        "epochs=3",
        "batch_size=8",
        "min_steps=0",
        "probes=false",
        "--grid",
        "poolers=gap,sap-noattn",
        "seeds=0,1",
        "--out",
        str(out),
    ]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((out / "jobs").glob("*.json"))) < 3:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = {p: p.stat().st_mtime_ns for p in (out / "jobs").glob("*.json")}
    assert 3 <= len(finished) < 16, "the run was not interrupted part-way"
    resumed = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(finished)} already done" in resumed.stdout
    assert {p: p.stat().st_mtime_ns for p in finished} == finished  # no finished job ran again
    results = pd.read_csv(out / "results.csv")
    pd.testing.assert_frame_equal(numbers(results), numbers(reference_run[1]))  # the same numbers


def test_dask_local_cluster_gives_the_same_numbers(reference_run, tiny_manifest, cache_dir, tmp_path):
    config = tiny_config(tiny_manifest, cache_dir, sets=("folds=0,1",))
    results = run_grid(config, tmp_path, executor="dask", workers=2, echo=lambda *_: None).results
    reference = reference_run[1]
    expected = reference[reference["fold"].isin([0, 1])]
    pd.testing.assert_frame_equal(numbers(results), numbers(expected))


def test_saved_models_serve_bench_predict(tiny_manifest, cache_dir, tmp_path):
    config = tiny_config(tiny_manifest, cache_dir, grid=("poolers=sap",), sets=("folds=0", "save_models=true"))
    outcome = run_grid(config, tmp_path, echo=lambda *_: None)
    run_dir, results = outcome.run_dir, outcome.results
    (job,) = results["job"]
    model_dir = run_dir / "models" / job
    wav = pd.read_csv(tiny_manifest)["path"].iloc[0]
    out = subprocess.run(
        [sys.executable, "-m", "bench", "predict", "--model", str(model_dir), "--json", wav],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    (prediction,) = json.loads(out.stdout)
    probabilities = prediction["probabilities"]
    assert set(probabilities) == {"angry", "happy", "neutral", "sad"} and abs(sum(probabilities.values()) - 1) < 1e-4
    # the saved model gives the file the probabilities the job gave it (features were cached in
    # fp16 for the job and computed afresh in fp32 here, hence the tolerance)
    stored = pd.read_csv(run_dir / "predictions.csv").set_index("id")
    utt = pd.read_csv(tiny_manifest).set_index("path").loc[wav, "id"]
    assert utt in stored.index, "the first utterance belongs to fold 0's test speaker"
    for name, p in probabilities.items():
        assert p == pytest.approx(stored.loc[utt, f"prob_{name}"], abs=0.02)


def test_probe_cells_run_once_per_backbone_and_vad_with_the_first_seed(tiny_manifest, cache_dir, tmp_path):
    from bench.train.probes import PROBES

    config = tiny_config(tiny_manifest, cache_dir, grid=("poolers=gap", "seeds=3,4"), sets=("folds=0",))
    config.probes = True
    results = run_grid(config, tmp_path, echo=lambda *_: None).results
    probes = results[results["pooler"].isin(list(PROBES))]
    assert sorted(probes["cell"]) == sorted(f"fbank|energy|{name}" for name in PROBES)
    assert (probes["seed"] == 3).all() and (probes["status"] == "ok").all() and (probes["epochs"] == 0).all()
    assert len(results) == 2 + len(PROBES)


def test_a_runs_own_config_yaml_resumes_it(reference_run, tmp_path):
    from bench.runner.config import resolve

    run_dir, results = reference_run
    stamps = {p: p.stat().st_mtime_ns for p in (run_dir / "jobs").glob("*.json")}
    config = resolve({}, str(run_dir / "config.yaml"))
    assert config.digest() == yaml.safe_load((run_dir / "config.yaml").read_text())["config_digest"]
    again = run_grid(config, run_dir, echo=lambda *_: None).results
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps  # nothing ran again
    pd.testing.assert_frame_equal(numbers(again), numbers(results))


def test_the_paper_recipe_fine_tunes_the_cells_backbone_on_audio(tiny_manifest, cache_dir, tmp_path, monkeypatch):
    from bench.runner.config import resolve
    from bench.train import WaveStore

    real_fit, seen = bench.train.fit, []

    def recording_fit(train, valid, classes, pooler, pooler_params=None, config=None, seed=0, on_epoch=None):
        result = real_fit(train, valid, classes, pooler, pooler_params, config, seed=seed, on_epoch=on_epoch)
        seen.append((config, type(train.store), result.model.mixing))
        return result

    monkeypatch.setattr(bench.train, "fit", recording_fit)
    config = resolve(
        {
            "manifest": str(tiny_manifest),
            "backbone": "tiny-wavlm",
            "vad": "energy",
            "cache_dir": str(cache_dir),
            "recipe": "sap-paper",
        },
        None,
        ["epochs=1", "batch_size=8", "folds=0", "probes=false", "layers=0,2"],
        ["poolers=gap"],
    )
    results = run_grid(config, tmp_path, echo=lambda *_: None).results
    assert (results["status"] == "ok").all(), results["error"].tolist()
    ((train_config, store_type, mixing),) = seen
    assert (train_config.mode, train_config.backbone, train_config.layers) == ("finetune", "tiny-wavlm", [0, 2])
    assert train_config.lr == 3e-5 and store_type is WaveStore  # the paper's lr; audio, not cached features
    # the paper pools the model's output: of the layers 0 and 2, only the last, and no learned mix
    assert mixing.logits is None and mixing.weights().tolist() == [0.0, 1.0]
    # the cache holds only speech masks (fbank), not the fine-tuned backbone's features: no identity claimed
    (features,) = yaml.safe_load((tmp_path / "config.yaml").read_text())["features"]
    assert features["revision"].startswith("loaded by each fine-tuning job")
