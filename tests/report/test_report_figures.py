"""Figures are written, non-empty, valid PNG/PDF; the CLI runs end to end."""

from click.testing import CliRunner

from bench.cli import cli
from report_run_folder import CELLS

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_figures_written_and_valid(reported_run):
    root, report = reported_run
    names = {p.name for p in report.figures}
    expected = {
        "forest.png",
        "paired_folds.png",
        "training_curves.png",
        *{f"confusion_{c.replace('|', '_')}.png" for c in CELLS},
    }
    assert names == expected
    for png in report.figures:
        data = png.read_bytes()
        assert len(data) > 1000 and data.startswith(PNG_MAGIC)
        assert png.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
        assert f"figures/{png.name}" in report.markdown.read_text()


def test_cli_report(run_dir):
    result = CliRunner().invoke(
        cli,
        [
            "report",
            str(run_dir),
            "--ci",
            "t",
            "--format",
            "md,csv",
            "--metric",
            "ua",
            "--no-figures",
            "--baseline",
            "sap",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and (run_dir / "report.md").exists()
    assert (run_dir / "tables" / "comparison_ua.csv").exists() and not (run_dir / "tables" / "performance.tex").exists()
    assert "against baseline `sap`" in (run_dir / "report.md").read_text()


def test_forest_axis_holds_every_interval_end_with_a_margin():
    import numpy as np

    from bench.report.figures import _limits

    low, high = _limits(np.array([60.0, 60.0, 60.0, 35.0, 34.0, 36.5, np.nan]))  # a zero-width interval at 60
    assert low < 34.0 and high > 60.0
    low, high = _limits(np.array([50.0, 50.0, 50.0]))  # every interval zero-width: still a visible span
    assert low < 50.0 < high


def test_figures_carry_no_baked_caption(reported_run):
    root, report = reported_run
    text = report.markdown.read_text()
    for png in report.figures:
        line = [x for x in text[: text.index(f"figures/{png.name}")].splitlines() if x.strip()][-2]
        assert line.startswith("*Figure:"), png.name  # the caption stands in report.md above the image
