"""Cross-corpus runs: train on one tiny corpus, test on others over shared or mapped classes, with
intervals over test speakers checked against scipy and scikit-learn on the stored predictions."""

import pandas as pd
import pytest
import yaml
from scipy import stats
from sklearn.metrics import balanced_accuracy_score

from bench.datasets import prepare_dataset
from bench.manifest import write_manifest
from bench.runner import run_grid
from bench.runner.config import PlanError
from runner_fixtures import run_cli, tiny_config


def _corpus(path, speakers, rename=None):
    """A demo cut: ``speakers``, 2 utterances per class, labels renamed by ``rename``."""
    manifest = prepare_dataset("demo").manifest
    manifest = manifest[manifest["speaker"].isin(speakers)].groupby(["speaker", "label"], group_keys=False).head(2)
    write_manifest(manifest.assign(label=manifest["label"].replace(rename or {})).reset_index(drop=True), path)
    return path


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpora")
    return {
        "lab": _corpus(folder / "lab.csv", ["S03F", "S03M", "S04F"], {"angry": "anger"}),
        "street": _corpus(folder / "street.csv", ["S04M"]),
    }


def _config(tiny_manifest, cache_dir, tests, class_map=None, seeds="0,1"):
    config = tiny_config(tiny_manifest, cache_dir, grid=("poolers=gap", f"seeds={seeds}"))
    return config.__class__(
        **{**config.to_dict(), "test": [str(t) for t in tests], "protocol": "cross-corpus", "class_map": class_map}
    )


def test_each_test_corpus_is_a_fold_with_an_interval_over_its_speakers(tiny_manifest, cache_dir, corpora, tmp_path):
    from bench.report import write_report

    run_dir = tmp_path / "run"
    results = run_grid(
        _config(tiny_manifest, cache_dir, [corpora["lab"], corpora["street"]]), run_dir, echo=lambda *_: None
    ).results
    assert (results["status"] == "ok").all() and sorted(set(results["fold"])) == [0, 1]
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    assert config["classes"] == ["happy", "neutral", "sad"]  # "anger" is not "angry": only the shared names
    folds = pd.read_csv(run_dir / "folds.csv", keep_default_na=False)
    fold0 = folds[folds["fold"] == 0].groupby("role")["speaker"].agg(lambda s: sorted(set(s))).to_dict()
    assert fold0 == {
        "train": ["manifest/S01M", "manifest/S02F", "manifest/S02M"],
        "valid": ["manifest/S01F"],
        "test": ["lab/S03F", "lab/S03M", "lab/S04F"],
    }
    assert set(folds.loc[(folds["fold"] == 1) & (folds["role"] == "test"), "speaker"]) == {"street/S04M"}

    pairs = pd.read_csv(run_dir / "cross_corpus.csv")
    assert list(zip(pairs["train"], pairs["test"])) == [("manifest", "lab"), ("manifest", "street")]
    predictions = pd.read_csv(run_dir / "predictions.csv", keep_default_na=False)
    lab = predictions[predictions["fold"] == 0]
    per_speaker = lab.groupby("speaker").apply(
        lambda p: p.groupby("seed").apply(lambda s: balanced_accuracy_score(s["true"], s["pred"])).mean() * 100
    )
    low, high = stats.t.interval(0.95, len(per_speaker) - 1, loc=per_speaker.mean(), scale=stats.sem(per_speaker))
    row = pairs.iloc[0]
    assert (row.n_speakers, row.ua_mean, row.ua_low, row.ua_high) == pytest.approx((3, per_speaker.mean(), low, high))
    pooled = lab.groupby("seed").apply(lambda s: balanced_accuracy_score(s["true"], s["pred"])).mean() * 100
    assert row.ua_pooled == pytest.approx(pooled)
    assert pairs.iloc[1].n_speakers == 1 and pd.isna(pairs.iloc[1].ua_low)  # one speaker: no interval

    write_report(run_dir)
    assert "## Cross-corpus: per (train, test) pair" in (run_dir / "report.md").read_text()


def test_a_class_map_merges_labels_and_the_cli_runs_it(tiny_manifest, cache_dir, corpora, tmp_path, capsys):
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        yaml.safe_dump(
            {
                "manifest": {"angry": "angry", "happy": "happy", "neutral": "neutral", "sad": "sad"},
                "lab": {"anger": "angry", "happy": "happy", "sad": "sad"},
            }
        )
    )
    out = tmp_path / "run"
    rc, stdout, err = run_cli(
        capsys,
        "run",
        "--manifest",
        str(tiny_manifest),
        "--backbone",
        "fbank",
        "--vad",
        "energy",
        "--cache-dir",
        str(cache_dir),
        "--test",
        str(corpora["lab"]),
        "--class-map",
        str(mapping),
        "--set",
        "epochs=2",
        "min_steps=0",
        "probes=false",
        "--grid",
        "poolers=gap",
        "--out",
        str(out),
    )
    assert rc == 0, err
    config = yaml.safe_load((out / "config.yaml").read_text())
    assert config["protocol"] == "cross-corpus" and config["class_map"]["lab"]["anger"] == "angry"
    assert config["classes"] == ["angry", "happy", "neutral", "sad"]
    predictions = pd.read_csv(out / "predictions.csv", keep_default_na=False)
    assert set(predictions["true"]) == {"angry", "happy", "sad"}  # lab's neutral is not in its map: dropped
    assert "over test speakers" in stdout and "manifest" in stdout and "lab" in stdout


def test_too_few_shared_classes_or_a_bad_map_stop_before_any_work(tiny_manifest, cache_dir, tmp_path):
    odd = _corpus(tmp_path / "odd.csv", ["S03F"], {"angry": "x", "happy": "y", "neutral": "z", "sad": "sad"})
    with pytest.raises(PlanError, match="share 1 class\\(es\\) \\(sad\\).*--class-map"):
        run_grid(_config(tiny_manifest, cache_dir, [odd]), tmp_path / "a", echo=lambda *_: None)
    with pytest.raises(PlanError, match="no mapping for corpus 'odd'"):
        run_grid(
            _config(tiny_manifest, cache_dir, [odd], class_map={"manifest": {"sad": "sad"}}),
            tmp_path / "b",
            echo=lambda *_: None,
        )
    with pytest.raises(PlanError, match="test corpus 'odd' classes \\['x'\\] that the training corpus"):
        run_grid(
            _config(
                tiny_manifest,
                cache_dir,
                [odd],
                class_map={"manifest": {"sad": "sad", "happy": "happy"}, "odd": {"x": "x", "sad": "sad"}},
            ),
            tmp_path / "c",
            echo=lambda *_: None,
        )
    assert not any((tmp_path / name).exists() for name in "abc")
