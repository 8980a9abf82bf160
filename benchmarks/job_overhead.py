"""A training job's time against its arithmetic alone: what the harness adds around the model.

    .venv/bin/python benchmarks/job_overhead.py [--poolers gap,sap,sr] [--folds 0,1] [--repeats 3]

For each pooler and demo fold (fbank features, webrtc VAD, the LOSO folds ``bench run`` uses, one
torch thread as ``bench run`` pins per job):

- ``job``: ``bench.train.fit`` exactly as a ``bench run`` job calls it, on the disk feature cache:
  per-utterance statistics, feeders, every epoch's shuffled batches, validation after every
  evaluation period, early stopping, the final training-set evaluation;
- ``arithmetic``: the same model (built by the same functions, same seed) doing the same number
  of optimiser steps (forward, backward, AdamW step, scheduler) and the same evaluation forwards,
  on batches built once beforehand and held in memory: no statistics, no reads, no batch
  assembly, no early-stopping bookkeeping.

One untimed job per fold warms the process first. Rows are medians over --repeats interleaved rounds (job, arithmetic, job, arithmetic, ...); the
ratio job / arithmetic is the median of the per-round ratios. A ratio near 1 means the job's time
is its arithmetic.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from convergence import demo_sets  # noqa: E402

from bench.folds import split_ids  # noqa: E402
from bench.model import build_model  # noqa: E402
from bench.train import TrainConfig, fit  # noqa: E402
from bench.train.feature_stats import feature_stats  # noqa: E402
from bench.train.fit import _Targets, make_loss, make_optimizer, seeded  # noqa: E402
from bench.train.loss import LossSums  # noqa: E402
from bench.train.predict import make_feeder  # noqa: E402
from bench.train.provenance import model_config_for  # noqa: E402
from bench.train.schedule import lr_scheduler  # noqa: E402

HPARAMS = {"sap": {"heads": 8}, "sr": {"heads": 8}}


def run_job(train, valid, classes, pooler, config) -> tuple[float, dict]:
    """-> (seconds, the job's summary) of one fit as bench run calls it: in a worker process
    that has run jobs before, so what a process memoises across jobs (per-utterance statistics,
    the resident store, torch's lazy imports) is already there, as for all but its first job."""
    started = time.perf_counter()
    result = fit(train, valid, classes, pooler, HPARAMS.get(pooler, {}), config, seed=0)
    return time.perf_counter() - started, {**result.summary, "periods": len(result.history)}


def run_arithmetic(train, valid, classes, pooler, config, steps: int, periods: int) -> float:
    """Seconds of `steps` optimiser steps and `periods` validation passes plus one training-set
    pass, on batches assembled before the clock starts."""
    with seeded(0):
        cfg, backbone = model_config_for(train, classes, pooler, HPARAMS.get(pooler, {}), config)
        model = build_model(cfg, backbone)
        if cfg.standardize:
            model.set_feature_stats(*feature_stats(train.store, train.ids, cfg.layer))
        loss = make_loss(train, len(classes), cfg, config)
        train_feed = make_feeder(model, train, config.precompute, config.memory_budget_gb)
        valid_feed = make_feeder(model, valid, config.precompute, config.memory_budget_gb)
        targets = _Targets(train, cfg)
        generator = torch.Generator().manual_seed(0)
        epochs = [torch.randperm(len(train), generator=generator).numpy() for _ in range(8)]
        train_batches = [
            (index, train_feed.batch(index))
            for order in epochs
            for index in np.array_split(order, math.ceil(len(train) / config.batch_size))
        ]
        eval_size = config.eval_batch_size or config.batch_size
        valid_batches = [
            valid_feed.batch(np.arange(s, min(s + eval_size, len(valid)))) for s in range(0, len(valid), eval_size)
        ]
        full_train = [
            train_feed.batch(np.arange(s, min(s + eval_size, len(train)))) for s in range(0, len(train), eval_size)
        ]
        optimizer = make_optimizer(model, config)
        scheduler = lr_scheduler(config.lr_schedule, optimizer, max(steps, 1), config.warmup_ratio)
        started = time.perf_counter()
        model.train()
        for step in range(steps):
            index, batch = train_batches[step % len(train_batches)]
            optimizer.zero_grad(set_to_none=True)
            w, nv, na = targets.denominators(loss, index)
            sums = targets.sums(loss, model(batch), index, torch.device("cpu"))
            loss.total(LossSums(sums.ce, w, sums.valence, nv, sums.arousal, na)).backward()
            optimizer.step()
            scheduler.step()
        model.eval()
        with torch.no_grad():
            for _ in range(periods):
                for batch in valid_batches:
                    model(batch)
            for batch in full_train:
                model(batch)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--poolers", default="gap,sap,sr")
    parser.add_argument("--folds", default="0,1")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cache-dir", default=None)
    args = parser.parse_args()
    torch.set_num_threads(1)
    plan, classes, make = demo_sets("fbank", args.cache_dir)
    config = TrainConfig(device="cpu")
    print(
        "demo corpus, fbank + webrtc, frozen default recipe, 1 torch thread; medians of "
        f"{args.repeats} interleaved rounds\n"
    )
    print("| pooler | fold | steps | periods | job s | arithmetic s | job / arithmetic |")
    print("|---|---|---|---|---|---|---|")
    for pooler in args.poolers.split(","):
        for fold in (int(f) for f in args.folds.split(",")):
            ids = split_ids(plan, fold)
            train, valid = make(ids["train"]), make(ids["valid"])
            jobs, sums, ratios = [], [], []
            run_job(train, valid, classes, pooler, config)  # warm-up: the process's one-off work
            for _ in range(args.repeats):
                seconds, summary = run_job(train, valid, classes, pooler, config)
                base = run_arithmetic(train, valid, classes, pooler, config, summary["steps"], summary["periods"])
                jobs.append(seconds)
                sums.append(base)
                ratios.append(seconds / base)
            print(
                f"| {pooler} | {fold} | {summary['steps']} | {summary['periods']} | {np.median(jobs):.2f} | "
                f"{np.median(sums):.2f} | {np.median(ratios):.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
