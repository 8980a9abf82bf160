"""SAP's two attention kernels side by side: the CPU kernel with the mean folded into its products
(``poolers.attention_cpu``, what ``bench run`` uses on CPU) against PyTorch's fused attention over
groups of rows (``poolers.attention.grouped_sdpa_attention``, what it uses on CUDA; on CPU that
is the flash kernel).

    .venv/bin/python benchmarks/attention_kernels.py [--repeats 7] [--widths 80,256,768,1024]

One torch thread (as ``bench run`` pins per job); every figure a median over --repeats
interleaved rounds (kernel A, kernel B, kernel A, ...) of process time, the ratio the median of
the per-round ratios.

- ``demo step``: the optimiser steps of a sap job on demo fold 0's first training epoch, batches
  as ``bench run`` builds them (fbank + webrtc, frozen default recipe, the resident store):
  forward, backward, AdamW step; ``demo eval``: the same batches forward under no_grad.
- ``width D``: the sap pooler alone (8 heads), forward + backward, on a batch of 64 random rows
  of 100-400 selected frames (the demo's range; IEMOCAP's utterances at 50 frames a second are
  mostly in it), at the feature widths of fbank (80) and of Base (768) and Large (1024) models.

Each row also gives the largest difference between the two kernels' pooled vectors (demo rows:
the model's outputs) over the measured batches.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from job_overhead import HPARAMS, demo_sets  # noqa: E402

import poolers  # noqa: E402
import poolers.segmental  # noqa: E402
from bench.folds import split_ids  # noqa: E402
from bench.model import build_model  # noqa: E402
from bench.train import TrainConfig  # noqa: E402
from bench.train.feature_stats import feature_stats  # noqa: E402
from bench.train.fit import _Targets, make_loss, make_optimizer, seeded  # noqa: E402
from bench.train.loss import LossSums  # noqa: E402
from bench.train.predict import make_feeder  # noqa: E402
from bench.train.provenance import model_config_for  # noqa: E402
from poolers.attention import grouped_sdpa_attention, mean_self_attention  # noqa: E402

KERNELS = {"cpu kernel": mean_self_attention, "fused sdpa": grouped_sdpa_attention}


def use_kernel(name: str) -> None:
    poolers.segmental.mean_self_attention = KERNELS[name]


def interleaved(runs: dict, repeats: int) -> dict[str, list[float]]:
    """{kernel: [process seconds per round]} of runs[kernel]() after one untimed call of each."""
    for name, run in runs.items():
        use_kernel(name)
        run()
    seconds = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            use_kernel(name)
            started = time.process_time()
            run()
            seconds[name].append(time.process_time() - started)
    return seconds


def row(label: str, seconds: dict[str, list[float]], units: int, unit: str, diff: float) -> str:
    cpu, sdpa = seconds["cpu kernel"], seconds["fused sdpa"]
    ratios = [c / s for c, s in zip(cpu, sdpa)]
    return (
        f"| {label} | {1000 * statistics.median(cpu) / units:.1f} | {1000 * statistics.median(sdpa) / units:.1f} | "
        f"{statistics.median(ratios):.2f} [{min(ratios):.2f}-{max(ratios):.2f}] | {unit} | {diff:.1e} |"
    )


def demo_rows(repeats: int) -> list[str]:
    plan, classes, make = demo_sets("fbank", None)
    config = TrainConfig(device="cpu")
    ids = split_ids(plan, 0)
    train = make(ids["train"])
    with seeded(0):
        cfg, backbone = model_config_for(train, classes, "sap", HPARAMS["sap"], config)
        model = build_model(cfg, backbone)
        model.set_feature_stats(*feature_stats(train.store, train.ids, cfg.layer))
        loss = make_loss(train, len(classes), cfg, config)
        feeder = make_feeder(model, train, config.precompute, config.memory_budget_gb)
        targets = _Targets(train, cfg)
        order = torch.randperm(len(train), generator=torch.Generator().manual_seed(0)).numpy()
        batches = [(index, feeder.batch(index)) for index in np.array_split(order, -(-len(train) // config.batch_size))]
        optimizer = make_optimizer(model, config)

        def steps():
            model.train()
            for index, batch in batches:
                optimizer.zero_grad(set_to_none=True)
                w, nv, na = targets.denominators(loss, index)
                sums = targets.sums(loss, model(batch), index, torch.device("cpu"))
                loss.total(LossSums(sums.ce, w, sums.valence, nv, sums.arousal, na)).backward()
                optimizer.step()

        def evaluate():
            model.eval()
            with torch.no_grad():
                return [model(batch) for _, batch in batches]

        outputs = {}
        for name in KERNELS:
            use_kernel(name)
            outputs[name] = evaluate()
        diff = max(
            float((a - b).abs().max())
            for x, y in zip(outputs["cpu kernel"], outputs["fused sdpa"])
            for a, b in zip(_tensors(x), _tensors(y))
        )
        step_seconds = interleaved({name: steps for name in KERNELS}, repeats)
        eval_seconds = interleaved({name: evaluate for name in KERNELS}, repeats)
    return [
        row(
            f"demo step (sap, fold 0, {len(batches)} batches of {config.batch_size})",
            step_seconds,
            len(batches),
            "ms a step",
            diff,
        ),
        row("demo eval (same batches, no_grad)", eval_seconds, len(batches), "ms a batch", diff),
    ]


def _tensors(output) -> list[torch.Tensor]:
    """The model's output tensors: logits, valence, arousal (``bench.model.heads.HeadOutput``)."""
    return [output.logits, output.valence, output.arousal]


def width_row(dim: int, repeats: int) -> str:
    torch.manual_seed(0)
    pooler = poolers.create("sap", dim, heads=8).train()
    counts = torch.randint(100, 401, (64,))
    mask = torch.arange(int(counts.max())) < counts[:, None]
    feats = torch.randn(64, mask.shape[1], dim, requires_grad=True)
    weights = torch.linspace(-1, 1, dim)

    def forward_backward():
        pooler.zero_grad()
        feats.grad = None
        out = pooler(feats, mask, mask)
        (out * weights).sum().backward()
        return out.detach()

    outputs = {}
    for name in KERNELS:
        use_kernel(name)
        outputs[name] = forward_backward()
    diff = float((outputs["cpu kernel"] - outputs["fused sdpa"]).abs().max())
    return row(
        f"width {dim} (8 heads of {dim // 8}), pooler forward + backward",
        interleaved({name: forward_backward for name in KERNELS}, repeats),
        1,
        "ms a batch of 64",
        diff,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--widths", default="80,256,768,1024")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"one torch thread; medians of {args.repeats} interleaved rounds, process time\n")
    print("| case | cpu kernel | fused sdpa | cpu / sdpa [range over rounds] | unit | max output diff |")
    print("|---|---|---|---|---|---|")
    for line in demo_rows(args.repeats):
        print(line, flush=True)
    for dim in (int(d) for d in args.widths.split(",")):
        print(width_row(dim, args.repeats), flush=True)


if __name__ == "__main__":
    main()
