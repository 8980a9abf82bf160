"""What `bench layers` costs on IEMOCAP with WavLM Large, measured on this machine and projected.

    .venv/bin/python benchmarks/layers_cost.py [--scale 100] [--folds 10] [--layers 25] [--dim 1024]

The profile's data path (bench.layers.profile) is:
1. one pass over the feature cache: ``utterance_sums`` reads each utterance's fp16 [L, T, D] once
   (the store verifies its sha256 on that first read) and
   keeps count, speech count and three [L, D] float32 sums per utterance (bytes read: every frame of
   every layer once; memory held: N x L x D x 12 bytes);
2. per fold, pooler and point (L layers + the mean mix): the convex probe, ``fit_vectors``: one
   StandardScaler + LogisticRegression fit per C of ``C_GRID`` on the training speakers, scored on
   the validation speaker, and one refit with the chosen C;
3. optionally (``--learned``) one trained head per fold and pooler, which costs what the same cell
   costs in `bench run` (docs/performance.md).

Step 1 is timed on a synthetic store of 5531/scale utterances in the cache's own layout (IEMOCAP's
length distribution, bytes counted) and multiplied by the scale; step 2 is timed on vectors of
IEMOCAP's training-set size (8 of 10 speakers: 4425 utterances, 553 validating) with a class
signal, for P = D (gap, sap-noattn) and 2D (stats), and multiplied by folds x (L + 1).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.train.probes import C_GRID, fit_vectors  # noqa: E402
from iemocap_store import IEMOCAP_UTTERANCES, synthetic_store  # noqa: E402
from bench.train.utterance_stats import utterance_sums  # noqa: E402


def cache_pass(scale: int, layers: int, dim: int) -> tuple[float, int, int]:
    """(seconds, bytes read, frames) of utterance_sums over a store of 5531/scale utterances."""
    with tempfile.TemporaryDirectory() as root:
        store, _ = synthetic_store(Path(root), IEMOCAP_UTTERANCES // scale, layers, dim)
        ids = list(store.ids)
        frames = sum(store.frames(i) for i in ids)
        started = time.perf_counter()
        utterance_sums(store, ids)
        return time.perf_counter() - started, frames * layers * dim * 2, frames


def probe_seconds(width: int, n_train: int, n_valid: int, seed: int = 0) -> float:
    """Seconds of one fit_vectors call (every C of the grid, then the refit) on [n, width] vectors."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 0.3, (4, width))
    y, valid_y = rng.integers(0, 4, n_train), rng.integers(0, 4, n_valid)
    x = centres[y] + rng.normal(size=(n_train, width))
    valid_x = centres[valid_y] + rng.normal(size=(n_valid, width))
    started = time.perf_counter()
    fit_vectors(x, y, valid_x, valid_y, seed)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--layers", type=int, default=25)
    parser.add_argument("--dim", type=int, default=1024)
    args = parser.parse_args()

    seconds, nbytes, frames = cache_pass(args.scale, args.layers, args.dim)
    n = IEMOCAP_UTTERANCES
    print(
        f"cache pass: {IEMOCAP_UTTERANCES // args.scale} utterances, {frames} frames, {nbytes / 2**30:.2f} GiB read "
        f"in {seconds:.1f} s ({nbytes / 2**20 / seconds:.0f} MiB/s)"
    )
    print(
        f"  x{args.scale} -> {nbytes * args.scale / 2**30:.1f} GiB read once, ~{seconds * args.scale / 60:.1f} min at "
        f"that rate; sums held in memory: {n * args.layers * args.dim * 12 / 2**30:.2f} GiB"
    )
    n_train, n_valid = round(n * 0.8), round(n * 0.1)
    points = args.folds * (args.layers + 1)
    total = 0.0
    for kinds, width in (("gap", args.dim), ("sap-noattn", args.dim), ("stats", 2 * args.dim)):
        one = probe_seconds(width, n_train, n_valid)
        total += one * points
        print(
            f"probe {kinds}: {len(C_GRID) + 1} fits on [{n_train}, {width}] in {one:.1f} s -> {points} points "
            f"({args.folds} folds x {args.layers + 1}) = {one * points / 60:.1f} min"
        )
    print(f"probes, 3 poolers: {total / 60:.1f} min (one process, one BLAS thread)")


if __name__ == "__main__":
    main()
