"""Faults in the results store: truncated, foreign or incomplete job files are quarantined and rerun,
never silently dropped; text columns come back as the strings that were written."""

import json

import pandas as pd
import pytest

from bench.runner.store import ResultsStore


def _record(job, n_test=2, status="ok"):
    return {
        "job": job,
        "cell": "fbank|none|gap",
        "backbone": "fbank",
        "vad": "none",
        "pooler": "gap",
        "protocol": "loso",
        "fold": 0,
        "test_speaker": "NA",
        "seed": 0,
        "ua": 0.5,
        "n_test": n_test,
        "status": status,
        "error": None,
        "history": [],
    }


def _predictions(job, ids=("0013", "nan")):
    return pd.DataFrame(
        {
            "job": job,
            "cell": "fbank|none|gap",
            "fold": 0,
            "seed": 0,
            "id": list(ids),
            "speaker": (["NA", "None"] * 2)[: len(ids)],
            "true": "sad",
            "pred": "sad",
            "prob_sad": 1.0,
            "valence_true": [float("nan")] * len(ids),
            "valence_pred": [2.5] * len(ids),
        }
    )


@pytest.fixture
def store(tmp_path):
    store = ResultsStore(tmp_path)
    for job in ("j0", "j1", "j2"):
        store.write(_record(job), _predictions(job))
    return store


def _quarantined(store):
    return sorted(p.name.split(".")[0] for p in (store.jobs_dir / "quarantine").iterdir())


def test_truncated_job_json_is_quarantined_and_the_job_reruns(store):
    path = store.jobs_dir / "j1.json"
    path.write_text(path.read_text()[:40])
    with pytest.warns(UserWarning, match=r"j1\.json is unreadable .*will run again"):
        assert store.statuses() == {"j0": "ok", "j2": "ok"}
    assert _quarantined(store) == ["j1", "j1"]  # the record and its predictions, kept aside
    assert store.statuses() == {"j0": "ok", "j2": "ok"}  # no warning the second time: it was moved


@pytest.mark.parametrize("damage", ["missing", "truncated", "extra row"])
def test_ok_job_without_its_predictions_is_not_counted_done(store, damage):
    path = store.jobs_dir / "j2.predictions.csv"
    if damage == "missing":
        path.unlink()
    elif damage == "truncated":
        path.write_text("".join(path.read_text().splitlines(keepends=True)[:2]))
    else:
        _predictions("j2", ids=("a", "b", "c")).to_csv(path, index=False)
    with pytest.warns(UserWarning, match="j2.json is unreadable"):
        results = store.rebuild()
    assert results["job"].tolist() == ["j0", "j1"]
    rows = pd.read_csv(store.run_dir / "predictions.csv", dtype=str, keep_default_na=False)
    assert rows["job"].tolist() == ["j0", "j0", "j1", "j1"]  # nothing of j2, nothing half-there


def test_a_json_of_another_job_or_shape_is_quarantined(store):
    (store.jobs_dir / "j0.json").write_text(json.dumps(_record("j9")))
    (store.jobs_dir / "j1.json").write_text("[1, 2]")
    with pytest.warns(UserWarning):
        assert store.statuses() == {"j2": "ok"}


def test_prediction_text_columns_survive_as_strings(store):
    store.rebuild()
    rows = pd.read_csv(store.run_dir / "predictions.csv", dtype=str, keep_default_na=False)
    assert rows["id"].tolist() == ["0013", "nan"] * 3 and rows["speaker"].tolist() == ["NA", "None"] * 3
    assert store.predictions(_record("j0"))["valence_true"].isna().all()
