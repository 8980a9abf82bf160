"""Emotion models: layer mixing -> pooler -> 32-dim projection -> emotion / valence / arousal.

    ModelConfig                       architecture + provenance (to_dict / from_dict)
    build_model(config, backbone=None) -> EmotionModel (frozen) | FineTuneModel (finetune)
    save_model(model, directory, **provenance); load_model(directory)
    bench.model.svm: the SVM baseline (fit_svm, SVMModel), model name "svm"

See docs/training.md.
"""

from bench.model.config import ModelConfig
from bench.model.emotion import EmotionModel
from bench.model.finetune import FineTuneModel


def build_model(config: ModelConfig, backbone=None):
    """A fresh model for ``config``; fine-tune mode uses ``backbone`` or creates ``config.backbone``."""
    if config.mode == "finetune":
        return FineTuneModel(config, backbone)
    return EmotionModel(config)


from bench.model.io import load_model, save_model  # noqa: E402  (io uses build_model)

__all__ = ["EmotionModel", "FineTuneModel", "ModelConfig", "build_model", "load_model", "save_model"]
