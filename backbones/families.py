"""The transformers model families this package runs: WavLM, HuBERT, wav2vec2.

All three share the conv feature encoder (kernels (10,3,3,3,3,2,2), strides (5,2,2,2,2,2,2))
that puts frame i on samples ``[320 i, 320 i + 400)``.
"""

from __future__ import annotations

from bench.errors import BenchError


def model_class(model_type: str):
    """transformers ``model_type`` -> base model class (no task head)."""
    from transformers import HubertModel, Wav2Vec2Model, WavLMModel

    classes = {"wavlm": WavLMModel, "hubert": HubertModel, "wav2vec2": Wav2Vec2Model}
    if model_type not in classes:
        raise BenchError(
            f"model type {model_type!r} is not supported; supported types: {', '.join(sorted(classes))} "
            "(WavLM, HuBERT and wav2vec2/XLSR checkpoints)"
        )
    return classes[model_type]


def config_class(model_type: str):
    """transformers ``model_type`` -> config class."""
    from transformers import HubertConfig, Wav2Vec2Config, WavLMConfig

    return {"wavlm": WavLMConfig, "hubert": HubertConfig, "wav2vec2": Wav2Vec2Config}[model_type]
