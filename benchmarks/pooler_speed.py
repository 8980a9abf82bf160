"""Forward time of each pooler on a padded batch against a per-utterance loop.

The loop calls the same pooler on one unpadded utterance at a time, so it wastes nothing on
padding; the ratio batched/loop (< 1: batching wins) shows what padding and masking cost.

    .venv/bin/python benchmarks/pooler_speed.py                    # B=64, T~U[60, 250], D=1024, CPU
    .venv/bin/python benchmarks/pooler_speed.py --device cuda --repeats 20

Each figure is the median of --repeats interleaved runs (batched, loop, batched, loop, ...), and the
ratio is the median of the per-repeat ratios with its quartiles, so load on a shared machine hits
both sides alike. Torch runs --threads intra-op threads (default 1: what ``bench run`` gives each
job). "eval" is eval mode under no_grad; "train" is train mode, forward + backward of a scalar
loss, with the features requiring grad (as they do behind a learned layer weighting). The process
keeps the memory it frees, as every ``bench run`` job does (``bench.runner.allocator``);
``--system-malloc`` measures with glibc's default instead, where a padded batch's large tensors
are page-faulted anew every call.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch

import poolers
from bench.runner.allocator import keep_freed_memory


def make_inputs(batch, min_frames, max_frames, dim, speech_share, device, seed=0):
    """feats [B, T, D], valid [B, T], speech [B, T] (runs, ~speech_share of frames), lengths."""
    gen = torch.Generator().manual_seed(seed)
    lengths = torch.randint(min_frames, max_frames + 1, (batch,), generator=gen).tolist()
    total = max(lengths)
    valid = torch.arange(total) < torch.tensor(lengths).unsqueeze(1)
    speech = torch.zeros(batch, total, dtype=torch.bool)
    mean_speech_run = 14.0
    mean_pause = mean_speech_run * (1 - speech_share) / speech_share
    for b, n in enumerate(lengths):  # alternating runs with exponential lengths
        t, speaking = 0, True
        while t < n:
            mean = mean_speech_run if speaking else mean_pause
            run = max(1, int(torch.empty(1).exponential_(1 / mean, generator=gen)))
            speech[b, t : min(t + run, n)] = speaking
            t, speaking = t + run, not speaking
    feats = torch.randn(batch, total, dim, generator=gen)
    return feats.to(device), valid.to(device), speech.to(device), lengths


def split(feats, valid, speech, lengths):
    """The same batch as per-utterance unpadded tensors ([1, T_i, D], [1, T_i], [1, T_i])."""
    return [tuple(x[i : i + 1, :n].clone() for x in (feats, valid, speech)) for i, n in enumerate(lengths)]


def interleaved(steps, device, repeats):
    """Seconds of each step in each of `repeats` interleaved rounds, after one warm-up round:
    -> one list of `repeats` times per step."""
    times = [[] for _ in steps]
    for r in range(repeats + 1):
        for step, record in zip(steps, times):
            if device.type == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
            step()
            if device.type == "cuda":
                torch.cuda.synchronize()
            if r:
                record.append(time.perf_counter() - start)
    return times


def measure(name, inputs, device, repeats):
    """{'eval': (batched_s, loop_s), 'train': (batched_s, loop_s)} for pooler `name`."""
    feats, valid, speech, lengths = inputs
    torch.manual_seed(0)
    pooler = poolers.create(name, feats.shape[-1]).to(device)
    utterances = split(feats, valid, speech, lengths)

    def batched():
        return pooler(feats, valid, speech)

    def loop():
        return torch.cat([pooler(f, v, s) for f, v, s in utterances])

    def no_grad(step):
        def run():
            with torch.no_grad():
                step()

        return run

    def with_backward(step):
        def run():
            pooler.zero_grad(set_to_none=True)
            for tensor in [feats] + [f for f, _, _ in utterances]:
                tensor.grad = None
            step().square().mean().backward()

        return run

    pooler.eval()
    result = {"eval": interleaved([no_grad(batched), no_grad(loop)], device, repeats)}
    # Features require grad in training (they come from a learned layer weighting).
    for tensor in [feats] + [f for f, _, _ in utterances]:
        tensor.requires_grad_(True)
    pooler.train()
    result["train"] = interleaved([with_backward(batched), with_backward(loop)], device, repeats)
    feats.requires_grad_(False)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--min-frames", type=int, default=60)
    parser.add_argument("--max-frames", type=int, default=250)
    parser.add_argument("--dim", type=int, default=1024)
    parser.add_argument("--speech", type=float, default=0.7, help="share of frames that are speech")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads (bench run: 1 per job)")
    parser.add_argument("--poolers", nargs="*", default=None, help="default: all registered")
    parser.add_argument("--system-malloc", action="store_true", help="glibc's default, not what bench run jobs use")
    args = parser.parse_args()

    kept = False if args.system_malloc else keep_freed_memory()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    inputs = make_inputs(args.batch, args.min_frames, args.max_frames, args.dim, args.speech, device)
    _, valid, speech, lengths = inputs
    print(
        f"torch {torch.__version__}, device {device}, threads {torch.get_num_threads()}, "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs, "
        f"B={args.batch}, T in [{min(lengths)}, {max(lengths)}] padded to {valid.shape[1]}, "
        f"D={args.dim}, valid {valid.float().mean():.0%} of the padded batch, "
        f"speech {(speech.sum() / valid.sum()):.0%} of valid frames, freed memory {'kept' if kept else 'returned (system malloc)'}, "
        f"medians of {args.repeats} interleaved runs; "
        f"ratio = batched / loop, median [quartiles] of the per-run ratios"
    )
    print(
        f"{'pooler':<11} {'eval batched':>12} {'eval loop':>10} {'ratio':>18}   "
        f"{'train batched':>13} {'train loop':>10} {'ratio':>18}"
    )
    for name in args.poolers or poolers.names():
        r = measure(name, inputs, device, args.repeats)
        cells = []
        for batched, loop in (r["eval"], r["train"]):
            ratios = np.array(batched) / np.array(loop)
            q1, q2, q3 = np.percentile(ratios, [25, 50, 75])
            cells.append(
                f"{np.median(batched) * 1e3:10.1f}ms {np.median(loop) * 1e3:8.1f}ms {q2:6.2f} [{q1:.2f}-{q3:.2f}]"
            )
        print(f"{name:<11} " + "   ".join(cells), flush=True)


if __name__ == "__main__":
    main()
