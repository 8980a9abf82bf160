"""Published rows join this run's rows only when corpus and protocol match."""

import pandas as pd
import pytest

from bench.report import literature_table, load_literature, summary_table, write_report
from report_run_folder import build_run


@pytest.fixture
def summary(run_dir):
    return summary_table(pd.read_csv(run_dir / "results.csv"), ci="t")


def test_shipped_literature_is_cited_and_well_formed():
    lit = load_literature()
    assert {"iemocap", "kemdy19"} <= set(lit["corpus"])
    assert lit["source"].notna().all() and (lit["source"].str.len() > 20).all()
    ci = lit.dropna(subset=["ua_ci_low"])
    assert ((ci["ua_ci_low"] < ci["ua"]) & (ci["ua"] < ci["ua_ci_high"])).all()


def test_matching_corpus_and_protocol_includes_published_rows(summary):
    lit = literature_table(summary, "IEMOCAP", "leave-one-speaker-out")
    models = list(lit.table["Model"])
    assert "SCL-kNN" in models and "HNSD" in models
    assert models[-3:] == list(summary["cell"])
    assert (lit.table["Source"].iloc[-3:] == "this run").all()
    assert any("Interspeech 2023" in s for s in lit.sources)


@pytest.mark.parametrize("corpus,protocol", [("iemocap", "loso-session"), ("ravdess", "loso"), (None, "loso")])
def test_mismatch_omits_table_and_says_why(summary, corpus, protocol):
    lit = literature_table(summary, corpus, protocol)
    assert lit.table is None and ("no published results" in lit.reason or "does not name" in lit.reason)


def test_user_literature_folder(summary, tmp_path):
    (tmp_path / "mine.csv").write_text("corpus,protocol,model,ua,wa,source\nravdess,loso,Mine,50.0,51.0,Me 2025\n")
    lit = literature_table(summary, "ravdess", "loso", dirs=[tmp_path])
    assert list(lit.table["Model"])[0] == "Mine" and lit.sources == ["Me 2025"]


def test_report_omits_literature_for_other_protocol(tmp_path):
    root = build_run(tmp_path / "run", protocol="loso-session", expected_jobs=30)
    report = write_report(root, ci="t", formats=["md"], n_resamples=200, figures=False)
    text = report.markdown.read_text()
    assert "Omitted: no published results for corpus 'iemocap' under protocol 'loso-session'" in text
    assert "Incomplete run" in text  # the failed job still shows
    assert not (root / "tables" / "literature.tex").exists()
