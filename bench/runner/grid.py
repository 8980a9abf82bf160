"""Grid arguments: ``KEY=V1,V2`` strings -> a dict of value lists -> the cells of the grid.

Axes: ``poolers``, ``backbones``, ``vads``, ``seeds`` (singular spellings accepted), any
training option (``lr``, ``alpha``, ``epochs``, ...), and options scoped to one entry:
``pooler.sap.heads=4,8`` multiplies only the ``sap`` cells, ``vad.webrtc.aggressiveness=1,3``
only the ``webrtc`` ones. A cell is one combination of everything but the seed; jobs are
cells x seeds x folds. With probes on, every (backbone, VAD setting) pair also gets one cell per
convex probe (``bench.train.probes.PROBES``), trained with the first seed only.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bench.errors import BenchError

AXES = {
    "poolers": "poolers",
    "pooler": "poolers",
    "backbones": "backbones",
    "backbone": "backbones",
    "vads": "vads",
    "vad": "vads",
    "seeds": "seeds",
    "seed": "seeds",
}
DEFAULT_POOLERS = ["gap", "sap", "sr"]
# Keys whose values are names or paths: kept as text ("none" is the VAD, not None).
TEXT_KEYS = {
    "poolers",
    "backbones",
    "vads",
    "dataset",
    "data_dir",
    "manifest",
    "class_set",
    "protocol",
    "validation",
    "backbone",
    "vad",
    "cache_dir",
    "recipe",
    "dtype",
    "split_file",
    "test",
    "class_map",
}


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
    """['poolers=gap,sap', 'lr=1e-3'] -> {'poolers': ['gap', 'sap'], 'lr': [0.001]} (axes normalised)."""
    grid: dict[str, list] = {}
    for item in items:
        if "=" not in item:
            raise BenchError(f"{what} takes KEY=V1,V2 items, got {item!r} (e.g. poolers=gap,sap,sr)")
        key, values = item.split("=", 1)
        key = AXES.get(key.strip(), key.strip()) if what == "--grid" else key.strip()
        parse = str.strip if key in TEXT_KEYS else parse_value
        parsed = [parse(v) for v in values.split(",") if v.strip()]
        if not parsed:
            raise BenchError(f"{what} item {item!r} lists no values")
        if key in grid:
            raise BenchError(f"{what} names {key!r} twice")
        grid[key] = parsed
    return grid


def scope_of(key: str) -> tuple[str, str] | None:
    """'pooler.sap.heads' -> ('pooler', 'sap'); 'vad.webrtc.aggressiveness' -> ('vad', 'webrtc'); else None."""
    parts = key.split(".")
    return (parts[0], parts[1]) if len(parts) == 3 and parts[0] in ("pooler", "vad") else None


@dataclass(frozen=True)
class Cell:
    """One grid cell: backbone, VAD, pooler, and the grid values that apply to it.

    ``hparams``: sorted (key, value) pairs with full keys (``lr``, ``pooler.sap.heads``,
    ``vad.webrtc.aggressiveness``). ``shown``: the keys whose values differ between cells,
    the only ones the label names.
    """

    backbone: str
    vad: str
    pooler: str
    hparams: tuple = field(default_factory=tuple)
    shown: tuple | None = None  # None: every key of hparams

    @property
    def label(self) -> str:
        """`fbank|webrtc|sap` or `fbank|webrtc|sap|heads=4`: the `cell` column of results.csv."""
        keys = [k for k, _ in self.hparams] if self.shown is None else self.shown
        short = {k: k.split(".")[-1] for k in keys}
        if len(set(short.values())) < len(short):  # two scopes share an option name: keep full keys
            short = {k: k for k in keys}
        values = dict(self.hparams)
        return "|".join([self.backbone, self.vad, self.pooler] + [f"{short[k]}={values[k]}" for k in keys])

    def training_overrides(self) -> dict:
        return {k: v for k, v in self.hparams if scope_of(k) is None}

    def pooler_params(self) -> dict:
        return {k.split(".")[2]: v for k, v in self.hparams if scope_of(k) == ("pooler", self.pooler)}

    def vad_options(self) -> dict:
        return {k.split(".")[2]: v for k, v in self.hparams if scope_of(k) == ("vad", self.vad)}

    @property
    def features(self) -> tuple:
        """What the cached features depend on among the cell's values: (backbone, vad, vad options)."""
        return self.backbone, self.vad, tuple(sorted(self.vad_options().items()))


def _applies(key: str, vad: str, pooler: str) -> bool:
    scope = scope_of(key)
    return scope is None or scope in (("pooler", pooler), ("vad", vad))


def expand(grid: dict[str, list], backbone: str, vad: str, probes: bool = True) -> tuple[list[Cell], list[int]]:
    """The cells and seeds of ``grid``; axes it leaves out take ``backbone``, ``vad``, the default
    poolers and seed 0. With ``probes``, the probe cells follow (see the module docstring)."""
    from bench.train.probes import PROBES

    seeds = [int(s) for s in grid.get("seeds", [0])]
    value_keys = sorted(k for k in grid if k not in AXES.values())
    cells = []
    for b, v, p in itertools.product(
        grid.get("backbones", [backbone]), grid.get("vads", [vad]), grid.get("poolers", DEFAULT_POOLERS)
    ):
        keys = [k for k in value_keys if _applies(k, str(v), str(p))]
        for values in itertools.product(*(grid[k] for k in keys)):
            cells.append(Cell(str(b), str(v), str(p), tuple(zip(keys, values))))
    if probes:
        pairs = dict.fromkeys(
            (c.backbone, c.vad, tuple((k, x) for k, x in c.hparams if scope_of(k) == ("vad", c.vad))) for c in cells
        )
        cells += [Cell(b, v, probe, hp) for b, v, hp in pairs for probe in PROBES]
    return _with_labels(cells), seeds


def _with_labels(cells: list[Cell]) -> list[Cell]:
    """Mark in each cell the keys whose values differ between the cells they apply to."""
    seen: dict[str, set] = {}
    for cell in cells:
        for k, v in cell.hparams:
            seen.setdefault(k, set()).add(repr(v))
    varying = {k for k, values in seen.items() if len(values) > 1}
    return [Cell(c.backbone, c.vad, c.pooler, c.hparams, tuple(k for k, _ in c.hparams if k in varying)) for c in cells]
