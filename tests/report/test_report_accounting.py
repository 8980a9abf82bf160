"""Data accounting: files skipped at extraction (RUN/skipped.csv), utterances where the VAD found no
speech (RUN/speech.csv) and utterances per fold and class, in report.md and the console summary."""

import pandas as pd
import pytest

from bench.errors import BenchError
from bench.report import write_report
from bench.report.accounting import fold_counts, speech_summary
from report_jobs_folder import console_summary, CLASSES, build_jobs_run, folds, manifest


@pytest.fixture
def accounted_run(tmp_path):
    root = build_jobs_run(tmp_path / "run")
    pd.DataFrame(
        {
            "id": ["spk0_7", "spk3_1", "spk3_2"],
            "path": ["a.wav", "b.wav", "c.wav"],
            "reason": ["unreadable audio", "file not found", "file not found"],
        }
    ).to_csv(root / "skipped.csv", index=False)
    ids = manifest()["id"]
    speech = pd.DataFrame(
        {
            "id": ids,
            "vad": "webrtc",
            "backbone": "fbank",
            "frames": 100,
            "speech_frames": [0 if i % 10 == 0 else 40 + i % 7 for i in range(len(ids))],
        }
    )
    speech.to_csv(root / "speech.csv", index=False)
    return root, speech


def test_report_shows_skipped_files_and_vad_no_speech(accounted_run):
    root, speech = accounted_run
    text = write_report(root, formats=["md", "csv"], n_resamples=100, figures=False).markdown.read_text()
    data = text.split("\n## Data\n")[1].split("## Performance")[0]
    assert "3 file(s) of 40 (7.5%) skipped at extraction: 2 file not found; 1 unreadable audio" in data
    no_speech = int((speech["speech_frames"] == 0).sum())
    median = (speech["speech_frames"] / speech["frames"]).median()
    assert f"| fbank | webrtc | 40 | {no_speech} | {100 * no_speech / 40:.1f} | {median:.3f} |" in data


def test_console_summary_prints_the_skips(accounted_run, monkeypatch):
    root, _ = accounted_run
    out = console_summary(root, monkeypatch)
    assert "3 file(s) of 40 (7.5%) skipped at extraction" in out and str(root / "skipped.csv") in out
    assert "VAD webrtc found no speech in 4 of 40 utterances" in out


def test_fold_counts_equal_a_count_of_the_plan(tmp_path):
    root = build_jobs_run(tmp_path / "run")
    table = fold_counts(root, CLASSES).set_index("Fold")
    plan = folds().merge(manifest()[["id", "label"]], on="id")
    for fold, part in plan.groupby("fold"):
        assert table.at[fold, "test"] == (part["role"] == "test").sum()
        happy = part[part["label"] == "happy"]
        assert table.at[fold, "happy"] == "/".join(str((happy["role"] == r).sum()) for r in ("train", "valid", "test"))


def test_malformed_speech_table_is_a_clear_error(tmp_path):
    root = build_jobs_run(tmp_path / "run")
    (root / "speech.csv").write_text("id,frames\nu1,10\n")
    with pytest.raises(BenchError, match="lacks columns .*speech_frames"):
        speech_summary(root)


def test_bench_report_console_prints_the_skips(accounted_run):
    from click.testing import CliRunner

    from bench.cli import cli

    root, _ = accounted_run
    result = CliRunner().invoke(cli, ["report", str(root), "--no-figures", "--format", "md"])
    assert result.exit_code == 0, result.output
    assert "3 file(s) of 40 (7.5%) skipped at extraction" in result.output
