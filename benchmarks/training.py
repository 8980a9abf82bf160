"""Frozen-mode training speed, and the learning-rate measurement behind the frozen default.

    .venv/bin/python benchmarks/training.py throughput [--utterances 128] [--poolers gap,sap,...]
    .venv/bin/python benchmarks/training.py lr [--lrs 3e-5,1e-4,3e-4,1e-3,3e-3]

``throughput``: training utterances per second of one epoch (batch 64, synthetic fp16 stacks
held in memory, T uniform in 60-250) per pooler, for D=80 / D=1024 and L=1 / L=13; for linear
poolers also the precomputed path (per-layer pooled vectors, built once) and its speed-up.
``lr``: test UA after the paper's 30-epoch recipe (batch 64, warm-up 0.1, cosine, patience 5)
for each learning rate, on a mid-size synthetic task (default; 1500 training utterances, so
about 700 optimiser steps as on a real fold) or on the shipped demo corpus (``--data demo``:
fbank features, webrtc VAD, speakers split 6/1/1; only 90 optimiser steps in 30 epochs). Results in docs/training.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import poolers  # noqa: E402
from bench.train import TrainConfig, UtteranceSet, fit, predict  # noqa: E402
from bench.train.data import DictStore  # noqa: E402
from bench.train.feeders import precompute_pooled  # noqa: E402


def synthetic_set(n: int, layers: int, dim: int, seed: int = 0) -> UtteranceSet:
    """n utterances of fp16 stacks [L, T, D], T uniform in 60-250, 4 classes."""
    rng = np.random.default_rng(seed)
    items = {}
    for i in range(n):
        t = int(rng.integers(60, 251))
        items[f"u{i}"] = (rng.normal(size=(layers, t, dim)).astype(np.float16), rng.random(t) < 0.7)
    labels = np.arange(n) % 4
    return UtteranceSet(list(items), labels, rng.uniform(1, 5, n), rng.uniform(1, 5, n), DictStore(items))


def _hparams(name: str, dim: int) -> dict:
    return {"heads": 8} if name in ("sap", "sr") else {}


def fit_seconds(data, pooler: str, dim: int, precompute: bool, epochs: int) -> float:
    config = TrainConfig(epochs=epochs, batch_size=64, precompute=precompute, device="cpu")
    start = time.perf_counter()
    fit(data, None, ["a", "b", "c", "d"], pooler, _hparams(pooler, dim), config, seed=0)
    return time.perf_counter() - start


def epoch_seconds(data, pooler: str, dim: int, precompute: bool, extra: int) -> float:
    """Marginal cost of one epoch: (fit of 1 + extra epochs - fit of 1 epoch) / extra, so model
    building, feature statistics and the precompute are left out."""
    return (
        max(fit_seconds(data, pooler, dim, precompute, 1 + extra) - fit_seconds(data, pooler, dim, precompute, 1), 1e-9)
        / extra
    )


def throughput(args) -> None:
    names = args.poolers.split(",")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {args.utterances} utterances, batch 64")
    print("| D | L | pooler | frame-level utt/s | precomputed utt/s | precompute s (once) | speed-up per epoch |")
    print("|---|---|---|---|---|---|---|")
    fit_seconds(synthetic_set(64, 1, 80), "gap", 80, False, 1)  # warm-up: imports, allocator
    for dim, layers in [(80, 1), (80, 13), (1024, 1), (1024, 13)]:
        data = synthetic_set(args.utterances, layers, dim)
        for name in names:
            frame = epoch_seconds(data, name, dim, precompute=False, extra=2)
            row = f"| {dim} | {layers} | {name} | {args.utterances / frame:.0f} |"
            if poolers.is_linear(name):
                start = time.perf_counter()
                precompute_pooled(data.store, data.ids, name)
                pre = time.perf_counter() - start
                per_epoch = epoch_seconds(data, name, dim, precompute=True, extra=10)
                row += f" {args.utterances / per_epoch:.0f} | {pre:.2f} | {frame / per_epoch:.0f}x |"
            else:
                row += " - | - | - |"
            print(row, flush=True)


def demo_split(cache_dir: str):
    """Demo corpus -> fbank FeatureStore and train/valid/test UtteranceSets by speaker."""
    import pandas as pd

    from bench.cache import FeatureRequest, extract_corpus
    from bench.datasets.demo import packaged_demo_dir

    manifest = pd.read_csv(packaged_demo_dir() / "manifest.csv")
    manifest["path"] = [str(packaged_demo_dir() / p) for p in manifest["path"]]
    manifest["duration"], manifest["sample_rate"] = float("nan"), 16000
    store = extract_corpus(manifest, FeatureRequest("fbank", vad="webrtc", cache_dir=cache_dir), progress=False)
    classes = sorted(manifest["label"].unique())
    speakers = sorted(manifest["speaker"].unique())
    roles = {s: "train" for s in speakers[:-2]} | {speakers[-2]: "valid", speakers[-1]: "test"}
    sets = {}
    for role in ("train", "valid", "test"):
        part = manifest[manifest["speaker"].map(roles) == role]
        sets[role] = UtteranceSet(
            list(part["id"]),
            part["label"].map(classes.index).to_numpy(),
            part["valence"].to_numpy(),
            part["arousal"].to_numpy(),
            store,
        )
    return classes, sets


def synthetic_split(layers: int = 4, dim: int = 128, separation: float = 0.05):
    """A mid-size synthetic task (1500/300/600 utterances, 4 classes): weak class means on speech
    frames, a per-utterance offset (speaker-like nuisance) and frame noise, fp16 stacks."""
    rng = np.random.default_rng(0)
    centres = rng.normal(scale=separation, size=(4, dim))
    sets = {}
    for role, n in (("train", 1500), ("valid", 300), ("test", 600)):
        items, labels = {}, rng.integers(0, 4, n)
        for i, y in enumerate(labels):
            t = int(rng.integers(60, 251))
            speech = rng.random(t) < 0.7
            x = rng.normal(size=(layers, t, dim)) + rng.normal(scale=0.3, size=dim) + 2.0
            x[:, speech] += centres[y] * np.linspace(0.2, 1.0, layers)[:, None, None]
            items[f"{role}{i}"] = (x.astype(np.float16), speech)
        v = 3 + (labels - 1.5) * 0.5 + rng.normal(scale=0.5, size=n)
        sets[role] = UtteranceSet(list(items), labels, v, 6 - v, DictStore(items))
    return ["a", "b", "c", "d"], sets


def lr_sweep(args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        classes, sets = demo_split(tmp) if args.data == "demo" else synthetic_split()
        print(f"{args.data} data, {len(sets['train'])}/{len(sets['valid'])}/{len(sets['test'])} utterances")
        print("| pooler | lr | test UA (mean of seeds) | best epoch | final train loss |")
        print("|---|---|---|---|---|")
        for name in args.poolers.split(","):
            for lr in (float(v) for v in args.lrs.split(",")):
                uas, best, last = [], [], []
                for seed in range(args.seeds):
                    result = fit(
                        sets["train"],
                        sets["valid"],
                        classes,
                        name,
                        _hparams(name, 80),
                        TrainConfig(lr=lr, device="cpu"),
                        seed=seed,
                    )
                    pred = predict(result.model, sets["test"]).labels
                    y = sets["test"].labels
                    uas.append(np.mean([np.mean(pred[y == c] == c) for c in np.unique(y)]))
                    best.append(result.best_epoch)
                    last.append(result.history[-1]["train_loss"])
                print(
                    f"| {name} | {lr:g} | {np.mean(uas):.3f} | {np.mean(best):.1f} | {np.mean(last):.3f} |", flush=True
                )


def main() -> None:
    torch.set_num_threads(1)  # shared CI cores: intra-op threads on small tensors only add sync overhead
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("throughput")
    p.add_argument("--utterances", type=int, default=128)
    p.add_argument("--poolers", default="gap,sap-noattn,stats,asp,sap,sr")
    p = sub.add_parser("lr")
    p.add_argument("--lrs", default="3e-5,1e-4,3e-4,1e-3,3e-3")
    p.add_argument("--poolers", default="gap,sr")
    p.add_argument("--seeds", type=int, default=2)
    p.add_argument("--data", choices=["synthetic", "demo"], default="synthetic")
    args = parser.parse_args()
    throughput(args) if args.what == "throughput" else lr_sweep(args)


if __name__ == "__main__":
    main()
