"""Saving and loading trained models.

A model folder holds:

    config.json        {"format": 1, "kind": "neural" | "svm", "config": ModelConfig / SVMConfig dict}
    model.safetensors  neural models: every weight (fine-tune mode: the backbone's too)
    svm.safetensors    SVM baseline: the scaler's and the SVC's arrays (``bench.model.svm_arrays``)

Nothing is unpickled or executed: a folder that holds a pickle (``*.pkl``, ``*.pickle``, ``*.pt``,
``*.pth``, ``*.bin``, ``*.joblib``, or another file that starts as a pickle does) is refused
before anything in it is read.
"""

from __future__ import annotations

import json
from pathlib import Path

from safetensors import SafetensorError
from safetensors.numpy import load_file as _load_arrays
from safetensors.numpy import save_file as _save_arrays
from safetensors.torch import load_model as _load_weights
from safetensors.torch import save_model as _save_weights

from bench.errors import BenchError
from bench.model.config import ModelConfig

FORMAT = 1
PICKLE_SUFFIXES = (".pkl", ".pickle", ".pt", ".pth", ".bin", ".joblib")
PICKLE_MAGIC = tuple(bytes([0x80, protocol]) for protocol in range(2, 6))  # what pickle.dumps writes first
PROVENANCE = ("backbone", "backbone_identity", "layers", "vad", "vad_options", "preprocessing")


def save_model(model, directory: str | Path, **provenance) -> Path:
    """Write ``model`` to ``directory`` (created). ``provenance`` (backbone, backbone_identity,
    layers, vad, vad_options, preprocessing) is recorded in the config, overriding what ``fit``
    took from the feature store. -> the folder."""
    from bench.model.svm import SVMModel

    unknown = sorted(set(provenance) - set(PROVENANCE))
    if unknown:
        raise ValueError(f"unknown provenance keys {unknown}; known: {list(PROVENANCE)}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if isinstance(model, SVMModel):
        model.config.provenance.update(provenance)
        _save_arrays(model.arrays, str(directory / "svm.safetensors"))
        kind, config = "svm", model.config.to_dict()
    else:
        for key, value in provenance.items():
            setattr(model.config, key, value)
        _save_weights(model, str(directory / "model.safetensors"))
        kind, config = "neural", model.config.to_dict()
    text = json.dumps({"format": FORMAT, "kind": kind, "config": config}, indent=2, default=str)
    (directory / "config.json").write_text(text + "\n")
    return directory


def load_model(directory: str | Path, device: str = "cpu"):
    """Rebuild a model saved by ``save_model`` (eval mode) on ``device``."""
    from bench.model import build_model
    from bench.model.svm import SVMConfig, SVMModel

    from bench.model.svm_arrays import check_svm_arrays

    directory = Path(directory)
    path = directory / "config.json"
    if not path.is_file():
        raise BenchError(f"no saved model in {directory}: expected {path}; pass a folder written by save_model")
    refuse_pickles(directory)
    try:
        saved = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BenchError(f"{path} is not valid JSON ({exc}); pass a folder written by save_model") from exc
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        found = saved.get("format") if isinstance(saved, dict) else type(saved).__name__
        raise BenchError(f"{path} has model format {found!r}; this version reads format {FORMAT}")
    kind = saved.get("kind")
    if kind == "svm":
        arrays = _read_safetensors(directory / "svm.safetensors", _load_arrays)
        check_svm_arrays(arrays, str(directory / "svm.safetensors"))
        return SVMModel(SVMConfig.from_dict(saved["config"]), arrays)
    if kind != "neural":
        raise BenchError(f"{path} has model kind {kind!r}; expected 'neural' or 'svm'")
    model = build_model(ModelConfig.from_dict(saved["config"]))
    _read_safetensors(directory / "model.safetensors", lambda p: _load_weights(model, p, device=str(device)))
    return model.to(device).eval()


def refuse_pickles(directory: Path) -> None:
    """Raise a BenchError if ``directory`` holds a file that would be unpickled by other tools."""
    found = sorted(p.name for p in directory.rglob("*") if p.is_file() and _looks_pickled(p))
    if found:
        raise BenchError(
            f"model folder {directory} holds pickle-format file(s) {found[:3]}: they can run code when "
            f"loaded, so this tool refuses the folder. Remove them, or re-save the model with this "
            f"version (weights in safetensors, the rest in JSON)"
        )


def _looks_pickled(path: Path) -> bool:
    if path.suffix.lower() in PICKLE_SUFFIXES:
        return True
    if path.suffix.lower() in (".safetensors", ".json"):  # a safetensors header length can start with 0x80
        return False
    with open(path, "rb") as f:
        return f.read(2) in PICKLE_MAGIC


def _read_safetensors(path: Path, read):
    if not path.is_file():
        raise BenchError(f"model file missing: {path}; pass a whole folder written by save_model")
    try:
        return read(str(path))
    except (SafetensorError, RuntimeError, OSError) as exc:
        raise BenchError(
            f"{path} is not a readable safetensors file of this model ({exc}); save the model again"
        ) from exc
