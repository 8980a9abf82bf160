"""Building the ``ModelConfig`` of a training job: widths from the data, provenance from the store.

A ``FeatureStore`` that carries ``backbone``, ``backbone_identity``, ``layers``, ``vad``,
``vad_options`` or ``preprocessing`` attributes has them copied into the model config, so a
saved model says where its inputs come from; ``save_model(..., **provenance)`` can set or
override them.
"""

from __future__ import annotations

import numpy as np

from bench.model import ModelConfig
from bench.train.config import TrainConfig
from bench.train.data import UtteranceSet, target_stats

PROVENANCE = ("backbone", "backbone_identity", "layers", "vad", "vad_options", "preprocessing")


def store_provenance(store) -> dict:
    """Provenance a store carries: plain attributes (``backbone``, ``vad``, ...) or, for
    ``bench.cache.FeatureStore``, its ``backbone_identity`` / ``vad_identity`` / ``layers`` /
    ``preprocessing``. Missing ones are left out."""
    found = {key: getattr(store, key) for key in PROVENANCE if getattr(store, key, None) is not None}
    identity = found.get("backbone_identity") or {}
    if "backbone" not in found and identity.get("backbone"):
        found["backbone"] = identity["backbone"]
    vad_identity = getattr(store, "vad_identity", None) or {}
    if "vad" not in found and vad_identity.get("name"):
        found["vad"] = vad_identity["name"]
        found.setdefault("vad_options", _vad_options(vad_identity))
    if "layers" in found:
        found["layers"] = [int(i) for i in found["layers"]]
    for key in ("backbone_identity", "vad_options", "preprocessing"):
        if key in found:
            found[key] = dict(found[key])
    return found


def _vad_options(identity: dict) -> dict:
    """The options of a VAD identity that ``bench.vad.create`` accepts (drops name, rule, version)."""
    from bench.vad import get
    from bench.vad.base import SMOOTHING_OPTIONS

    try:
        valid = {**get(identity["name"]).options, **SMOOTHING_OPTIONS}
    except KeyError:
        return {}
    return {k: v for k, v in identity.items() if k in valid}


def stack_shape(store, first_id: str) -> tuple[int, int]:
    """(L, D) of a store: its ``num_layers``/``dim`` attributes, else the first utterance's shape."""
    if getattr(store, "num_layers", None) and getattr(store, "dim", None):
        return int(store.num_layers), int(store.dim)
    feats = np.asarray(store.load(first_id)[0])
    return int(feats.shape[0]), int(feats.shape[2])


def model_config_for(train: UtteranceSet, classes, pooler: str, pooler_params: dict, config: TrainConfig):
    """-> (ModelConfig, backbone or None). Fine-tune mode creates the backbone (its widths)."""
    common = dict(
        classes=list(classes),
        pooler=pooler,
        pooler_params=dict(pooler_params),
        layer=config.layer,
        proj_dim=config.proj_dim,
        dropout=config.dropout,
        mode=config.mode,
        standardize=config.standardize and config.mode == "frozen",
        valence_stats=target_stats(train.valence),
        arousal_stats=target_stats(train.arousal),
    )
    if config.mode == "finetune":
        if not config.backbone:
            raise ValueError("fine-tune mode needs TrainConfig.backbone (a backbones name)")
        import backbones

        backbone = backbones.create(config.backbone)
        layers = backbone.check_layers(config.layers)
        cfg = ModelConfig(
            in_dim=backbone.hidden_size,
            num_layers=len(layers),
            backbone=config.backbone,
            backbone_identity=dict(backbone.identity),
            layers=layers,
            freeze_feature_encoder=config.freeze_feature_encoder,
            **common,
            **_vad_provenance(train.store),
        )
        return cfg, backbone
    num_layers, dim = stack_shape(train.store, train.ids[0])
    return ModelConfig(in_dim=dim, num_layers=num_layers, **common, **store_provenance(train.store)), None


def _vad_provenance(store) -> dict:
    masks = getattr(store, "masks", store)  # WaveStore keeps the FeatureStore that holds the masks
    return {k: v for k, v in store_provenance(masks).items() if k in ("vad", "vad_options", "preprocessing")}
