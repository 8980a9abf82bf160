"""`bench run --protocol predefined --split-file FILE.csv`: the user's folds, their digest in
config.yaml and the report, a copy in the run folder, and a refusal when the file changes under a run."""

import hashlib

import pandas as pd
import pytest
import yaml

from bench.errors import BenchError
from bench.runner import run_grid
from bench.runner.config import PlanError
from runner_fixtures import tiny_config


def _split_file(tiny_manifest, path, test_speakers=("S01F", "S02M")):
    """Two folds, each testing one speaker, validating on its session partner, training on the rest."""
    manifest = pd.read_csv(tiny_manifest, dtype=str, keep_default_na=False)
    partner = {"S01F": "S01M", "S02M": "S02F"}
    rows = [
        {
            "fold": f,
            "id": r.id,
            "speaker": r.speaker,
            "role": "test" if r.speaker == t else "valid" if r.speaker == partner[t] else "train",
        }
        for f, t in enumerate(test_speakers)
        for r in manifest.itertuples()
    ]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _config(tiny_manifest, cache_dir, split, protocol="predefined"):
    return tiny_config(
        tiny_manifest, cache_dir, grid=("poolers=gap",), sets=(f"protocol={protocol}", f"split_file={split}")
    )


def test_a_run_uses_the_files_folds_and_records_its_digest(tiny_manifest, cache_dir, tmp_path):
    from bench.report import write_report

    split = _split_file(tiny_manifest, tmp_path / "official.csv")
    run_dir = tmp_path / "run"
    results = run_grid(_config(tiny_manifest, cache_dir, split), run_dir, echo=lambda *_: None).results
    assert sorted(results["fold"]) == [0, 1] and list(results.sort_values("fold")["test_speaker"]) == ["S01F", "S02M"]
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    digest = hashlib.sha256(split.read_bytes()).hexdigest()
    assert config["split_file"] == str(split) and config["split_sha256"] == digest
    assert (run_dir / "split.csv").read_bytes() == split.read_bytes()
    assert set(pd.read_csv(run_dir / "folds.csv")["fold"]) == {0, 1}
    write_report(run_dir)
    report = (run_dir / "report.md").read_text()
    assert str(split) in report and digest in report

    stamps = {p: p.stat().st_mtime_ns for p in (run_dir / "jobs").glob("*.json")}
    run_grid(_config(tiny_manifest, cache_dir, run_dir / "split.csv"), run_dir, echo=lambda *_: None)
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps  # the copy resumes: nothing ran again

    _split_file(tiny_manifest, split, test_speakers=("S02M", "S01F"))  # the user's file changes
    with pytest.raises(
        BenchError, match="split file whose content has changed since .*Resume with --split-file .*split.csv"
    ):
        run_grid(_config(tiny_manifest, cache_dir, split), run_dir, echo=lambda *_: None)


def test_a_bad_split_file_stops_the_run_before_any_folder_is_written(tiny_manifest, cache_dir, tmp_path):
    split = _split_file(tiny_manifest, tmp_path / "split.csv")
    table = pd.read_csv(split, dtype=str)
    table.loc[0, "id"] = "not-an-utterance"
    table.to_csv(split, index=False)
    with pytest.raises(PlanError, match="names 1 utterance id\\(s\\) the manifest lacks: not-an-utterance"):
        run_grid(_config(tiny_manifest, cache_dir, split), tmp_path / "run", echo=lambda *_: None)
    with pytest.raises(PlanError, match="add --protocol predefined"):
        run_grid(_config(tiny_manifest, cache_dir, split, protocol="loso"), tmp_path / "run", echo=lambda *_: None)
    assert not (tmp_path / "run").exists()


def test_the_cli_option_reaches_the_plan(tiny_manifest, cache_dir, tmp_path, capsys):
    from runner_fixtures import run_cli

    split = _split_file(tiny_manifest, tmp_path / "official.csv")
    rc, stdout, err = run_cli(
        capsys,
        "run",
        "--manifest",
        str(tiny_manifest),
        "--backbone",
        "fbank",
        "--vad",
        "energy",
        "--protocol",
        "predefined",
        "--split-file",
        str(split),
        "--grid",
        "poolers=gap",
        "--dry-run",
    )
    assert rc == 0, err
    digest = hashlib.sha256(split.read_bytes()).hexdigest()
    assert "folds: 2 (predefined): 0, 1" in stdout and f"split file: {split} (sha256 {digest})" in stdout
    rc, _, err = run_cli(
        capsys,
        "run",
        "--manifest",
        str(tiny_manifest),
        "--protocol",
        "predefined",
        "--split-file",
        str(tmp_path / "gone.csv"),
        "--dry-run",
    )
    assert rc == 2 and "split file not found" in err and "--split-file RUN/split.csv" in err
