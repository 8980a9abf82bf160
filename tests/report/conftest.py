"""Fixtures of the report tests: the hand-made run folder of report_run_folder.py."""

import pytest

from report_run_folder import build_run


@pytest.fixture
def run_dir(tmp_path):
    return build_run(tmp_path / "run")


@pytest.fixture(scope="session")
def reported_run(tmp_path_factory):
    """The hand-made run after one full `write_report` (built once, shared by the tests)."""
    from bench.report import write_report

    root = build_run(tmp_path_factory.mktemp("reported") / "run")
    return root, write_report(root, n_resamples=500)
