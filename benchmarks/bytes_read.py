"""Bytes of cached features a frozen-mode job reads, on a synthetic store of IEMOCAP's shape.

    .venv/bin/python benchmarks/bytes_read.py [--scale 20] [--layers 25] [--dim 1024] [--poolers gap,sap,sr]

Builds a FeatureStore (the cache's own layout: fp16 .npy per utterance) with 5531/scale
utterances whose lengths follow IEMOCAP's (log-normal, mean ~4.5 s, 1-19 s, 50 frames a second),
L layers of D dims (WavLM Large: 25 x 1024), 4 classes, and counts every byte ``store.load``
hands to the training code while ``bench.train.fit`` trains one job for two epochs (the
marginal second epoch is the per-epoch cost; the first includes the one-off reads), through the
code paths `bench run` uses:

- ``reads``: stacks read from the memmaps batch by batch (the corpus exceeds the memory budget);
- ``resident``: the whole store held in memory once per process (it fits ``memory_budget_gb``);
- ``layer=L//2``: one fixed layer (``--set layer=12`` for WavLM Large), read batch by batch.

Linear poolers (gap) never read frames after the per-utterance statistics, which every job of
the process shares. The projection multiplies by ``scale`` (utterances) and by the epochs of a
job / the jobs of a grid.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.cache import FeatureStore  # noqa: E402
from iemocap_store import IEMOCAP_UTTERANCES, synthetic_store  # noqa: E402
from bench.train import TrainConfig, UtteranceSet, fit  # noqa: E402
from bench.train import feeders, utterance_stats  # noqa: E402


class Counter:
    """Counts the bytes of cached arrays the training code materialises: every copy out of a
    memmap (``bench.train.feeders._tensor``: batches, resident loads) and every stack the
    per-utterance statistics read (``bench.train.utterance_stats._one``)."""

    def __init__(self):
        self.bytes = 0
        self._tensor, self._one = feeders._tensor, utterance_stats._one

    def __enter__(self):
        def tensor(array):
            self.bytes += np.asarray(array).nbytes
            return self._tensor(array)

        def one(feats, speech):
            self.bytes += np.asarray(feats).nbytes + np.asarray(speech).nbytes
            return self._one(feats, speech)

        feeders._tensor, utterance_stats._one = tensor, one
        return self

    def __exit__(self, *exc):
        feeders._tensor, utterance_stats._one = self._tensor, self._one


def job_bytes(store: FeatureStore, pooler: str, budget_gb: float, layer: int | None) -> tuple[int, int]:
    """(bytes read in the first epoch, in the second) of one job on 80% / 10% train / valid."""
    ids = store.ids
    n_train, n_valid = int(0.8 * len(ids)), int(0.1 * len(ids))
    labels = np.arange(len(ids)) % 4

    def part(a, b):
        return UtteranceSet(ids[a:b], labels[a:b], None, None, store)

    train, valid = part(0, n_train), part(n_train, n_train + n_valid)
    per_epoch = []
    for epochs in (1, 2):
        feeders._RESIDENT.clear()
        utterance_stats._MEMO.clear()
        config = TrainConfig(epochs=epochs, min_steps=0, memory_budget_gb=budget_gb, layer=layer, device="cpu")
        with Counter() as counter, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # no valence/arousal in the synthetic store
            fit(train, valid, ["a", "b", "c", "d"], pooler, {"heads": 8} if pooler in ("sap", "sr") else {}, config)
        per_epoch.append(counter.bytes)
    return per_epoch[0], per_epoch[1] - per_epoch[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--layers", type=int, default=25)
    parser.add_argument("--dim", type=int, default=1024)
    parser.add_argument("--poolers", default="gap,sap,sr")
    args = parser.parse_args()
    torch.set_num_threads(1)
    n = IEMOCAP_UTTERANCES // args.scale
    with tempfile.TemporaryDirectory() as tmp:
        store, seconds = synthetic_store(Path(tmp), n, args.layers, args.dim)
        total = sum(np.load(store.feature_path(i), mmap_mode="r").nbytes for i in store.ids)
        print(
            f"synthetic store: {n} utterances ({seconds.sum() / 3600:.2f} h), L={args.layers}, D={args.dim}, "
            f"{total / 2**30:.2f} GiB fp16 (x{args.scale} = {total * args.scale / 2**30:.0f} GiB at IEMOCAP's size)\n"
        )
        print(
            "| pooler | path | first epoch MiB | each further epoch MiB | per epoch at full size GiB | "
            "30-epoch job at full size GiB |"
        )
        print("|---|---|---|---|---|---|")
        big = total / 2**30 * 2  # a budget the scaled store fits
        for pooler in args.poolers.split(","):
            fixed = args.layers // 2
            paths = [("reads", 0.0, None), ("resident", big, None), (f"layer={fixed} reads", 0.0, fixed)]
            for name, budget, layer in paths:
                if pooler == "gap" and name != "reads":
                    continue  # linear: the statistics are all it reads, whatever the path
                first, each = job_bytes(store, pooler, budget, layer)
                full = each * args.scale
                print(
                    f"| {pooler} | {name} | {first / 2**20:.1f} | {each / 2**20:.1f} | {full / 2**30:.1f} | "
                    f"{(first + 29 * each) * args.scale / 2**30:.0f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
