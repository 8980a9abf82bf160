"""Extraction speed: the cached pipeline vs the bare model forward, cache hits, and VAD real-time factors.

    .venv/bin/python benchmarks/extraction.py                      # CPU, 20 utterances of 2-6 s
    .venv/bin/python benchmarks/extraction.py --device cuda --utterances 200 --max-seconds 15

Models are the real transformers WavLM architectures (Base+ and Large sized configs) at random
initialisation: the timing does not depend on the weights, and nothing is downloaded.

Measured per model, on the same synthetic corpus (FLAC files on disk):
  bare      audio already in memory; the model forward (all hidden states) on the very batches
            ``backbones.batching.plan_batches`` makes, nothing else
  pipeline  ``bench.cache.extract_corpus`` into an empty cache: hashing, decoding, VAD 'none',
            Backbone.extract (same batches, float32 copies to the host) and float16 atomic writes
  hit       ``extract_corpus`` again over the full cache (no model is built)
  io        ``extract_corpus`` into an empty cache with a stand-in backbone of the same L and D that
            returns zeros at once: everything the pipeline adds except the model (hashing,
            decoding, float16 conversion, writes). On a busy machine, bare and pipeline swing by
            more than the overhead; io / bare is the steadier estimate of what the pipeline adds.
and for every VAD the real-time factor (seconds of compute per second of audio).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

CONFIGS = {
    "wavlm-base-plus-sized": dict(
        hidden_size=768,
        num_hidden_layers=12,
        num_attention_heads=12,
        intermediate_size=3072,
        feat_extract_norm="group",
        do_stable_layer_norm=False,
        conv_bias=False,
    ),
    "wavlm-large-sized": dict(
        hidden_size=1024,
        num_hidden_layers=24,
        num_attention_heads=16,
        intermediate_size=4096,
        feat_extract_norm="layer",
        do_stable_layer_norm=True,
        conv_bias=True,
    ),
}


def synthetic_corpus(folder: Path, count: int, low: float, high: float, seed: int):
    """``count`` FLAC files of low..high seconds (harmonic bursts in noise) and their manifest."""
    from bench.manifest import make_manifest

    rng = np.random.default_rng(seed)
    rows = []
    for i in range(count):
        seconds = float(rng.uniform(low, high))
        n = int(seconds * 16_000)
        t = np.arange(n) / 16_000
        f0 = 100 + 80 * rng.random()
        voiced = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 8)) * (np.sin(2 * np.pi * 2.5 * t) > 0)
        wave = (0.1 * voiced + rng.normal(0, 0.005, n)).astype(np.float32)
        path = folder / f"utt{i:03d}.flac"
        sf.write(path, wave, 16_000)
        rows.append(
            {
                "id": f"utt{i:03d}",
                "path": str(path),
                "speaker": "s",
                "label": "neutral",
                "duration": seconds,
                "sample_rate": 16_000,
            }
        )
    return make_manifest(rows)


def build_backbone(name: str, device: str, dtype: str | None):
    from transformers import WavLMConfig, WavLMModel

    from backbones.precision import resolve_device, resolve_dtype
    from backbones.transformer import TransformersBackbone

    torch.manual_seed(0)
    model = WavLMModel(WavLMConfig(**CONFIGS[name]))
    dev = resolve_device(device)
    return TransformersBackbone(
        name,
        model,
        {"source": "random-init", "seed": 0},
        normalize=CONFIGS[name]["do_stable_layer_norm"],
        device=dev,
        dtype=resolve_dtype(dtype, dev),
    )


def batches_of(backbone, lengths):
    from backbones.batching import plan_batches

    return plan_batches(
        lengths, int(backbone.max_batch_seconds * 16_000), equal_length_only=not backbone.uses_attention_mask
    )


def padding_share(batches, lengths) -> float:
    padded = sum(len(b) * max(lengths[i] for i in b) for b in batches)
    return 1 - sum(lengths) / padded


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


@torch.inference_mode()
def bare_forward(backbone, waves, batches) -> float:
    """Seconds for the model forward alone over ``batches`` (inputs built before the clock starts)."""
    inputs = []
    for batch in batches:
        longest = max(len(waves[i]) for i in batch)
        values = np.zeros((len(batch), longest), np.float32)
        mask = np.zeros((len(batch), longest), np.int64)
        for row, i in enumerate(batch):
            values[row, : len(waves[i])], mask[row, : len(waves[i])] = waves[i], 1
        attention = torch.from_numpy(mask).to(backbone.device) if backbone.uses_attention_mask else None
        inputs.append((torch.from_numpy(values).to(backbone.device, backbone.dtype), attention))
    _sync(backbone.device)
    start = time.perf_counter()
    for values, attention in inputs:
        backbone.model(values, attention_mask=attention, output_hidden_states=True)
    _sync(backbone.device)
    return time.perf_counter() - start


def pipeline(manifest, backbone, cache_dir: Path) -> tuple[float, float, dict]:
    """Seconds of a cold extract_corpus, of a warm one (cache hit), and the cold run's report."""
    from bench.cache import FeatureRequest, extract_corpus

    shutil.rmtree(cache_dir, ignore_errors=True)
    start = time.perf_counter()
    cold = extract_corpus(manifest, FeatureRequest(backbone, vad="none", cache_dir=cache_dir), progress=False)
    _sync(backbone.device)
    cold_s = time.perf_counter() - start
    start = time.perf_counter()
    warm = extract_corpus(manifest, FeatureRequest(backbone, vad="none", cache_dir=cache_dir), progress=False)
    assert warm.report["cache_hits"] == len(manifest)
    return cold_s, time.perf_counter() - start, cold.report


