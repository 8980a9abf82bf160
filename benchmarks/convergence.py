"""Do the poolers converge under a recipe? Test and training UA against the optimiser-step budget.

    .venv/bin/python benchmarks/convergence.py [--poolers gap,sap-noattn,stats,sap,sr,asp]
        [--budgets 0,300,1000,2000,5000] [--lrs 1e-3] [--folds 0,...,7] [--backbone fbank]

On the shipped demo corpus (its LOSO folds: 6 training speakers, 1 validation, 1 test), through
the same feature cache, training code and TrainConfig that ``bench run`` uses: for every pooler,
budget (``min_steps``; 0 is the paper's 30 epochs, 3 batches each on the demo: 90 steps) and
learning rate, one job per fold. Prints a markdown table of the mean over folds of test UA,
training UA and the validation speaker's total loss and UA (at the kept weights), best epoch / epoch limit and the share of jobs that ended at the
limit still improving, and, for reference, the convex probes (logistic regression on gap /
sap-noattn / stats vectors) on the same folds. A budget sits on the plateau when more steps no
longer move test or training UA beyond fold noise.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.cache import FeatureRequest, extract_corpus  # noqa: E402
from bench.datasets import prepare_dataset  # noqa: E402
from bench.folds import fold_plan, split_ids  # noqa: E402
from bench.stats import unweighted_accuracy  # noqa: E402
from bench.train import TrainConfig, UtteranceSet, fit, predict  # noqa: E402
from bench.train.probes import PROBES  # noqa: E402


def demo_sets(backbone: str, cache_dir: str | None):
    manifest = prepare_dataset("demo", None, None).manifest
    store = extract_corpus(manifest, FeatureRequest(backbone, vad="webrtc", cache_dir=cache_dir), progress=False)
    plan = fold_plan(manifest, "loso", None)
    classes = sorted(manifest["label"].unique())
    rows = manifest.set_index("id", drop=False)

    def make(ids):
        ids = [i for i in ids if i in store]
        part = rows.loc[ids]
        labels = part["label"].map({c: k for k, c in enumerate(classes)}).to_numpy()
        return UtteranceSet(ids, labels, part["valence"].to_numpy(float), part["arousal"].to_numpy(float), store)

    return plan, classes, make


def run_one(plan, classes, make, fold: int, pooler: str, config: TrainConfig) -> dict:
    ids = split_ids(plan, fold)
    train, valid, test = make(ids["train"]), make(ids["valid"]), make(ids["test"])
    started = time.perf_counter()
    params = {"heads": 8} if pooler in ("sap", "sr") else {}
    result = fit(train, valid, classes, pooler, params, config, seed=0)
    ua = unweighted_accuracy(test.labels, predict(result.model, test).labels)
    s = result.summary
    kept = next((row for row in result.history if row["epoch"] == result.best_epoch), {})
    return {
        "fold": fold,
        "ua": ua,
        "valid_loss": kept.get("valid_loss", float("nan")),
        "valid_ua": kept.get("valid_ua", float("nan")),
        "train_ua": s.get("train_ua"),
        "best_epoch": result.best_epoch,
        "max_epochs": s.get("max_epochs"),
        "steps": s.get("steps"),
        "still": bool(s.get("still_improving")),
        "seconds": time.perf_counter() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--poolers", default="gap,sap-noattn,stats,sap,sr,asp")
    parser.add_argument(
        "--budgets",
        default="0,300,1000,2000,5000",
        help="min_steps values (0: the paper's 30 epochs, 90 steps on the demo)",
    )
    parser.add_argument("--lrs", default="1e-3")
    parser.add_argument("--folds", default="0,1,2,3,4,5,6,7")
    parser.add_argument("--backbone", default="fbank")
    parser.add_argument("--cache-dir", default=None)
    parser.add_argument("--no-probes", action="store_true", help="leave out the probe rows")
    parser.add_argument("--jsonl", default=None, help="also append one JSON line per job to this file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    plan, classes, make = demo_sets(args.backbone, args.cache_dir)
    folds = [int(f) for f in args.folds.split(",")]
    print(f"demo corpus, backbone {args.backbone}, folds {folds}; means over folds\n")
    print(
        "| model | lr | min_steps | steps | test UA | train UA | valid loss | valid UA "
        "| best epoch / limit | still improving | s/job |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")

    def record(name, lr, budget, runs):
        if args.jsonl:
            with open(args.jsonl, "a") as out:
                for r in runs:
                    out.write(json.dumps({"model": name, "lr": lr, "min_steps": budget, **r}) + "\n")

    for name in () if args.no_probes else PROBES:
        runs = [run_one(plan, classes, make, f, name, TrainConfig(device="cpu")) for f in folds]
        record(name, None, None, runs)
        print(
            f"| {name} | - | - | - | {np.mean([r['ua'] for r in runs]):.3f} | "
            f"{np.mean([r['train_ua'] for r in runs]):.3f} | - | - | - | - | {np.mean([r['seconds'] for r in runs]):.1f} |",
            flush=True,
        )
    for pooler in args.poolers.split(","):
        for lr in (float(x) for x in args.lrs.split(",")):
            for budget in (int(b) for b in args.budgets.split(",")):
                config = TrainConfig(lr=lr, min_steps=budget, device="cpu")
                runs = [run_one(plan, classes, make, f, pooler, config) for f in folds]
                record(pooler, lr, budget, runs)
                print(
                    f"| {pooler} | {lr:g} | {budget} | {np.mean([r['steps'] for r in runs]):.0f} | "
                    f"{np.mean([r['ua'] for r in runs]):.3f} | {np.mean([r['train_ua'] for r in runs]):.3f} | "
                    f"{np.mean([r['valid_loss'] for r in runs]):.3f} | {np.mean([r['valid_ua'] for r in runs]):.3f} | "
                    f"{np.mean([r['best_epoch'] for r in runs]):.0f} / {runs[0]['max_epochs']} | "
                    f"{np.mean([r['still'] for r in runs]):.2f} | {np.mean([r['seconds'] for r in runs]):.1f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
