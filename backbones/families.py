"""The transformers model families this package runs: WavLM, HuBERT, wav2vec2, data2vec-audio.

All four share the conv feature encoder (kernels (10,3,3,3,3,2,2), strides (5,2,2,2,2,2,2))
that puts frame i on samples ``[320 i, 320 i + 400)``.
"""

from __future__ import annotations

from bench.errors import BenchError

# transformers model_type -> (model class, config class) names in transformers
FAMILIES = {
    "wavlm": ("WavLMModel", "WavLMConfig"),
    "hubert": ("HubertModel", "HubertConfig"),
    "wav2vec2": ("Wav2Vec2Model", "Wav2Vec2Config"),
    "data2vec-audio": ("Data2VecAudioModel", "Data2VecAudioConfig"),
}


def check_model_type(model_type: str, where: str = "") -> None:
    """BenchError unless ``model_type`` is one of FAMILIES."""
    if model_type not in FAMILIES:
        raise BenchError(
            f"model type {model_type!r}{f' ({where})' if where else ''} is not supported; supported types: "
            f"{', '.join(sorted(FAMILIES))} (WavLM, HuBERT, wav2vec2/XLSR and data2vec-audio checkpoints)"
        )


def model_class(model_type: str):
    """transformers ``model_type`` -> base model class (no task head)."""
    import transformers

    check_model_type(model_type)
    return getattr(transformers, FAMILIES[model_type][0])


def config_class(model_type: str):
    """transformers ``model_type`` -> config class."""
    import transformers

    check_model_type(model_type)
    return getattr(transformers, FAMILIES[model_type][1])


def feature_encoder_norm(config) -> str:
    """ "layer" or "group": the conv encoder's normalisation (data2vec-audio always uses layer norm)."""
    return getattr(config, "feat_extract_norm", "layer")


def padding_invariant(config) -> bool:
    """True when zero padding in a batch leaves the valid frames unchanged (with the attention mask).

    Not so for a group-norm conv encoder (statistics over all samples), nor for data2vec-audio's
    positional encoder: a stack of convs with a layer norm between them turns the zeroed padded
    frames non-zero after the first conv, and the next conv reads them into the last valid frames.
    Such models get equal-length batches."""
    if feature_encoder_norm(config) != "layer":
        return False
    return not (config.model_type == "data2vec-audio" and config.num_conv_pos_embeddings > 1)
