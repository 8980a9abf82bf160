"""`bench layers`: per-layer probe scores against the probe's own fit on each layer, the
summary against scipy's t interval, and the command end to end on a tiny corpus with tiny-wavlm."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from runner_fixtures import run_cli


@pytest.fixture(scope="module")
def tiny_wavlm_plan(tiny_manifest, cache_dir):
    """The planned tiny corpus (4 speakers, LOSO) and its tiny-wavlm feature store (3 hidden states)."""
    from bench.runner.config import resolve
    from bench.runner.run import extract_features, prepare

    config = resolve({"manifest": str(tiny_manifest), "backbone": "tiny-wavlm", "vad": "energy",
                      "cache_dir": str(cache_dir)}, None, ["probes=false"], ["poolers=gap"], None)
    plan = prepare(config)
    stores = extract_features(plan, lambda _: None)
    return plan, stores[plan.feature_sets[0].key]


def test_layer_scores_match_the_probe_fitted_on_each_layer(tiny_wavlm_plan):
    from bench.folds import split_ids
    from bench.layers.profile import MEAN, layer_scores
    from bench.runner.jobs import utterance_set
    from bench.stats import unweighted_accuracy
    from bench.train.probes import fit_probe

    plan, store = tiny_wavlm_plan
    scores = layer_scores(plan.manifest, plan.fold_table, plan.classes, store, "tiny-wavlm", ["gap", "stats"], [0, 2])
    table = plan.manifest.set_index("id", drop=False)
    assert len(scores) == 2 * 2 * (3 + 1)  # folds x poolers x (3 hidden states + the mean mix)
    for row in scores.itertuples():
        split = split_ids(plan.fold_table, row.fold)
        sets = {r: utterance_set(table, split[r], plan.classes, store) for r in split}
        layer = None if row.layer == MEAN else row.layer
        model, info = fit_probe(sets["train"], sets["valid"], plan.classes, f"probe-{row.pooler}", layer)
        expected = unweighted_accuracy(sets["test"].labels, model.predict(sets["test"]).probs.argmax(axis=1))
        assert row.C == info["C"]
        assert row.ua == pytest.approx(expected, abs=1e-12)


def test_summary_is_the_t_interval_over_folds():
    from bench.layers.outputs import summarise

    rng = np.random.default_rng(0)
    scores = pd.DataFrame([{"backbone": "b", "pooler": "gap", "layer": layer, "fold": f, "ua": rng.uniform(), "C": 1.0}
                           for layer in (10, 2, 0, "mean") for f in range(5)])
    summary = summarise(scores)
    assert list(summary["layer"]) == ["0", "2", "10", "mean"]  # layers in numeric order, mixes last
    for r in summary.itertuples():
        ua = scores.loc[scores["layer"].astype(str) == r.layer, "ua"].to_numpy() * 100
        low, high = stats.t.interval(0.95, len(ua) - 1, loc=ua.mean(), scale=stats.sem(ua))
        assert (r.ua_mean, r.ua_low, r.ua_high, r.n_folds) == pytest.approx((ua.mean(), low, high, 5))


def test_bench_layers_writes_table_figure_and_report_section(tiny_manifest, cache_dir, tmp_path, capsys):
    out = tmp_path / "profile"
    rc, stdout, err = run_cli(capsys, "layers", "--manifest", str(tiny_manifest), "--backbones", "tiny-wavlm,fbank",
                              "--vad", "energy", "--poolers", "gap,sap-noattn", "--cache-dir", str(cache_dir),
                              "--set", "epochs=1", "min_steps=0", "batch_size=8", "--out", str(out))
    assert rc == 0, err
    summary = pd.read_csv(out / "tables" / "layers.csv", dtype={"layer": str})
    wavlm = summary[(summary["backbone"] == "tiny-wavlm") & (summary["pooler"] == "gap")]
    assert list(wavlm["layer"]) == ["0", "1", "2", "mean", "learned"]
    assert (wavlm["n_folds"] == 4).all() and summary["ua_mean"].between(0, 100).all()
    scores = pd.read_csv(out / "layer_scores.csv")
    assert set(scores["backbone"]) == {"tiny-wavlm", "fbank"} and set(scores["fold"]) == {0, 1, 2, 3}
    for suffix in ("png", "pdf"):
        assert (out / "figures" / f"layers.{suffix}").stat().st_size > 1000
    section = (out / "layers.md").read_text()
    assert "## Per-layer profile" in section and "](figures/layers.png)" in section
    assert (out / "folds.csv").is_file() and "| tiny-wavlm | gap | 0 |" in stdout


def test_bench_layers_refuses_a_pooler_with_parameters(tiny_manifest, capsys):
    rc, _, err = run_cli(capsys, "layers", "--manifest", str(tiny_manifest), "--poolers", "gap,sap")
    assert rc == 2
    assert err.startswith("error: --poolers takes parameter-free poolers (gap, sap-noattn, stats)")