class StandIn:
    """Same identity shape, L and D as ``backbone``; extract returns zeros [L_sel, T, D] at once."""

    def __init__(self, backbone):
        self.name, self.num_layers, self.hidden_size = "stand-in", backbone.num_layers, backbone.hidden_size
        self.identity = {"backbone": "stand-in", "L": self.num_layers, "D": self.hidden_size}

    def extract(self, waves, layers=None):
        from bench.audio import num_frames

        layers = list(range(self.num_layers)) if layers is None else layers
        return [np.zeros((len(layers), num_frames(len(w)), self.hidden_size), np.float32) for w in waves]


def io_only(manifest, backbone, cache_dir: Path) -> float:
    from bench.cache import FeatureRequest, extract_corpus

    shutil.rmtree(cache_dir, ignore_errors=True)
    start = time.perf_counter()
    extract_corpus(manifest, FeatureRequest(StandIn(backbone), vad="none", cache_dir=cache_dir), progress=False)
    return time.perf_counter() - start


def vad_rtfs(waves) -> dict[str, float]:
    import bench.vad

    audio = sum(len(w) for w in waves) / 16_000
    out = {}
    for name in bench.vad.names():
        detector = bench.vad.create(name)
        detector.speech_mask(waves[0], 16_000)  # warm-up (loads silero)
        start = time.perf_counter()
        for wave in waves:
            detector.speech_mask(wave, 16_000)
        out[name] = (time.perf_counter() - start) / audio
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--utterances", type=int, default=20)
    parser.add_argument("--min-seconds", type=float, default=2.0)
    parser.add_argument("--max-seconds", type=float, default=6.0)
    parser.add_argument("--models", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default=None, help="default: fp16 on CUDA, fp32 on CPU")
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="interleaved rounds of bare and pipeline; medians and the median per-round ratio",
    )
    args = parser.parse_args()

    from bench.audio import load_audio

    work = Path(tempfile.mkdtemp(prefix="bench-extraction-"))
    try:
        manifest = synthetic_corpus(work, args.utterances, args.min_seconds, args.max_seconds, seed=0)
        waves = [load_audio(p) for p in manifest["path"]]
        audio_s = sum(len(w) for w in waves) / 16_000
        print(
            f"corpus: {len(waves)} utterances, {audio_s:.1f} s of audio; device {args.device}, torch threads {torch.get_num_threads()}"
        )
        print(f"medians of {args.repeats} interleaved rounds; pipeline/bare = median [min-max] of the per-round ratios")
        print(
            f"{'model':24} {'batches':>7} {'padding':>8} {'bare s':>8} {'pipeline s':>10} {'pipeline/bare':>20} {'hit s':>7} {'io s':>6} {'io/bare':>8} {'RTF':>7}"
        )
        for name in args.models:
            backbone = build_backbone(name, args.device, args.dtype)
            lengths = [len(w) for w in waves]
            batches = batches_of(backbone, lengths)
            bare_forward(backbone, waves[:1], [[0]])  # warm-up
            bare, cold, hit, io = [], [], [], []
            for _ in range(args.repeats):
                bare.append(bare_forward(backbone, waves, batches))
                c, h, _ = pipeline(manifest, backbone, work / "cache")
                cold.append(c)
                hit.append(h)
                io.append(io_only(manifest, backbone, work / "cache"))
            b, c, i = np.median(bare), np.median(cold), np.median(io)
            ratios = np.array(cold) / np.array(bare)
            ratio = f"{np.median(ratios):.2f} [{ratios.min():.2f}-{ratios.max():.2f}]"
            print(
                f"{name:24} {len(batches):7d} {padding_share(batches, lengths):8.1%} {b:8.2f} {c:10.2f} "
                f"{ratio:>20} {np.median(hit):7.3f} {i:6.2f} {i / b:8.1%} {c / audio_s:7.3f}"
            )
            del backbone
        print("VAD real-time factors (compute s / audio s):")
        for name, rtf in vad_rtfs(waves).items():
            print(f"  {name:8} {rtf:.4f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
