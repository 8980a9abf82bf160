"""bench run in fine-tune mode: the backbone learns from the audio, the masks come from the cache."""

import pandas as pd

import bench.train
from runner_fixtures import tiny_config


def test_finetune_run_reads_audio_and_produces_results(tiny_manifest, cache_dir, tmp_path, monkeypatch):
    from bench.runner.run import run_grid

    seen = []
    real_fit = bench.train.fit

    def recording_fit(train, valid, classes, pooler, params=None, config=None, seed=0, on_epoch=None):
        wave, speech = train.store.load(train.ids[0])
        seen.append((wave.ndim, len(speech), config.mode, config.backbone))
        return real_fit(train, valid, classes, pooler, params, config, seed=seed, on_epoch=on_epoch)

    monkeypatch.setattr(bench.train, "fit", recording_fit)
    config = tiny_config(
        tiny_manifest,
        cache_dir,
        grid=("poolers=sr", "pooler.sr.heads=2"),
        sets=("folds=0,1", "mode=finetune", "grad_accumulation=2"),
    )
    config.backbone = "tiny-wavlm"
    config.probes = True  # asked for, but a fine-tuned head has no probe
    config.train["epochs"] = 1
    outcome = run_grid(config, tmp_path, echo=lambda *_: None)
    run_dir, results = outcome.run_dir, outcome.results
    assert len(results) == 2 and (results["status"] == "ok").all(), results["error"].tolist()
    assert not results["pooler"].str.startswith("probe-").any()  # no probe represents a learning backbone
    assert all(ndim == 1 and mode == "finetune" and backbone == "tiny-wavlm" for ndim, _, mode, backbone in seen)
    predictions = pd.read_csv(run_dir / "predictions.csv")
    assert len(predictions) == int(results["n_test"].sum()) and predictions["pred"].notna().all()
    from bench.report import load_run
    from bench.report.setup import setup_tables

    revision = setup_tables(load_run(run_dir))[0][1].set_index("Setting")["Value"]["backbone revision"]
    assert revision.startswith("built-in (tiny random, seed 0") and revision.endswith("(fine-tuned from)")
