"""Tiny random-initialised variants of each family, for tests: real transformers classes,
tiny widths (hidden 32, 2 layers, 2 heads, 8 conv channels) but the real conv kernel/stride
stack, so the frame grid is real. Seeded: the same weights on every call and machine type.
"""

from __future__ import annotations

import hashlib
import json

import torch

from backbones.families import config_class, model_class
from backbones.precision import resolve_device, resolve_dtype
from backbones.registry import register
from backbones.transformer import TransformersBackbone

CONV_KERNEL = (10, 3, 3, 3, 3, 2, 2)
CONV_STRIDE = (5, 2, 2, 2, 2, 2, 2)
TINY_SEED = 0


def tiny_config(model_type: str, feat_extract_norm: str, stable_layer_norm: bool):
    """A transformers config of ``model_type`` with tiny widths and the real conv stack."""
    if model_type == "data2vec-audio":  # its positional encoder is a stack of small convs, not one wide one
        return config_class(model_type)(
            hidden_size=32,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=64,
            conv_dim=(8,) * 7,
            conv_kernel=CONV_KERNEL,
            conv_stride=CONV_STRIDE,
            conv_bias=False,
            num_conv_pos_embeddings=2,
            conv_pos_kernel_size=5,
            num_conv_pos_embedding_groups=4,
            apply_spec_augment=False,
            hidden_dropout=0.0,
            attention_dropout=0.0,
            activation_dropout=0.0,
            feat_proj_dropout=0.0,
            layerdrop=0.0,
        )
    return config_class(model_type)(
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        conv_dim=(8,) * 7,
        conv_kernel=CONV_KERNEL,
        conv_stride=CONV_STRIDE,
        conv_bias=False,
        feat_extract_norm=feat_extract_norm,
        do_stable_layer_norm=stable_layer_norm,
        num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=4,
        apply_spec_augment=False,
        hidden_dropout=0.0,
        attention_dropout=0.0,
        activation_dropout=0.0,
        feat_proj_dropout=0.0,
        layerdrop=0.0,
    )


def tiny_model(config, seed: int = TINY_SEED):
    """Random model of ``config``, initialised under its own seed (the global RNG is left alone)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return model_class(config.model_type)(config)


def build_tiny(
    name: str,
    model_type: str,
    feat_extract_norm: str,
    stable_layer_norm: bool,
    device=None,
    dtype=None,
    max_batch_seconds=None,
) -> TransformersBackbone:
    """Shared builder of the tiny variants (no input normalisation)."""
    import transformers

    config = tiny_config(model_type, feat_extract_norm, stable_layer_norm)
    digest = hashlib.sha256(json.dumps(config.to_dict(), sort_keys=True, default=str).encode()).hexdigest()[:16]
    source = {
        "source": "tiny-random",
        "seed": TINY_SEED,
        "config_digest": digest,
        "transformers": transformers.__version__,
    }
    device = resolve_device(device)
    return TransformersBackbone(
        name,
        tiny_model(config),
        source,
        normalize=False,
        device=device,
        dtype=resolve_dtype(dtype, device),
        max_batch_seconds=max_batch_seconds,
    )


@register("tiny-wavlm")
def tiny_wavlm(device=None, dtype=None, **options):
    """WavLM-Large-like: layer-norm conv encoder, pre-norm transformer, relative position bias."""
    return build_tiny("tiny-wavlm", "wavlm", "layer", True, device, dtype, **options)


@register("tiny-hubert")
def tiny_hubert(device=None, dtype=None, **options):
    """HuBERT-Large-like: layer-norm conv encoder, pre-norm transformer."""
    return build_tiny("tiny-hubert", "hubert", "layer", True, device, dtype, **options)


@register("tiny-wav2vec2")
def tiny_wav2vec2(device=None, dtype=None, **options):
    """wav2vec2-large-lv60-like: layer-norm conv encoder, pre-norm transformer."""
    return build_tiny("tiny-wav2vec2", "wav2vec2", "layer", True, device, dtype, **options)


@register("tiny-wav2vec2-gn")
def tiny_wav2vec2_gn(device=None, dtype=None, **options):
    """wav2vec2-base-like: group-norm conv encoder (no attention mask), post-norm transformer."""
    return build_tiny("tiny-wav2vec2-gn", "wav2vec2", "group", False, device, dtype, **options)


@register("tiny-data2vec-audio")
def tiny_data2vec_audio(device=None, dtype=None, **options):
    """data2vec-audio-like: layer-norm conv encoder, post-norm transformer, conv positional stack."""
    return build_tiny("tiny-data2vec-audio", "data2vec-audio", "layer", False, device, dtype, **options)
