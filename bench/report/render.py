"""Render small tables of strings as Markdown and LaTeX (booktabs), without extra dependencies.

The LaTeX compiles with pdflatex in a minimal article that loads ``booktabs`` and ``graphicx``
(tests/report/test_report_latex.py): every special character is escaped, the non-ASCII symbols the
report uses are spelled as LaTeX commands, and a table too wide for one column of a two-column
paper becomes a ``table*`` (scaled down to the text width when even that is too narrow).
"""

from __future__ import annotations

import unicodedata
from typing import Sequence

import pandas as pd

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "|": r"\textbar{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    '"': "''",
    "Δ": r"$\Delta$",
    "–": "--",
    "—": "---",
    "−": "$-$",
    "×": r"$\times$",
    "±": r"$\pm$",
    "≤": r"$\leq$",
    "≥": r"$\geq$",
    "²": r"\textsuperscript{2}",
    "ⁿ": r"\textsuperscript{n}",
    "…": r"\ldots{}",
    "’": "'",
    "‘": "`",
    "“": "``",
    "”": "''",
    "√": r"$\surd$",
}
# Widths in pt at \small (about 4.6 pt a character plus 2 x 6 pt column separation) against the
# column and text widths of a two-column paper (IEEE: 252 pt and 516 pt).
CHAR_PT, COLSEP_PT, COLUMN_PT, TEXT_PT = 4.6, 12.0, 245.0, 505.0


def _ascii(ch: str) -> str:
    """A character pdflatex cannot typeset from UTF-8 as the closest ASCII ("é" -> "e"), or "?"."""
    folded = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
    return folded or "?"


def latex_escape(text) -> str:
    return "".join(_LATEX_SPECIAL.get(ch) or (ch if ord(ch) < 128 else _ascii(ch)) for ch in str(text))


def _cell(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def to_markdown(table: pd.DataFrame, caption: str = "") -> str:
    """A pipe table; ``caption`` goes above it in italics."""
    cols = [str(c) for c in table.columns]
    lines = [f"*{caption}*", ""] if caption else []
    lines.append("| " + " | ".join(cols) + " |")
    lines.append("|" + "|".join("---" for _ in cols) + "|")
    for row in table.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v).replace("|", "\\|") for v in row) + " |")
    return "\n".join(lines) + "\n"


def natural_width_pt(table: pd.DataFrame) -> float:
    """Estimated width of the tabular at \\small: the longest entry of each column (header included)."""
    widths = [max([len(str(c))] + [len(_cell(v)) for v in table[c]]) for c in table.columns]
    return sum(w * CHAR_PT + COLSEP_PT for w in widths)


def _latex_row(values, cite: Sequence[bool]) -> str:
    cells = []
    for value, is_cite in zip(values, cite):
        text = _cell(value)
        cells.append(rf"\cite{{{text}}}" if is_cite and text and text != "this run" else latex_escape(text))
    return " & ".join(cells) + r" \\"


def to_latex(table: pd.DataFrame, caption: str, label: str, cite_columns: Sequence[str] = ()) -> str:
    """A booktabs ``tabular`` in a ``table`` float (``table*`` when wider than one column; scaled to the
    text width when wider than that): first column left-aligned, others right. Values of
    ``cite_columns`` are BibTeX keys, written as ``\\cite{key}``."""
    width = natural_width_pt(table)
    float_env = "table" if width <= COLUMN_PT else "table*"
    spec = "l" + "r" * (len(table.columns) - 1)
    cite = [str(c) in cite_columns for c in table.columns]
    tabular = [
        rf"\begin{{tabular}}{{{spec}}}",
        r"\toprule",
        " & ".join(latex_escape(c) for c in table.columns) + r" \\",
        r"\midrule",
        *[_latex_row(row, cite) for row in table.itertuples(index=False)],
        r"\bottomrule",
        r"\end{tabular}",
    ]
    if width > TEXT_PT:
        tabular = [r"\resizebox{\textwidth}{!}{%", *tabular, "}"]
    return "\n".join(
        [
            f"% needs \\usepackage{{booktabs}}{', graphicx' if width > TEXT_PT else ''}; "
            f"estimated natural width {width:.0f} pt",
            rf"\begin{{{float_env}}}[t]",
            r"\centering",
            r"\small",
            rf"\caption{{{latex_escape(caption)}}}",
            rf"\label{{{label}}}",
            *tabular,
            rf"\end{{{float_env}}}",
            "",
        ]
    )
