import json
import os

import pandas as pd
import pytest

from bench.runner.store import ResultsStore, atomic_write_text


def _record(job, status="ok", **extra):
    return {
        "job": job,
        "cell": "fbank|none|gap",
        "backbone": "fbank",
        "vad": "none",
        "pooler": "gap",
        "protocol": "loso",
        "fold": int(job[-1]),
        "test_speaker": f"s{job[-1]}",
        "seed": 0,
        "ua": 0.5,
        "wa": 0.6,
        "status": status,
        "error": None if status == "ok" else "ValueError: boom",
        "history": [{"epoch": 1, "train_loss": 1.0, "valid_loss": 1.1, "valid_ua": 0.4, "lr": 0.001}],
        **extra,
    }


def test_rebuild_collects_results_predictions_and_history(tmp_path):
    store = ResultsStore(tmp_path)
    preds = pd.DataFrame({"job": ["j0", "j0"], "id": ["a", "b"], "true": ["sad", "angry"], "pred": ["sad", "sad"]})
    store.write(_record("j0"), preds)
    store.write(_record("j1", status="failed"), None)
    results = store.rebuild()
    assert results["job"].tolist() == ["j0", "j1"]
    assert results["status"].tolist() == ["ok", "failed"]
    assert list(results.columns[:9]) == [
        "job",
        "cell",
        "backbone",
        "vad",
        "pooler",
        "protocol",
        "fold",
        "test_speaker",
        "seed",
    ]
    assert pd.read_csv(tmp_path / "predictions.csv")["id"].tolist() == ["a", "b"]
    history = pd.read_csv(tmp_path / "history.csv")
    assert history["job"].tolist() == ["j0", "j1"] and history["valid_ua"].tolist() == [0.4, 0.4]
    assert store.statuses() == {"j0": "ok", "j1": "failed"}


def test_atomic_write_leaves_old_file_when_interrupted(tmp_path, monkeypatch):
    path = tmp_path / "x.json"
    atomic_write_text(path, json.dumps({"v": 1}))

    def broken_replace(src, dst):
        raise KeyboardInterrupt  # as if killed between writing and renaming

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(path, json.dumps({"v": 2}))
    assert json.loads(path.read_text()) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]  # no temporary file left behind
