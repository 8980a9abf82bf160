"""What keeping freed memory (``bench.runner.allocator``, on in every ``bench run`` job) saves.

    .venv/bin/python benchmarks/allocator.py [--repeats 5] [--scale 100] [--poolers asp,sap] [--epochs 3]

Each measurement runs in a child process of its own, since the setting cannot be undone in a
process: ``system`` = glibc's default (large allocations mapped fresh and returned on free),
``kept`` = what ``bench run`` jobs do. Children alternate (system, kept, system, ...) for
--repeats rounds; figures are medians, ratios the median of the per-round ratios kept / system
with their range. One torch thread, as ``bench run`` pins per job.

- ``fresh [B, T, D] write``: filling a new 64 x 240 x 1024 float32 tensor (63 MB, an SSL model's
  width), the median of 10 in the child;
- ``job POOLER``: a frozen-mode job through ``bench.train.fit`` (the resident frame path) on a
  synthetic IEMOCAP-shaped store (``iemocap_store.py``: 5531 / --scale utterances, 25 layers x
  1024, random frames and labels, so only the seconds mean anything), layer 12, --epochs epochs,
  after one untimed job in the same child (the store's load and statistics, which a worker pays
  once). The last column is the largest difference between the two settings' test probabilities
  (0: the placement of memory changes no number).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SETTINGS = ("system", "kept")


def child(spec: dict) -> dict:
    import numpy as np
    import torch

    from bench.runner.allocator import keep_freed_memory

    if spec["setting"] == "kept" and not keep_freed_memory():
        raise SystemExit("keep_freed_memory() is not in force here (not glibc?)")
    torch.set_num_threads(1)
    if spec["case"] == "write":
        seconds = []
        for _ in range(10):
            started = time.perf_counter()
            torch.empty(64, 240, 1024).fill_(1.0)
            seconds.append(time.perf_counter() - started)
        return {"seconds": statistics.median(seconds)}

    from dataclasses import replace

    from stats_moments import synthetic_sets

    from bench.train import TrainConfig, fit, predict

    (train, valid, test), _ = synthetic_sets(Path(spec["store"]), spec["scale"])
    config = replace(TrainConfig(device="cpu"), epochs=spec["epochs"], min_steps=0, patience=100, layer=12)
    fit(train, valid, list("abcd"), spec["case"], {}, config)  # the process's load and statistics
    started = time.perf_counter()
    result = fit(train, valid, list("abcd"), spec["case"], {}, config)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "probs": np.asarray(predict(result.model, test).probs).tolist()}


def run_child(spec: dict) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(spec)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def compare(label: str, spec: dict, repeats: int, unit: float = 1.0) -> str:
    results = {s: [] for s in SETTINGS}
    for _ in range(repeats):
        for setting in SETTINGS:
            results[setting].append(run_child({**spec, "setting": setting}))
    seconds = {s: [r["seconds"] for r in results[s]] for s in SETTINGS}
    ratios = [k / s for k, s in zip(seconds["kept"], seconds["system"])]
    diff = "-"
    if "probs" in results["kept"][0]:
        import numpy as np

        diff = f"{max(float(np.abs(np.array(a['probs']) - np.array(b['probs'])).max()) for a, b in zip(results['kept'], results['system'])):.1e}"
    return (
        f"| {label} | {statistics.median(seconds['system']) * unit:.1f} | {statistics.median(seconds['kept']) * unit:.1f} | "
        f"{statistics.median(ratios):.2f} [{min(ratios):.2f}-{max(ratios):.2f}] | {diff} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--scale", type=int, default=100, help="synthetic IEMOCAP store: 5531 / scale utterances")
    parser.add_argument("--poolers", default="asp,sap")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return
    print(f"one torch thread; child processes alternating system / kept, medians of {args.repeats} rounds\n")
    print("| case | system | kept | kept / system [range] | max test prob diff |")
    print("|---|---|---|---|---|")
    print(compare("fresh [64, 240, 1024] float32 write, ms", {"case": "write"}, args.repeats, unit=1e3), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        from stats_moments import synthetic_sets

        synthetic_sets(Path(tmp), args.scale)  # written once; the children open it
        for pooler in args.poolers.split(","):
            spec = {"case": pooler, "store": tmp, "scale": args.scale, "epochs": args.epochs}
            print(compare(f"job {pooler}, layer 12, {args.epochs} epochs, s", spec, args.repeats), flush=True)


if __name__ == "__main__":
    main()
