"""Local transformers checkpoint folders (``save_pretrained`` output or a downloaded snapshot).

A folder needs ``config.json`` (its ``model_type`` picks the class) and weights
(``model.safetensors``, ``pytorch_model.bin`` or a sharded index). Its identity holds a digest of
the weight and config files (size + sha256 each), cached in-process by (path, size, mtime).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from backbones.families import model_class
from backbones.precision import resolve_device, resolve_dtype
from backbones.transformer import TransformersBackbone
from bench.errors import BenchError

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
INDEX_FILES = ("model.safetensors.index.json", "pytorch_model.bin.index.json")
_DIGESTS: dict[tuple[str, int, int], str] = {}


def weight_files(folder: Path) -> list[Path]:
    """The weight files of a checkpoint folder (shards listed by an index file included)."""
    for name in WEIGHT_FILES:
        if (folder / name).is_file():
            return [folder / name]
    for name in INDEX_FILES:
        if (folder / name).is_file():
            shards = sorted(set(json.loads((folder / name).read_text())["weight_map"].values()))
            missing = [s for s in shards if not (folder / s).is_file()]
            if missing:
                raise BenchError(
                    f"checkpoint folder {folder} lists weight shards that are missing: {', '.join(missing)}"
                )
            return [folder / name] + [folder / s for s in shards]
    return []


def check_checkpoint_folder(folder: Path) -> dict:
    """Validate a folder; returns its parsed config.json. BenchError saying what is missing otherwise."""
    expected = "a transformers checkpoint folder (config.json + model.safetensors or pytorch_model.bin, e.g. from save_pretrained)"
    if not folder.is_dir():
        raise BenchError(
            f"{folder} is neither a registered backbone name nor an existing folder; expected {expected}. "
            "See `bench list backbones` for the registered names; a hub id is owner/name, optionally @REVISION."
        )
    found = ", ".join(sorted(p.name for p in folder.iterdir())[:10]) or "nothing"
    if not (folder / "config.json").is_file():
        raise BenchError(f"no config.json in {folder}: expected {expected}; found {found}")
    if not weight_files(folder):
        raise BenchError(
            f"no weights file in {folder}: expected one of {', '.join(WEIGHT_FILES + INDEX_FILES)}; found {found}"
        )
    config = json.loads((folder / "config.json").read_text())
    if "model_type" not in config:
        raise BenchError(f"{folder / 'config.json'} has no 'model_type'; expected a WavLM, HuBERT or wav2vec2 config")
    return config


def file_digest(path: Path) -> str:
    """sha256 of one file, cached by (resolved path, size, mtime_ns)."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _DIGESTS:
        sha = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 22), b""):
                sha.update(block)
        _DIGESTS[key] = sha.hexdigest()
    return _DIGESTS[key]


def folder_digest(folder: Path) -> str:
    """One sha256 over (name, size, sha256) of config.json, preprocessor_config.json and the weights."""
    files = [folder / "config.json", *weight_files(folder)]
    if (folder / "preprocessor_config.json").is_file():
        files.append(folder / "preprocessor_config.json")
    lines = [f"{p.name} {p.stat().st_size} {file_digest(p)}" for p in files]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def local_normalize(folder: Path, config: dict) -> tuple[bool, str]:
    """do_normalize of the folder's preprocessor_config.json; else True for layer-norm encoders
    (the large models were pre-trained on normalised input), False for group-norm ones."""
    path = folder / "preprocessor_config.json"
    if path.is_file():
        pre = json.loads(path.read_text())
        if "do_normalize" in pre:
            return bool(pre["do_normalize"]), "preprocessor_config.json"
    return config.get("feat_extract_norm", "layer") == "layer", "default-by-feat_extract_norm"


def load_local_backbone(folder: Path, device=None, dtype=None, max_batch_seconds=None) -> TransformersBackbone:
    """Load a checkpoint folder as a backbone named by its path."""
    folder = Path(folder).expanduser()
    config = check_checkpoint_folder(folder)
    cls = model_class(config["model_type"])
    model = cls.from_pretrained(str(folder), local_files_only=True)
    normalize, normalize_source = local_normalize(folder, config)
    source = {
        "backbone": "local",
        "source": "local",
        "weights_sha256": folder_digest(folder),
        "normalize_source": normalize_source,
    }
    device = resolve_device(device)
    return TransformersBackbone(
        str(folder), model, source, normalize, device, resolve_dtype(dtype, device), max_batch_seconds=max_batch_seconds
    )
