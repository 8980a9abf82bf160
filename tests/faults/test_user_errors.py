"""A careless user gets an `error:` message saying what to do, never a traceback, and a full disk
stops a run without recording any job as failed; running again finishes it."""

import errno

import pytest

import bench.runner.store
from bench.cli import main
from bench.errors import DiskFull
from bench.runner import run_grid
from bench.runner.store import ResultsStore
from runner_fixtures import tiny_config


def _error_line(capsys, argv):
    """The `error:` message (the planning step may list its problems below it, one per line)."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_info.value.code == 2 and err[0].startswith("error: "), err
    assert all(line.startswith("  - ") for line in err[1:]) and "Traceback" not in "\n".join(err), err
    return " ".join(err)


def test_bad_yaml_and_a_section_that_is_not_a_mapping(tmp_path, capsys):
    (tmp_path / "bad.yaml").write_text("train: [1, 2\n")
    (tmp_path / "five.yaml").write_text("train: 5\n")
    assert "not valid YAML at line 2" in _error_line(capsys, ["run", "--config", str(tmp_path / "bad.yaml")])
    assert "train must be a mapping" in _error_line(capsys, ["run", "--config", str(tmp_path / "five.yaml")])


def test_prepare_into_a_path_that_cannot_be_written(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    line = _error_line(capsys, ["prepare", "--dataset", "demo", "--out", str(blocker / "sub" / "m.csv")])
    assert "check the path" in line and "a-file" in line
    assert "is a folder; give a file path" in _error_line(
        capsys, ["prepare", "--dataset", "demo", "--out", str(tmp_path)]
    )


def test_disk_full_stops_the_run_records_nothing_failed_and_resume_finishes(
    tiny_manifest, cache_dir, tmp_path, monkeypatch
):
    config = tiny_config(tiny_manifest, cache_dir, grid=("poolers=gap", "seeds=0"))
    real_write, writes = bench.runner.store.atomic_write_text, []

    def full_after_two_jobs(path, text):
        if path.suffix == ".json" and path.parent.name == "jobs":
            writes.append(path.name)
            if len(writes) > 2:
                raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real_write(path, text)

    monkeypatch.setattr(bench.runner.store, "atomic_write_text", full_after_two_jobs)
    with pytest.raises(DiskFull, match="no space left.*run the same command again"):
        run_grid(config, tmp_path, echo=lambda *_: None)
    assert ResultsStore(tmp_path).statuses() == dict.fromkeys(ResultsStore(tmp_path).statuses(), "ok")
    assert len(ResultsStore(tmp_path).statuses()) == 2  # the two written jobs, nothing marked failed
    monkeypatch.setattr(bench.runner.store, "atomic_write_text", real_write)
    results = run_grid(config, tmp_path, echo=lambda *_: None).results
    assert (results["status"] == "ok").all() and len(results) > 2  # gap on 4 folds and the reference probes
    assert set(results["job"]) == set(ResultsStore(tmp_path).statuses())
