"""Render small tables of strings as Markdown and LaTeX (booktabs), without extra dependencies."""

from __future__ import annotations

import pandas as pd

_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                  "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def latex_escape(text) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in str(text))


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


def to_latex(table: pd.DataFrame, caption: str, label: str) -> str:
    """A ``table`` float with a booktabs ``tabular``: first column left-aligned, others right."""
    spec = "l" + "r" * (len(table.columns) - 1)
    body = [" & ".join(latex_escape(c) for c in table.columns) + r" \\", r"\midrule"]
    body += [" & ".join(latex_escape(_cell(v)) for v in row) + r" \\" for row in table.itertuples(index=False)]
    return "\n".join([r"\begin{table}[t]", r"\centering", rf"\caption{{{latex_escape(caption)}}}",
                      rf"\label{{{label}}}", rf"\begin{{tabular}}{{{spec}}}", r"\toprule", *body,
                      r"\bottomrule", r"\end{tabular}", r"\end{table}", ""])
