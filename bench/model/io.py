"""Saving and loading trained models.

A model folder holds:

    config.json        {"format": 1, "kind": "neural" | "svm", "config": ModelConfig / SVMConfig dict}
    model.safetensors  neural models: every weight (fine-tune mode: the backbone's too)
    svm.pkl            SVM baseline: the pickled scikit-learn pipeline (load only files you trust)
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

from safetensors.torch import load_model as _load_weights
from safetensors.torch import save_model as _save_weights

from bench.errors import BenchError
from bench.model.config import ModelConfig

FORMAT = 1
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
        (directory / "svm.pkl").write_bytes(pickle.dumps(model.pipeline))
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

    directory = Path(directory)
    path = directory / "config.json"
    if not path.is_file():
        raise BenchError(f"no saved model in {directory}: expected {path}; pass a folder written by save_model")
    saved = json.loads(path.read_text())
    if saved.get("format") != FORMAT:
        raise BenchError(f"{path} has model format {saved.get('format')!r}; this version reads format {FORMAT}")
    if saved["kind"] == "svm":
        return SVMModel(SVMConfig.from_dict(saved["config"]), pickle.loads((directory / "svm.pkl").read_bytes()))
    model = build_model(ModelConfig.from_dict(saved["config"]))
    _load_weights(model, str(directory / "model.safetensors"), device=str(device))
    return model.to(device).eval()
