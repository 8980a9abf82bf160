"""Published rows are printed beside this run's cells only when the whole setup matches."""

import pandas as pd
import pytest

from bench.report import literature_table, load_literature, summary_table, write_report
from bench.report.literature import RunSetup, bibtex_key
from report_run_folder import build_run

CLASSES = ("angry", "happy", "neutral", "sad")
PAPER_SETUP = RunSetup("IEMOCAP", "leave-one-speaker-out", 10, CLASSES, None, "finetune")


@pytest.fixture
def summary_for(run_dir):
    results = pd.read_csv(run_dir / "results.csv")
    calls = []

    def make(kind):
        calls.append(kind)
        return summary_table(results, ci=kind)

    make.calls = calls
    return make


def test_shipped_literature_is_cited_and_well_formed():
    lit = load_literature()
    assert {"iemocap", "kemdy19"} <= set(lit["corpus"])
    assert lit["source"].notna().all() and (lit["source"].str.len() > 20).all()
    ci = lit.dropna(subset=["ua_ci_low"])
    assert ((ci["ua_ci_low"] < ci["ua"]) & (ci["ua"] < ci["ua_ci_high"])).all()
    assert set(lit["validation"].dropna()) <= {"speaker", "session", "none", "split"}
    assert set(lit["training_mode"].dropna()) <= {"frozen", "finetune"}


def test_matching_setup_prints_published_rows_beside_ours_with_their_interval_method(summary_for):
    lit = literature_table(summary_for, PAPER_SETUP)
    models = list(lit.table["Model"])
    assert "SR = GAP + SAP (WavLM Large)" in models and "GAP (WavLM Large)" in models
    assert models[-3:] == ["fbank|webrtc|gap", "fbank|webrtc|sap", "fbank|webrtc|sr"]
    assert (lit.table["Source"].iloc[-3:] == "this run").all()
    assert summary_for.calls == ["t"] and lit.ci_kind == "t"  # the paper's intervals are t-like
    # rows whose validation rule and training mode the CSV does not state are not printed as comparable
    apart = lit.not_comparable.set_index("Model")
    assert "SCL-kNN" in apart.index and "SCL-kNN" not in models
    assert "validation not stated" in apart.at["SCL-kNN", "Differs in"]
    assert any("Interspeech 2023" in s for s in lit.sources.values())


def test_mismatched_setup_is_not_printed_as_comparable(summary_for):
    """The issue's case: 5 folds, 10 classes, no validation speaker, frozen features."""
    ten = tuple(f"c{i}" for i in range(10))
    lit = literature_table(summary_for, RunSetup("iemocap", "loso", 5, ten, "none", "frozen"))
    assert lit.table is None and "matches this run's setup" in lit.reason
    differs = lit.not_comparable.set_index("Model").at["SR = GAP + SAP (WavLM Large)", "Differs in"]
    for part in (
        "folds (10 vs this run's 5)",
        "class set",
        "validation (speaker vs this run's none)",
        "training mode (finetune vs this run's frozen)",
    ):
        assert part in differs
    assert summary_for.calls == []  # our cells are not computed for a table that is not printed


@pytest.mark.parametrize(
    "setup",
    [RunSetup("ravdess", "loso", 24, CLASSES, None, "frozen"), RunSetup(None, "loso", 10, CLASSES, None, "frozen")],
)
def test_other_corpus_omits_table_and_says_why(summary_for, setup):
    lit = literature_table(summary_for, setup)
    assert lit.table is None and ("no published results" in lit.reason or "does not name" in lit.reason)


def test_protocol_mismatch_is_listed_with_the_reason(summary_for):
    lit = literature_table(summary_for, RunSetup("iemocap", "loso-session", 5, CLASSES, None, "finetune"))
    assert lit.table is None
    assert (
        lit.not_comparable["Differs in"].str.contains("protocol (loso vs this run's loso-session)", regex=False).all()
    )


def test_user_literature_folder_row_that_states_its_setup(summary_for, tmp_path):
    (tmp_path / "mine.csv").write_text(
        "corpus,protocol,folds,classes,validation,training_mode,model,ua,wa,source\n"
        'ravdess,loso,24,"angry,happy,neutral,sad",speaker,frozen,Mine,50.0,51.0,"A. Me, ""My title,"" 2025"\n'
    )
    lit = literature_table(summary_for, RunSetup("ravdess", "loso", 24, CLASSES, "next", "frozen"), dirs=[tmp_path])
    assert list(lit.table["Model"])[0] == "Mine" and list(lit.sources) == ["me2025title"]


def test_bibtex_keys_are_unique_and_readable():
    cite = 'J. Hyeon, Y.-H. Oh, and H.-J. Choi, "Enhancing Speech Emotion Recognition," arXiv, 2024'
    assert bibtex_key(cite, set()) == "hyeon2024enhancing"
    assert bibtex_key(cite, {"hyeon2024enhancing"}) == "hyeon2024enhancinga"


def test_report_lists_rows_of_another_setup_as_not_comparable(tmp_path):
    root = build_run(tmp_path / "run", protocol="loso-session", expected_jobs=30)
    report = write_report(root, formats=["md", "tex"], n_resamples=200, figures=False)
    text = report.markdown.read_text()
    assert "Omitted: no published result on 'iemocap' matches this run's setup" in text
    assert "Not comparable" in text and "protocol (loso vs this run's loso-session)" in text
    assert "Incomplete run" in text  # the failed job still shows
    assert not (root / "tables" / "literature.tex").exists()
    bib = (root / "tables" / "literature.bib").read_text()
    assert "@misc{hyeon2024enhancing," in bib and "Segmental Average Pooling" in bib


@pytest.mark.parametrize(
    "protocol,rule,kind",
    [
        ("loso", None, "speaker"),
        ("loso", "next", "speaker"),
        ("loso", "none", "none"),
        ("loso-session", None, "session"),
        ("predefined", None, "split"),
    ],
)
def test_validation_rule_as_papers_state_it(protocol, rule, kind):
    assert RunSetup("iemocap", protocol, 5, CLASSES, rule, "frozen").validation_kind() == kind
