"""`bench run --recipe xlsr-cnn-paper` end to end on a tiny ShEMO-layout tree (a tiny random
wav2vec2 stands in for XLSR-53, so nothing is downloaded)."""

import pandas as pd
import yaml

import bench.train
from runner_fixtures import run_cli
from dataset_audio import AudioWriter

SPEAKERS = ("F01", "F02", "M01")
CODES = "AHNSWF"  # anger, happiness, neutral, sadness, surprise, fear (dropped by 5class)


def shemo_tree(root):
    audio = AudioWriter(seed=4)
    for speaker in SPEAKERS:
        folder = "female" if speaker.startswith("F") else "male"
        for code in CODES:
            audio.good(root / folder / f"{speaker}{code}01.wav", seconds=0.6, sample_rate=44100)
    return root


def test_xlsr_cnn_recipe_runs_on_shemo_five_classes(tmp_path, capsys, monkeypatch):
    seen = []
    real_fit = bench.train.fit

    def recording_fit(train, valid, classes, pooler, params=None, config=None, seed=0, on_epoch=None):
        feats, _ = train.store.load(train.ids[0])
        seen.append((pooler, classes, feats.shape, config))
        return real_fit(train, valid, classes, pooler, params, config, seed=seed, on_epoch=on_epoch)

    monkeypatch.setattr(bench.train, "fit", recording_fit)
    root, out = shemo_tree(tmp_path / "ShEMO"), tmp_path / "run"
    rc, _, stderr = run_cli(
        capsys,
        "run",
        "--recipe",
        "xlsr-cnn-paper",
        "--data-dir",
        str(root),
        "--backbone",
        "tiny-wav2vec2",
        "--cache-dir",
        str(tmp_path / "cache"),
        "--out",
        str(out),
        "--set",
        "layers=2",
        "epochs=1",
        "folds=0,1",
        "probes=false",
    )
    assert rc == 0, stderr

    results = pd.read_csv(out / "results.csv")
    assert len(results) == 2 and (results["status"] == "ok").all(), results["error"].tolist()
    assert set(results["pooler"]) == {"cnn"} and results["ua"].between(0, 1).all()
    predictions = pd.read_csv(out / "predictions.csv")
    assert len(predictions) == int(results["n_test"].sum()) == 2 * 5  # one test speaker, five classes
    classes = ["angry", "happy", "neutral", "sad", "surprise"]
    assert sorted(predictions["true"].unique()) == classes and set(predictions["pred"]) <= set(classes)

    folds = pd.read_csv(out / "folds.csv")
    test_of = folds[folds["role"] == "test"].groupby("fold")["speaker"].unique().to_dict()
    valid_of = folds[folds["role"] == "valid"].groupby("fold")["speaker"].unique().to_dict()
    assert {f: list(s) for f, s in test_of.items()} == {0: ["F01"], 1: ["F02"], 2: ["M01"]}
    assert list(valid_of[0]) == ["F02"]  # ShEMO has no sessions: the next speaker validates

    for pooler, job_classes, shape, config in seen:  # the paper's recipe reached every job
        assert pooler == "cnn" and job_classes == classes
        assert shape[0] == 1 and shape[2] == 32  # the one cached layer of tiny-wav2vec2 (width 32)
        assert (config.optimizer, config.lr, config.batch_size, config.lr_schedule) == ("adam", 1e-3, 4, "constant")
        assert not config.class_weighting and config.beta == config.gamma == 0.0 and config.layer == -1
    assert len(seen) == 2

    recorded = yaml.safe_load((out / "config.yaml").read_text())
    assert (recorded["recipe"], recorded["dataset"], recorded["class_set"]) == ("xlsr-cnn-paper", "shemo", "5class")
    assert recorded["max_duration"] == 7.0 and recorded["grid"] == {"poolers": ["cnn"]}
    assert recorded["recipe_overrides"] == {"backbone": "tiny-wav2vec2", "epochs": 1, "layers": [2]}
