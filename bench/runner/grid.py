"""Grid arguments: ``KEY=V1,V2`` strings -> a dict of value lists -> the cells of the grid.

Keys: ``poolers``, ``backbones``, ``vads``, ``seeds`` (singular spellings accepted), any
training hyper-parameter (``lr``, ``alpha``, ``epochs``, ...), and pooler hyper-parameters as
``pooler.NAME`` (``pooler.heads=4,8``). A cell is one combination of everything but the seed;
jobs are cells x seeds x folds.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bench.errors import BenchError

AXES = {"poolers": "pooler", "pooler": "pooler", "backbones": "backbone", "backbone": "backbone",
        "vads": "vad", "vad": "vad", "seeds": "seed", "seed": "seed"}


def parse_value(text: str):
    """'3' -> 3, '1e-4' -> 0.0001, 'true' -> True, 'none' -> None, anything else stays a string."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text.strip()


def parse_assignments(items: list[str], what: str = "--grid") -> dict[str, list]:
    """['poolers=gap,sap', 'lr=1e-3'] -> {'pooler': ['gap', 'sap'], 'lr': [0.001]} (axes normalised)."""
    grid: dict[str, list] = {}
    for item in items:
        if "=" not in item:
            raise BenchError(f"{what} takes KEY=V1,V2 items, got {item!r} (e.g. poolers=gap,sap,sr)")
        key, values = item.split("=", 1)
        key = AXES.get(key.strip(), key.strip())
        parsed = [parse_value(v) for v in values.split(",") if v.strip()]
        if not parsed:
            raise BenchError(f"{what} item {item!r} lists no values")
        if key in grid:
            raise BenchError(f"{what} names {key!r} twice")
        grid[key] = parsed
    return grid


@dataclass(frozen=True)
class Cell:
    """One grid cell: backbone, VAD, pooler, and the hyper-parameters that vary (training and pooler)."""

    backbone: str
    vad: str
    pooler: str
    hparams: tuple = field(default_factory=tuple)  # sorted (key, value) pairs, e.g. (("lr", 0.001),)

    @property
    def label(self) -> str:
        """`fbank|webrtc|sr` or `fbank|webrtc|sr|lr=0.001`: the `cell` column of results.csv."""
        parts = [self.backbone, self.vad, self.pooler] + [f"{k}={v}" for k, v in self.hparams]
        return "|".join(parts)

    def training_overrides(self) -> dict:
        return {k: v for k, v in self.hparams if not k.startswith("pooler.")}

    def pooler_params(self) -> dict:
        return {k[len("pooler."):]: v for k, v in self.hparams if k.startswith("pooler.")}


def expand(grid: dict[str, list], defaults: dict) -> tuple[list[Cell], list[int]]:
    """The cells and seeds of ``grid``; axes it leaves out take ``defaults`` (backbone, vad, pooler, seed)."""
    axes = {a: grid.get(a, [defaults[a]] if not isinstance(defaults[a], list) else defaults[a])
            for a in ("backbone", "vad", "pooler", "seed")}
    seeds = [int(s) for s in axes.pop("seed")]
    hp_keys = sorted(k for k in grid if k not in ("backbone", "vad", "pooler", "seed"))
    cells = []
    for backbone, vad, pooler in itertools.product(axes["backbone"], axes["vad"], axes["pooler"]):
        for values in itertools.product(*(grid[k] for k in hp_keys)):
            cells.append(Cell(str(backbone), str(vad), str(pooler), tuple(zip(hp_keys, values))))
    return cells, seeds
