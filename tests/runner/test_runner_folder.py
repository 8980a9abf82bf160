"""Run folders: one run at a time, set-up atomic with config.yaml last, reuse rules, exit codes."""

import json
import subprocess
import sys

import pytest
import yaml

from bench.errors import BenchError
from bench.runner.folder import RunFolder
from bench.runner.jobs import job_id
from bench.runner.grid import Cell
from bench.runner.run import run_grid
from runner_fixtures import run_cli, tiny_config


def _quiet(*_):
    pass


def test_a_busy_folder_stops_a_second_run(tiny_manifest, cache_dir, tmp_path):
    out = tmp_path / "run"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom bench.runner.folder import RunFolder\n"
            "with RunFolder(sys.argv[1]).locked():\n    print('locked', flush=True)\n    time.sleep(60)",
            str(out),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(BenchError, match=rf"in use by another `bench run` \(pid {holder.pid}\)"):
            run_grid(tiny_config(tiny_manifest, cache_dir, grid=("poolers=gap",), sets=("folds=0",)), out, echo=_quiet)
        assert not (out / "config.yaml").exists() and not (out / "jobs").exists()
    finally:
        holder.kill()
        holder.wait()
    with RunFolder(out).locked():  # released when its holder dies
        pass


def test_two_configurations_cannot_mix_in_one_folder(tiny_manifest, cache_dir, tmp_path):
    out = tmp_path / "run"
    first = run_grid(tiny_config(tiny_manifest, cache_dir, grid=("poolers=gap",), sets=("folds=0",)), out, echo=_quiet)
    other = tiny_config(tiny_manifest, cache_dir, grid=("poolers=gap",), sets=("folds=0", "dropout=0.2"))
    with pytest.raises(BenchError, match="1 finished job.*differs in: train"):
        run_grid(other, out, echo=_quiet)
    digest = yaml.safe_load((out / "config.yaml").read_text())["config_digest"]
    records = [json.loads(p.read_text()) for p in (out / "jobs").glob("*.json")]
    assert len(records) == 1 and records[0]["config_digest"] == digest == first_digest(first)


def first_digest(outcome):
    return yaml.safe_load((outcome.run_dir / "config.yaml").read_text())["config_digest"]


def test_an_interrupted_setup_is_simply_set_up_again(tiny_manifest, cache_dir, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "manifest.csv").write_text("")  # what a kill during set-up used to leave
    (out / "folds.csv").write_text("fold,id\n0,x\n")
    config = tiny_config(tiny_manifest, cache_dir, grid=("poolers=gap",), sets=("folds=0",))
    outcome = run_grid(config, out, echo=_quiet)
    assert (outcome.results["status"] == "ok").all() and len(outcome.results) == 1
    assert len((out / "manifest.csv").read_text().splitlines()) == 1 + 32
    assert not list(out.glob(".*.tmp"))  # the atomic writer left no temporary file


def test_lost_setup_files_are_written_again_and_finished_jobs_kept(tiny_manifest, cache_dir, tmp_path):
    out = tmp_path / "run"
    config = tiny_config(tiny_manifest, cache_dir, grid=("poolers=gap",), sets=("folds=0,1",))
    run_grid(config, out, echo=_quiet)
    stamps = {p: p.stat().st_mtime_ns for p in (out / "jobs").glob("*.json")}
    (out / "folds.csv").unlink()
    messages = []
    again = run_grid(config, out, echo=messages.append)
    assert (out / "folds.csv").is_file() and (again.results["status"] == "ok").all()
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps and any("2 already done" in m for m in messages)


def test_a_folder_where_nothing_finished_takes_a_corrected_command(tiny_manifest, cache_dir, tmp_path, monkeypatch):
    import bench.train

    out = tmp_path / "run"

    def broken_fit(*args, **kwargs):
        raise RuntimeError("simulated bad option")

    monkeypatch.setattr(bench.train, "fit", broken_fit)
    failed = run_grid(tiny_config(tiny_manifest, cache_dir, grid=("poolers=gap",), sets=("folds=0",)), out, echo=_quiet)
    assert failed.failed == 1
    monkeypatch.undo()
    corrected = tiny_config(tiny_manifest, cache_dir, grid=("poolers=gap",), sets=("folds=0", "dropout=0.2"))
    messages = []
    outcome = run_grid(corrected, out, echo=messages.append)
    assert any("no job had finished there" in m for m in messages)
    assert outcome.failed == 0 and (outcome.results["status"] == "ok").all() and len(outcome.results) == 1
    assert len(list((out / "jobs").glob("*.json"))) == 1  # the failed record of the old configuration is gone
    assert yaml.safe_load((out / "config.yaml").read_text())["train"]["dropout"] == 0.2


def test_job_file_names_are_sanitised():
    name = job_id(Cell("/models/my_ckpt", "we ird", "../../escaped"), 0, 3)
    assert "/" not in name and ".." not in name and " " not in name
    assert name.startswith("escaped-my-ckpt-we-ird-s0-f03-")


def test_bench_run_exits_1_when_a_job_fails_and_says_how_to_retry(
    tiny_manifest, cache_dir, tmp_path, capsys, monkeypatch
):
    out = tmp_path / "run"
    argv = [
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
        "folds=0",
        "epochs=3",
        "min_steps=0",
        "probes=false",
        "pooler.svm.C=-1",  # C < 0: sklearn refuses it
        "--grid",
        "poolers=gap,svm",
        "--out",
        str(out),
    ]
    monkeypatch.setattr(sys, "argv", ["bench", *argv])
    rc, _, stderr = run_cli(capsys, *argv)
    assert rc == 1, stderr
    assert "error: 1 of 2 job(s) failed; run them again with:" in stderr
    retry = stderr.strip().splitlines()[-1].split()
    assert retry[0] == "bench" and retry[1:-1] == argv and retry[-1] == "--retry-failed"
