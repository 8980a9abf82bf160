"""How each metric column of results.csv is shown: label, scale, unit, direction."""

from __future__ import annotations

from dataclasses import dataclass

from bench.errors import unknown_name


@dataclass(frozen=True)
class MetricSpec:
    """column: results.csv column (fractions for accuracies); scale: factor for display
    (100 turns fractions into percent); unit: shown in headers; higher_is_better; digits: decimals shown."""

    name: str
    column: str
    label: str
    scale: float
    unit: str
    higher_is_better: bool = True
    digits: int = 2


METRICS: dict[str, MetricSpec] = {
    "ua": MetricSpec("ua", "ua", "UA", 100.0, "%"),
    "wa": MetricSpec("wa", "wa", "WA", 100.0, "%"),
    "macro_f1": MetricSpec("macro_f1", "macro_f1", "Macro-F1", 100.0, "%"),
    "valence_ccc": MetricSpec("valence_ccc", "valence_ccc", "Valence CCC", 1.0, "", digits=3),
    "arousal_ccc": MetricSpec("arousal_ccc", "arousal_ccc", "Arousal CCC", 1.0, "", digits=3),
    "valence_mae": MetricSpec("valence_mae", "valence_mae", "Valence MAE", 1.0, "", higher_is_better=False, digits=3),
    "arousal_mae": MetricSpec("arousal_mae", "arousal_mae", "Arousal MAE", 1.0, "", higher_is_better=False, digits=3),
}


def metric_spec(name: str) -> MetricSpec:
    """The spec of metric ``name``; an unknown name lists the valid ones."""
    if name not in METRICS:
        raise unknown_name("metric", name, METRICS)
    return METRICS[name]


def header(spec: MetricSpec) -> str:
    """Column header such as ``UA (%)``."""
    return f"{spec.label} ({spec.unit})" if spec.unit else spec.label
