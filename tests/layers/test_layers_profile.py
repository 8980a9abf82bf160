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

    config = resolve(
        {"manifest": str(tiny_manifest), "backbone": "tiny-wavlm", "vad": "energy", "cache_dir": str(cache_dir)},
        None,
        ["probes=false"],
        ["poolers=gap"],
        None,
    )
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
    scores = pd.DataFrame(
        [
            {"backbone": "b", "pooler": "gap", "layer": layer, "fold": f, "ua": rng.uniform(), "C": 1.0}
            for layer in (10, 2, 0, "mean")
            for f in range(5)
        ]
    )
    summary = summarise(scores)
    assert list(summary["layer"]) == ["0", "2", "10", "mean"]  # layers in numeric order, mixes last
    for r in summary.itertuples():
        ua = scores.loc[scores["layer"].astype(str) == r.layer, "ua"].to_numpy() * 100
        low, high = stats.t.interval(0.95, len(ua) - 1, loc=ua.mean(), scale=stats.sem(ua))
        assert (r.ua_mean, r.ua_low, r.ua_high, r.n_folds) == pytest.approx((ua.mean(), low, high, 5))


def test_bench_layers_writes_table_figure_and_report_section(tiny_manifest, cache_dir, tmp_path, capsys):
    out = tmp_path / "profile"
    rc, stdout, err = run_cli(
        capsys,
        "layers",
        "--manifest",
        str(tiny_manifest),
        "--backbones",
        "tiny-wavlm,fbank",
        "--vad",
        "energy",
        "--poolers",
        "gap,sap-noattn",
        "--cache-dir",
        str(cache_dir),
        "--set",
        "epochs=1",
        "min_steps=0",
        "batch_size=8",
        "--out",
        str(out),
    )
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


def test_figure_puts_each_mix_at_one_position_after_the_deepest_backbone(tmp_path, monkeypatch):
    """Backbones of 3 and 6 hidden states in one panel: each mix sits at one panel-wide x (up to the
    small per-backbone offset), right of layer 5, and its tick is labelled."""
    from bench.layers import outputs
    from bench.report import figures as report_figures

    rows = [
        {
            "backbone": b,
            "pooler": "gap",
            "layer": str(layer),
            "ua_mean": 50.0,
            "ua_low": 45.0,
            "ua_high": 55.0,
            "n_folds": 4,
        }
        for b, depth in (("small", 3), ("deep", 6))
        for layer in [*range(depth), "mean", "learned"]
    ]
    captured = {}
    save = report_figures._save
    monkeypatch.setattr(
        report_figures, "_save", lambda fig, folder, stem: captured.setdefault("fig", fig) and save(fig, folder, stem)
    )
    outputs.figure(pd.DataFrame(rows), tmp_path)
    ax = captured["fig"].axes[0]
    xs = {"s": [], "D": []}
    for container in ax.containers:
        line = container.lines[0]
        if line.get_marker() in xs:
            xs[line.get_marker()].extend(line.get_xdata())
    for marker, label in (("s", "mean\nmix"), ("D", "learned\nmix")):
        assert len(xs[marker]) == 2 and max(xs[marker]) - min(xs[marker]) < 0.2  # the same place for both
        assert min(xs[marker]) > 5
        tick = [t.get_text() for t in ax.get_xticklabels() if abs(t.get_position()[0] - min(xs[marker])) < 0.2]
        assert tick == [label]
    assert min(xs["D"]) > max(xs["s"])
