"""Predicting emotions of audio files with a saved model (what ``bench predict`` runs).

Each file goes through the same chain as training data: ``load_audio`` (16 kHz mono, truncated
to the model's ``max_duration``), the model's VAD (``bench.vad``) for the speech mask, and the
model's backbone for the hidden states of its layers (frozen models; a fine-tuned model holds
its backbone and takes the audio itself). A bad file is reported and skipped, the others are
still predicted: unreadable, truncated (``probe_audio``), too short, NaN/inf samples, a file whose
features do not fit in memory, or one the model gives non-finite outputs for. Files are predicted
one at a time, so one long file never pads a batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.audio import SAMPLE_RATE, load_audio, num_frames, probe_audio
from bench.errors import AudioError, BenchError
from bench.memory import is_out_of_memory, out_of_memory_detail, release_cached_memory
from bench.model import load_model
from bench.train.data import DictStore, UtteranceSet
from bench.train.predict import predict


@dataclass
class FilePrediction:
    """One file's result: ``probs`` {class: p}, valence, arousal (NaN if the model has none), or ``error``."""

    path: str
    probs: dict | None = None
    valence: float = float("nan")
    arousal: float = float("nan")
    error: str | None = None

    @property
    def label(self) -> str | None:
        return max(self.probs, key=self.probs.get) if self.probs else None

    def to_dict(self) -> dict:
        if self.error:
            return {"file": self.path, "error": self.error}
        finite = lambda v: float(v) if np.isfinite(v) else None  # noqa: E731  JSON has no NaN or inf
        return {
            "file": self.path,
            "prediction": self.label,
            "probabilities": self.probs,
            "valence": finite(self.valence),
            "arousal": finite(self.arousal),
        }


def _provenance(model) -> dict:
    cfg = model.config
    if hasattr(cfg, "provenance"):  # SVM baseline
        return dict(cfg.provenance)
    return {
        "backbone": cfg.backbone,
        "layers": cfg.layers,
        "vad": cfg.vad,
        "vad_options": cfg.vad_options,
        "preprocessing": cfg.preprocessing,
    }


def _inputs(model, path: str, info: dict, backbone, vad):
    """-> (array for the store, speech mask [T]); raises AudioError for a bad file."""
    max_duration = (info.get("preprocessing") or {}).get("max_duration")
    probe_audio(path)  # a truncated file is refused, not predicted on its partial audio
    wave = load_audio(path, SAMPLE_RATE, max_duration)
    if num_frames(len(wave)) == 0:
        raise AudioError(f"{path} is shorter than one 25 ms frame ({len(wave)} samples at 16 kHz)")
    speech = np.asarray(vad.speech_mask(wave, SAMPLE_RATE), dtype=bool)
    if backbone is None:  # fine-tuned: the model takes the audio
        return wave, speech
    return backbone.extract([wave], info.get("layers"))[0], speech


def predict_files(model_dir: str, paths: list[str], device: str = "cpu") -> list[FilePrediction]:
    """Predict every file in ``paths`` with the model saved in ``model_dir``; bad files get ``error``."""
    import backbones
    import bench.vad

    model = load_model(model_dir, device=device) if device != "cpu" else load_model(model_dir)
    info = _provenance(model)
    finetuned = getattr(model.config, "mode", "frozen") == "finetune"
    if not info.get("backbone") and not finetuned:
        raise BenchError(
            f"the model in {model_dir} does not record its backbone; save it with "
            "save_model(model, dir, backbone=..., layers=..., vad=...) so inputs can be rebuilt"
        )
    backbone = None if finetuned else backbones.create(info["backbone"], device=device)
    vad = bench.vad.create(info.get("vad") or "none", **(info.get("vad_options") or {}))
    return [_predict_one(model, str(path), info, backbone, vad) for path in paths]


def _predict_one(model, path: str, info: dict, backbone, vad) -> FilePrediction:
    result = FilePrediction(path)
    try:
        item = _inputs(model, path, info, backbone, vad)
        preds = predict(model, UtteranceSet(["x"], np.zeros(1, dtype=np.int64), None, None, DictStore({"x": item})))
    except AudioError as exc:
        result.error = str(exc)
        return result
    except (RuntimeError, MemoryError) as exc:
        if not is_out_of_memory(exc):
            raise
        release_cached_memory()
        seconds = min(probe_audio(path).duration, (info.get("preprocessing") or {}).get("max_duration") or float("inf"))
        result.error = f"out of memory: {out_of_memory_detail(seconds)}"
        return result
    if not np.isfinite(preds.probs).all():
        result.error = "the model gave non-finite probabilities for this file; it was not predicted"
        return result
    result.probs = {c: float(p) for c, p in zip(model.config.classes, preds.probs[0])}
    result.valence, result.arousal = float(preds.valence[0]), float(preds.arousal[0])
    return result
