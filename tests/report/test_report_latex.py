"""Every table `bench report` writes compiles with pdflatex in a minimal two-column article, without an
overfull line, and cites its sources from the .bib written beside it. Skips where pdflatex is absent
(Debian: apt-get install texlive-latex-base texlive-latex-recommended), unless BENCH_REQUIRE_PDFLATEX=1
(.ci/run sets it once it has installed LaTeX): then a missing pdflatex fails."""

import os
import shutil
import subprocess

import pandas as pd
import pytest

from bench.report import write_report
from bench.report.render import latex_escape, to_latex
from report_jobs_folder import build_jobs_run
from report_run_folder import build_run

PDFLATEX = shutil.which("pdflatex")
REQUIRED = os.environ.get("BENCH_REQUIRE_PDFLATEX") == "1"
needs_pdflatex = pytest.mark.skipif(
    PDFLATEX is None and not REQUIRED,
    reason="pdflatex is not installed (Debian: apt-get install texlive-latex-base texlive-latex-recommended)",
)


def compile_tables(folder, tables, bib=None):
    """pdflatex (and bibtex when ``bib``) on a two-column article inputting ``tables``; returns the log text."""
    assert PDFLATEX, "BENCH_REQUIRE_PDFLATEX=1 but pdflatex is not on PATH"
    cite = "\\nocite{*}\\bibliographystyle{plain}\\bibliography{literature}" if bib else ""
    body = "\n".join(f"\\input{{{t.stem}}}\\clearpage" for t in tables)
    (folder / "main.tex").write_text(
        "\\documentclass[twocolumn]{article}\n\\usepackage{booktabs}\n\\usepackage{graphicx}\n"
        f"\\begin{{document}}\n{body}\n{cite}\n\\end{{document}}\n"
    )
    run = lambda *cmd: subprocess.run(cmd, cwd=folder, capture_output=True, text=True, timeout=120)  # noqa: E731
    first = run(PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "main.tex")
    assert first.returncode == 0, first.stdout[-3000:]
    if bib:
        assert run("bibtex", "main").returncode == 0
        run(PDFLATEX, "-interaction=nonstopmode", "main.tex")
        final = run(PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "main.tex")
        assert final.returncode == 0, final.stdout[-3000:]
    return (folder / "main.log").read_text(errors="replace")


def test_escape_covers_latex_specials_and_report_symbols():
    assert latex_escape("fbank|webrtc|gap") == r"fbank\textbar{}webrtc\textbar{}gap"
    assert (
        latex_escape("Δ (pts) 50% a_b & #1 ~x^2")
        == r"$\Delta$ (pts) 50\% a\_b \& \#1 \textasciitilde{}x\textasciicircum{}2"
    )
    assert latex_escape("Holm–Bonferroni, 100 × Δ, café") == r"Holm--Bonferroni, 100 $\times$ $\Delta$, cafe"
    assert all(ord(ch) < 128 for ch in latex_escape("ⓐ 漢 ≥ √"))


def test_wide_table_becomes_table_star_narrow_stays_table():
    narrow = pd.DataFrame({"Method": ["gap"], "UA": ["50.00"]})
    wide = pd.DataFrame({f"column number {i}": ["12.34 (11.00, 13.00)"] for i in range(6)})
    assert "\\begin{table}[t]" in to_latex(narrow, "c", "t") and "resizebox" not in to_latex(narrow, "c", "t")
    assert "\\begin{table*}[t]" in to_latex(wide, "c", "t") and "\\resizebox{\\textwidth}" in to_latex(wide, "c", "t")


@needs_pdflatex
def test_report_tables_compile_without_overfull_lines(tmp_path):
    root = build_jobs_run(tmp_path / "jobs")
    write_report(root, formats=["tex"], n_resamples=100, figures=False)
    other = build_run(tmp_path / "csv")
    write_report(other, formats=["tex"], n_resamples=100, figures=False)
    tables = sorted((root / "tables").glob("*.tex")) + sorted((other / "tables").glob("*.tex"))
    assert {"performance", "comparison_ua", "per_class", "data_folds"} <= {t.stem for t in tables}
    for t in tables:
        shutil.copy(t, tmp_path / f"{t.parent.parent.name}_{t.name}")
    log = compile_tables(tmp_path, sorted(tmp_path.glob("*_*.tex")))
    assert "Overfull \\hbox" not in log


@needs_pdflatex
def test_literature_table_cites_bibtex_keys_that_resolve(tmp_path):
    root = build_run(tmp_path / "run", expected_jobs=30)  # 5 folds: make the paper's rows match by a user CSV
    lit = tmp_path / "lit"
    lit.mkdir()
    (lit / "mine.csv").write_text(
        "corpus,protocol,folds,classes,validation,training_mode,model,ua,wa,ci_method,source\n"
        'iemocap,loso,5,"angry,happy,neutral,sad",speaker,frozen,Probe & co_2,50.0,51.0,Student t,'
        '"A. Müller, ""Means of frames: 100% simple,"" in Proc. X, 2025"\n'
    )
    write_report(root, formats=["tex", "md"], n_resamples=100, figures=False, literature_dirs=[lit])
    tex = (root / "tables" / "literature.tex").read_text()
    assert "\\cite{muller2025means}" in tex
    shutil.copy(root / "tables" / "literature.tex", tmp_path / "literature_table.tex")
    shutil.copy(root / "tables" / "literature.bib", tmp_path / "literature.bib")
    log = compile_tables(tmp_path, [tmp_path / "literature_table.tex"], bib=True)
    assert "Citation `muller2025means' on page 1 undefined" not in log and "Overfull \\hbox" not in log
