"""The planning step: everything is checked before any folder is written or any audio is read."""

import time

import pytest
import yaml

import bench.audio
import bench.cache.extract
from bench.runner.config import PlanError, Problems, resolve
from bench.runner.run import prepare, run_grid
from runner_fixtures import run_cli, tiny_config


def _tiny_args(manifest, cache_dir):
    return [
        "--manifest",
        str(manifest),
        "--backbone",
        "fbank",
        "--vad",
        "energy",
        "--cache-dir",
        str(cache_dir),
        "--set",
        "epochs=3",
        "batch_size=8",
    ]


@pytest.fixture
def no_audio(monkeypatch):
    """Fail the test if anything decodes audio or extracts features."""

    def refuse(*args, **kwargs):
        raise AssertionError("audio was read during planning")

    monkeypatch.setattr(bench.audio, "load_audio", refuse)
    monkeypatch.setattr(bench.cache.extract, "load_audio", refuse)
    monkeypatch.setattr(bench.cache.extract, "extract_corpus", refuse)


def test_a_misspelled_pooler_fails_fast_and_writes_nothing(tiny_manifest, cache_dir, tmp_path, no_audio, capsys):
    out = tmp_path / "run"
    started = time.perf_counter()  # modules are imported already: this is the planning step's own time
    with pytest.raises(PlanError, match="unknown pooler 'sapp'; valid poolers: asp, cnn, gap"):
        run_grid(tiny_config(tiny_manifest, cache_dir, grid=("poolers=gap,sapp",)), out, echo=lambda *_: None)
    assert time.perf_counter() - started < 5
    assert not out.exists()
    rc, _, stderr = run_cli(
        capsys, "run", *_tiny_args(tiny_manifest, cache_dir), "--grid", "poolers=gap,sapp", "--out", str(out)
    )
    assert rc == 2 and "error: the run was not started: 1 problem(s) found" in stderr
    assert "unknown pooler 'sapp'" in stderr
    assert not out.exists()


def test_all_problems_in_one_message_before_any_audio(tiny_manifest, cache_dir, tmp_path, no_audio):
    problems = Problems()
    config = resolve(
        {"manifest": str(tiny_manifest), "backbone": "fbank", "cache_dir": str(cache_dir)},
        None,
        ["epochs=0", "pooler.sap.heads=4", "vad.webrtc.aggressiveness=9", "folds=0,7"],
        ["poolers=gap,sap", "pooler.sap.dropout=0.5,2.0", "backbones=fbank,no-such-model"],
        None,
        problems,
    )
    with pytest.raises(PlanError) as error:
        run_grid(config, tmp_path / "run", echo=lambda *_: None, problems=problems)
    text = "\n".join(error.value.problems)
    assert "unknown backbone 'no-such-model'" in text
    assert not (tmp_path / "run").exists()
    config = resolve(
        {"manifest": str(tiny_manifest), "backbone": "fbank", "cache_dir": str(cache_dir)},
        None,
        [
            "epochs=0",
            "pooler.sap.heads=4",
            "pooler.gap.heads=2",
            "vad.webrtc.aggressiveness=9",
            "folds=0,7",
            "pooler.sap.colour=red",
        ],
        ["poolers=gap,sap"],
        None,
    )
    with pytest.raises(PlanError) as error:
        prepare(config)
    problems = error.value.problems
    assert any("epochs, batch_size and patience must be at least 1" in p for p in problems)
    assert any("pooler 'gap' has no option heads" in p for p in problems)
    assert any("pooler 'sap' has no option colour" in p and "heads (default 8)" in p for p in problems)
    assert any("option aggressiveness=9" in p for p in problems)
    assert any("folds [7] are not in the plan" in p for p in problems)
    assert len(problems) == 5


def test_options_for_an_entry_the_grid_lacks_are_refused(tiny_manifest, cache_dir):
    config = resolve(
        {"manifest": str(tiny_manifest), "cache_dir": str(cache_dir)},
        None,
        ["vad.webrtc.aggressiveness=2"],
        ["vads=energy", "poolers=gap", "pooler.sap.heads=4,8"],
    )
    with pytest.raises(PlanError) as error:
        prepare(config)
    assert any("vad.webrtc.* options are given but the grid has no vad 'webrtc'" in p for p in error.value.problems)
    assert any("pooler.sap.* options" in p for p in error.value.problems)


def test_path_names_are_checked_against_the_registries(tiny_manifest, cache_dir, tmp_path):
    config = tiny_config(tiny_manifest, cache_dir, grid=("poolers=../../escaped",))
    with pytest.raises(PlanError, match="unknown pooler '../../escaped'"):
        run_grid(config, tmp_path / "run", echo=lambda *_: None)
    assert not list(tmp_path.rglob("*.json"))


def test_pooler_ranges_use_the_backbone_width_once_known(tiny_manifest, cache_dir, tmp_path):
    run_grid(
        tiny_config(tiny_manifest, cache_dir, grid=("poolers=gap",), sets=("folds=0",)),
        tmp_path / "warm",
        echo=lambda *_: None,
    )  # builds fbank once: its width is now in the cache's memo
    config = tiny_config(tiny_manifest, cache_dir, grid=("poolers=sap", "pooler.sap.heads=3,4"))
    with pytest.raises(PlanError) as error:
        prepare(config)
    (problem,) = error.value.problems
    assert "heads=3" in problem or "'heads': 3" in problem
    assert "divide the feature width 80" in problem


