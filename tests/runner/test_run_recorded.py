"""config.yaml records what the run resolved: the training fields left to a rule and, after extraction,
each feature set's backbone revision, layers, dtype and VAD settings; recording them keeps the
configuration's digest, so the run still resumes."""

import yaml

from bench.runner.config import RunConfig
from runner_fixtures import tiny_config


def test_a_run_records_the_backbone_revision_and_the_defaults_it_used(tiny_manifest, cache_dir, tmp_path):
    from bench.report import load_run
    from bench.report.setup import setup_tables
    from bench.runner.run import run_grid

    config = tiny_config(tiny_manifest, cache_dir, grid=("poolers=gap", "backbones=tiny-wavlm"), sets=("folds=0",))
    run_dir = run_grid(config, tmp_path / "run", echo=lambda *_: None).run_dir
    recorded = yaml.safe_load((run_dir / "config.yaml").read_text())
    assert recorded["train_defaults"] == {"lr": 1e-3, "eval_batch_size": 8, "device": "cpu"}
    (features,) = recorded["features"]
    assert features["backbone"] == "tiny-wavlm" and features["revision"].startswith("built-in (tiny random, seed 0")
    assert features["layers"] == [0, 1, 2] and features["hidden_size"] == 32 and features["dtype"] == "float32"
    assert features["vad"] == "energy" and features["vad_settings"]["threshold_db"] == -35.0
    assert recorded["config_digest"] == RunConfig(**{k: recorded[k] for k in RunConfig().to_dict()}).digest()

    lines = []
    run_grid(config, run_dir, echo=lines.append)  # the same command resumes: nothing to run
    assert any("1 already done, 0 to run" in line for line in lines)

    shown = {
        (t, k): v for t, table in setup_tables(load_run(run_dir)) for k, v in zip(table["Setting"], table["Value"])
    }
    data = "Data and features"
    assert shown[(data, "backbone revision")] == features["revision"]
    assert shown[(data, "layers")] == "all: 0, 1, 2 (3 hidden states)"
    assert shown[(data, "dtype")] == "float32 (the device's default)"
    training = next(t for t, _ in shown if t.startswith("Training"))
    assert shown[(training, "lr")] == "0.001 (frozen default)  [paper: 3e-05]"
    assert shown[(training, "eval_batch_size")] == "8 (= batch_size)"
    assert shown[(training, "device")] == "cpu (auto)"
    assert not [k for (t, k), v in shown.items() if v.split("  [")[0] == "none"]  # every none says what it meant
