"""`bench extract`: fill the feature cache for a corpus (backbone hidden states + VAD masks)."""

from __future__ import annotations

from pathlib import Path

import click

from bench.datasets import names as dataset_names
from bench.errors import BenchError
from bench.vad import names as vad_names

SHOWN_SKIPS = 20


def _manifest(dataset, data_dir, manifest):
    """The manifest to extract, and the corpus's default max duration (None without --dataset)."""
    from bench.datasets import create, prepare_dataset
    from bench.manifest import read_manifest

    if dataset is None and manifest is None:
        raise BenchError("give --dataset NAME (with --data-dir) or --manifest FILE written by `bench prepare`")
    default_max = create(dataset).default_max_duration if dataset else None
    if manifest is not None:
        return read_manifest(manifest), default_max
    return prepare_dataset(dataset, data_dir).manifest, default_max


def _size(num_bytes: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if num_bytes < 1024 or unit == "GiB":
            return f"{num_bytes:.1f} {unit}" if unit != "B" else f"{num_bytes} B"
        num_bytes /= 1024


@click.command()
@click.option("--dataset", type=click.Choice(dataset_names()), help="Corpus adapter (see `bench list datasets`).")
@click.option(
    "--data-dir", type=click.Path(path_type=Path), help="Corpus root (not needed for demo or with --manifest)."
)
@click.option(
    "--manifest",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Manifest CSV from `bench prepare` (instead of scanning).",
)
@click.option(
    "--backbone",
    required=True,
    help="Registry name (see `bench list backbones`), hub id (owner/name) or a local checkpoint folder.",
)
@click.option(
    "--revision",
    default=None,
    help="Hub revision (branch, tag or commit) of --backbone; the same as --backbone NAME@REVISION.",
)
@click.option(
    "--layers",
    default="all",
    show_default=True,
    help="Hidden states to keep: comma-separated indices (0 = conv output) or 'all'.",
)
@click.option(
    "--vad",
    default="webrtc",
    show_default=True,
    type=click.Choice(vad_names()),
    help="Voice activity detector (docs/vad.md).",
)
@click.option(
    "--vad-option",
    "vad_option",
    multiple=True,
    metavar="KEY=VALUE",
    help="VAD option, repeatable, e.g. aggressiveness=2.",
)
@click.option(
    "--max-duration",
    type=float,
    default=None,
    help="Seconds kept from each file (default: the corpus's own, else all).",
)
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Cache folder (default: the user cache, see docs/cache.md).",
)
@click.option("--device", default=None, help="cpu, cuda, cuda:1 ... (default: cuda when available).")
@click.option("--dtype", default=None, help="fp32, fp16 or bf16 (default: fp16 on GPU, fp32 on CPU).")
def command(
    dataset, data_dir, manifest, backbone, revision, layers, vad, vad_option, max_duration, cache_dir, device, dtype
):
    """Extract and cache frame-level features and speech masks; a second run only reads the cache."""
    from backbones.hub import with_revision
    from bench.cache import FeatureRequest, default_cache_dir, extract_corpus
    from bench.vad import parse_options

    frame, default_max = _manifest(dataset, data_dir, manifest)
    if max_duration is None:
        max_duration = default_max
    cache_dir = cache_dir or default_cache_dir()
    request = FeatureRequest(
        with_revision(backbone, revision),
        vad=vad,
        vad_options=parse_options(vad_option),
        layers=layers,
        max_duration=max_duration,
        cache_dir=cache_dir,
        device=device,
        dtype=dtype,
    )
    store = extract_corpus(frame, request, progress=True)
    for utt_id, skip in list(store.skipped.items())[:SHOWN_SKIPS]:
        click.echo(f"skipped {utt_id} ({skip.reason}): {skip.detail}", err=True)
    if len(store.skipped) > SHOWN_SKIPS:
        click.echo(f"... and {len(store.skipped) - SHOWN_SKIPS} more skipped", err=True)
    for entry in store.report.get("damaged_entries", []):
        click.echo(
            f"re-extracted the damaged cache entry {entry['entry']} of {entry['id']}: {entry['problem']}", err=True
        )
    r = store.report
    skipped = ", ".join(f"{n} {reason}" for reason, n in sorted(r["skipped"].items())) or "none"
    click.echo(
        f"{r['utterances']} utterances: {r['extracted']} extracted, {r['cache_hits']} cache hits, "
        f"{r['masks_computed']} masks computed, skipped: {skipped}"
    )
    contiguous = store.layers == list(range(store.layers[0], store.layers[-1] + 1))
    shown = (
        f"{store.layers[0]}..{store.layers[-1]}"
        if contiguous and store.num_layers > 2
        else ",".join(map(str, store.layers))
    )
    click.echo(
        f"layers {shown} ({store.num_layers}), D={store.dim}, "
        f"max duration {max_duration or 'none'}, VAD {vad}; {r['seconds']:.1f} s"
    )
    click.echo(f"disk used: {_size(r['disk_bytes'])} in {store.features_dir} and {store.masks_dir}")