def test_dry_run_prints_the_plan_and_writes_nothing(tiny_manifest, cache_dir, tmp_path, no_audio, capsys):
    out = tmp_path / "run"
    rc, stdout, stderr = run_cli(
        capsys,
        "run",
        *_tiny_args(tiny_manifest, cache_dir),
        "--grid",
        "poolers=gap,sap",
        "pooler.sap.heads=4,8",
        "seeds=0,1",
        "--out",
        str(out),
        "--dry-run",
    )
    assert rc == 0, stderr
    lines = stdout.splitlines()
    assert "cells: 6" in lines  # gap, sap x 2 heads, 3 probes
    assert "  fbank|energy|sap|heads=8  (2 seed(s) x 4 folds)" in lines
    assert "  fbank|energy|probe-gap  (1 seed(s) x 4 folds)" in lines
    assert "jobs: 36" in lines  # 3 cells x 2 seeds x 4 folds + 3 probes x 1 seed x 4 folds
    assert "folds: 4 (loso): 0, 1, 2, 3" in lines
    assert any(line.startswith("  fbank + VAD energy: ") for line in lines)
    assert f"results -> {out}" in lines
    assert not out.exists()


def test_dry_run_tells_cached_from_missing_features(tiny_manifest, cache_dir, tmp_path):
    run_grid(
        tiny_config(tiny_manifest, cache_dir, grid=("poolers=gap",), sets=("folds=0",)),
        tmp_path / "warm",
        echo=lambda *_: None,
    )
    config = tiny_config(tiny_manifest, cache_dir, grid=("poolers=gap", "vads=energy,none"))
    plan = prepare(config, cache_status=True)
    state = {fs.vad: fs.cached for fs in plan.feature_sets}
    assert state == {"energy": 32, "none": 0}
    assert "fbank + VAD energy: all cached" in plan.describe() and "0 of 32 cached, 32 to extract" in plan.describe()


def test_the_grid_needs_jobs(tiny_manifest, cache_dir, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"manifest": str(tiny_manifest), "probes": False, "grid": {"poolers": []}}))
    with pytest.raises(PlanError, match="the grid has no jobs"):
        prepare(resolve({}, str(path)))


def test_hub_ids_and_revisions_pass_the_name_check(tiny_manifest, cache_dir, tmp_path, no_audio):
    problems = Problems()
    config = resolve(
        {"manifest": str(tiny_manifest), "backbone": "fbank", "cache_dir": str(cache_dir)},
        None,
        [],
        ["backbones=wavlm-large@abc123,microsoft/wavlm-large,someone/model@v2,no-such-model"],
        None,
        problems,
    )
    with pytest.raises(PlanError) as error:
        run_grid(config, tmp_path / "run", echo=lambda *_: None, problems=problems)
    backbone_problems = [p for p in error.value.problems if "backbone" in p]
    assert len(backbone_problems) == 1 and "'no-such-model'" in backbone_problems[0]
    assert "hub id" in backbone_problems[0]


@pytest.fixture
def empty_hf_cache(tmp_path, monkeypatch):
    """An HF cache with nothing in it, and the hub unreachable (offline mode)."""
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return tmp_path / "hf" / "hub"


def test_a_hub_model_neither_cached_nor_downloadable_stops_the_plan(
    tiny_manifest, cache_dir, tmp_path, no_audio, empty_hf_cache, capsys
):
    out = tmp_path / "run"
    started = time.perf_counter()
    rc, _, stderr = run_cli(
        capsys,
        "run",
        *_tiny_args(tiny_manifest, cache_dir),
        "--backbone",
        "wavlm-large",
        "--set",
        "mode=finetune",
        "folds=0,1",
        "--grid",
        "poolers=gap,sr",
        "--out",
        str(out),
    )
    assert rc == 2 and time.perf_counter() - started < 20
    assert stderr.count("needs the weights of microsoft/wavlm-large (revision main)") == 1  # once, not per job
    assert "offline mode is on" in stderr and "hf download microsoft/wavlm-large" in stderr
    assert not out.exists()


def test_a_hub_model_in_the_hf_cache_passes_the_plan(tiny_manifest, cache_dir, empty_hf_cache, no_audio):
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = empty_hf_cache / "models--microsoft--wavlm-large"
    (repo / "snapshots" / commit).mkdir(parents=True)
    (repo / "snapshots" / commit / "config.json").write_text("{}")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    for backbone in ("wavlm-large", f"microsoft/wavlm-large@{commit}"):
        config = tiny_config(tiny_manifest, cache_dir, grid=("poolers=gap",), sets=("mode=finetune",))
        config.backbone = backbone
        assert prepare(config).feature_sets[0].backbone == backbone
    config.backbone = "wavlm-large@v2"  # a revision the cache does not hold
    with pytest.raises(PlanError, match=r"microsoft/wavlm-large \(revision v2\)"):
        prepare(config)
