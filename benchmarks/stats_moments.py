"""A ``stats`` training job from per-layer moments against the same job on frames.

    .venv/bin/python benchmarks/stats_moments.py [--folds 0] [--repeats 3] [--scale 200]

``bench.train.fit`` with pooler ``stats``, ``precompute=True`` (``MomentFeeder``: per-layer means
and cross-layer covariances, computed once per process) against ``precompute=False`` (the padded
frame batch every step, held resident), one torch thread as ``bench run`` pins per job:

- the demo corpus (fbank + webrtc, one layer of 80 dims, the LOSO folds ``bench run`` uses, the
  frozen default recipe): the variance of one layer is the per-utterance m2 / T;
- a synthetic IEMOCAP-shaped store (``iemocap_store.py``: 25 layers x 1024, 5531 / --scale
  utterances, random labels), a fixed 4 epochs, learned layer mixing: the quadratic form over
  the 325 layer pairs. Frames are random, so only the seconds mean anything.

Per case, one untimed job of each path warms the process (the statistics and the moments are
memoised per process, as for all but a worker's first job); then --repeats interleaved rounds
(moments, frames, moments, ...). Rows give the medians and the median of the per-round ratios
frames / moments, and the largest difference of the two trained models' test probabilities.
``once s`` is the one-off computation of the moments of every utterance of the store from an
empty memo (it reads each stack once).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from convergence import demo_sets  # noqa: E402
from iemocap_store import IEMOCAP_UTTERANCES, synthetic_store  # noqa: E402

from bench.folds import split_ids  # noqa: E402
from bench.train import TrainConfig, UtteranceSet, fit, predict  # noqa: E402
from bench.train import utterance_stats  # noqa: E402


def _job(train, valid, classes, config, precompute: bool):
    started = time.perf_counter()
    result = fit(train, valid, classes, "stats", {}, replace(config, precompute=precompute))
    return time.perf_counter() - started, result


def _once(store) -> float:
    utterance_stats._MEMO.clear()
    started = time.perf_counter()
    utterance_stats.utterance_moments(store, list(store.ids))
    return time.perf_counter() - started


def compare(name, train, valid, test, classes, config, repeats: int) -> str:
    once = _once(train.store)
    for precompute in (True, False):  # warm-up
        _job(train, valid, classes, config, precompute)
    moments, frames, ratios = [], [], []
    for _ in range(repeats):
        a, fast = _job(train, valid, classes, config, True)
        b, slow = _job(train, valid, classes, config, False)
        moments.append(a)
        frames.append(b)
        ratios.append(b / a)
    diff = np.abs(predict(fast.model, test).probs - predict(slow.model, test).probs).max()
    steps = fast.summary["steps"]
    return (
        f"| {name} | {steps} | {once:.2f} | {np.median(moments):.2f} | {np.median(frames):.2f} | "
        f"{np.median(ratios):.1f} [{min(ratios):.1f}-{max(ratios):.1f}] | {diff:.1e} |"
    )


def synthetic_sets(root: Path, scale: int):
    n = max(IEMOCAP_UTTERANCES // scale, 12)
    store, _ = synthetic_store(root, n, 25, 1024)
    labels = np.arange(n) % 4
    rng = np.random.default_rng(0)
    parts = np.array_split(rng.permutation(n), [int(0.7 * n), int(0.85 * n)])

    def make(index):
        ids = [f"u{i}" for i in index]
        return UtteranceSet(ids, labels[index], rng.uniform(1, 5, len(index)), rng.uniform(1, 5, len(index)), store)

    return [make(p) for p in parts], n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", default="0")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scale", type=int, default=200, help="synthetic IEMOCAP store: 5531 / scale utterances")
    parser.add_argument("--cache-dir", default=None)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, 1 thread, medians of {args.repeats} interleaved rounds\n")
    print("| case | steps | once s | moments s | frames s | frames / moments | max prob diff |")
    print("|---|---|---|---|---|---|---|")
    plan, classes, make = demo_sets("fbank", args.cache_dir)
    for fold in (int(f) for f in args.folds.split(",")):
        ids = split_ids(plan, fold)
        sets = make(ids["train"]), make(ids["valid"]), make(ids["test"])
        print(compare(f"demo fold {fold}", *sets, classes, TrainConfig(device="cpu"), args.repeats), flush=True)
    if args.scale:
        with tempfile.TemporaryDirectory() as tmp:
            sets, n = synthetic_sets(Path(tmp), args.scale)
            config = TrainConfig(device="cpu", epochs=4, min_steps=0, patience=100)
            print(compare(f"IEMOCAP-shaped, {n} utt, 25 x 1024", *sets, list("abcd"), config, args.repeats))


if __name__ == "__main__":
    main()
