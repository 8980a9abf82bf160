"""Peak memory of extraction and of sap against the length of one utterance (10 s to 10 min).

    .venv/bin/python benchmarks/memory_vs_length.py                 # CPU, tiny random-init models
    .venv/bin/python benchmarks/memory_vs_length.py --seconds 10,60,600 --whole-up-to 60

Each series runs in its own child process, lengths in increasing order; a point is the growth of
the child's peak resident memory (``ru_maxrss``) over its size after a one-second warm-up, so it
counts every allocation (PyTorch's CPU allocator keeps no statistics of its own).

Series:
  extract tiny-wavlm     ``Backbone.extract`` of one utterance (WavLM attention in query blocks)
  extract tiny-wavlm whole   the same with blocking switched off (transformers' own attention);
                         only up to --whole-up-to seconds, as it grows quadratically
  extract tiny-hubert    HuBERT (PyTorch SDPA attention)
  sap eval / sap train   the sap pooler (D=--dim, 8 heads) on one utterance of T = 50 frames per
                         second, all speech; eval under no_grad, train = forward + backward
  sap ... whole          sap with the CPU kernel's query blocking switched off, so it holds the
                         whole attention matrix (up to --whole-up-to seconds)

The summary fits memory ~ seconds^k over the points of 60 s and more: k near 1 is linear, near
2 quadratic.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import numpy as np

CHILD = r"""
import json, resource, sys
import numpy as np
import torch
torch.set_num_threads(1)
spec = json.loads(sys.argv[1])

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

if spec["kind"] == "extract":
    import backbones, backbones.blocked_attention as blocked
    if spec["whole"]:
        blocked.SCORE_BLOCK_ELEMENTS = 10**15
    backbone = backbones.create(spec["model"])
    def run(seconds):
        wave = (np.random.default_rng(0).normal(size=int(16000 * seconds)) * 0.1).astype(np.float32)
        backbone.extract([wave])
else:
    import poolers, poolers.attention_cpu as attention_cpu
    if spec["whole"]:  # one query block: the whole [H, S, S] attention matrix at once
        attention_cpu.BLOCK_ELEMENTS = 10**15
    pooler = poolers.create("sap", spec["dim"], heads=8)
    pooler.train(spec["mode"] == "train")
    def run(seconds):
        frames = int(50 * seconds)
        feats = torch.randn(1, frames, spec["dim"], requires_grad=spec["mode"] == "train")
        mask = torch.ones(1, frames, dtype=torch.bool)
        if spec["mode"] == "train":
            pooler(feats, mask, mask).sum().backward()
        else:
            with torch.no_grad():
                pooler(feats, mask, mask)

run(1.0)
base = peak_mb()
for seconds in spec["seconds"]:
    run(seconds)
    print(json.dumps({"seconds": seconds, "mb": peak_mb() - base}), flush=True)
"""


def series(spec: dict, seconds: list[float]) -> list[tuple[float, float]]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps({**spec, "seconds": seconds})],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if done.returncode != 0:
        raise SystemExit(f"child {spec} failed:\n{done.stderr[-2000:]}")
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return [(r["seconds"], r["mb"]) for r in rows]


def exponent(points: list[tuple[float, float]]) -> float | None:
    """k of memory ~ seconds^k, least squares in log-log over points >= 60 s with memory > 1 MB."""
    usable = [(s, m) for s, m in points if s >= 60 and m > 1]
    if len(usable) < 2:
        return None
    x, y = np.log([s for s, _ in usable]), np.log([m for _, m in usable])
    return float(np.polyfit(x, y, 1)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", default="10,30,60,120,300,600", help="utterance lengths in seconds")
    parser.add_argument(
        "--whole-up-to", type=float, default=120.0, help="longest utterance for the whole-matrix (quadratic) series"
    )
    parser.add_argument("--dim", type=int, default=256, help="feature width D for sap")
    args = parser.parse_args()
    seconds = [float(s) for s in args.seconds.split(",")]
    short = [s for s in seconds if s <= args.whole_up_to]
    plans = [
        ("extract tiny-wavlm", {"kind": "extract", "model": "tiny-wavlm", "whole": False}, seconds),
        ("extract tiny-wavlm whole", {"kind": "extract", "model": "tiny-wavlm", "whole": True}, short),
        ("extract tiny-hubert", {"kind": "extract", "model": "tiny-hubert", "whole": False}, seconds),
        ("sap eval", {"kind": "sap", "mode": "eval", "dim": args.dim, "whole": False}, seconds),
        ("sap eval whole", {"kind": "sap", "mode": "eval", "dim": args.dim, "whole": True}, short),
        ("sap train", {"kind": "sap", "mode": "train", "dim": args.dim, "whole": False}, seconds),
        ("sap train whole", {"kind": "sap", "mode": "train", "dim": args.dim, "whole": True}, short),
    ]
    header = "series".ljust(26) + "".join(f"{s:>9.0f}s" for s in seconds) + "   exponent k"
    print("peak memory growth in MB (one utterance):")
    print(header)
    for name, spec, lengths in plans:
        points = dict(series(spec, lengths))
        k = exponent(list(points.items()))
        cells = "".join(f"{points[s]:>10.0f}" if s in points else f"{'-':>10}" for s in seconds)
        print(name.ljust(26) + cells + (f"   {k:.2f}" if k is not None else "   -"), flush=True)


if __name__ == "__main__":
    main()
