import numpy as np
import pytest
import torch

import backbones
from bench.audio import num_frames
from bench.train import fit, predict
from bench.train.data import UtteranceSet
from model_data import CLASSES, quick_config


class WaveMemoryStore:
    """Stand-in for bench.train.WaveStore: ``load(id) -> (wave float32 [n], speech bool [T])``."""

    def __init__(self, n=8, seed=0):
        rng = np.random.default_rng(seed)
        self.items = {}
        for i in range(n):
            wave = (rng.normal(size=int(rng.integers(4000, 9000))) * 0.1).astype(np.float32)
            self.items[f"w{i}"] = (wave, rng.random(num_frames(len(wave))) < 0.6)

    def load(self, utt_id):
        return self.items[utt_id]


def _waves(n=8):
    store = WaveMemoryStore(n)
    labels = np.arange(n) % 3
    return UtteranceSet(list(store.items), labels, 1.0 + labels, 3.0 - labels, store)


def _changed(before, model, prefix):
    after = {k: v for k, v in model.state_dict().items() if k.startswith(prefix)}
    assert after, prefix
    return any(not torch.equal(before[k[len("backbone.") :]], v) for k, v in after.items())


@pytest.mark.parametrize("freeze", [True, False])
def test_finetune_step_updates_backbone_and_respects_frozen_conv_encoder(freeze):
    data = _waves()
    before = {k: v.clone() for k, v in backbones.create("tiny-wavlm").model.state_dict().items()}
    config = quick_config(
        mode="finetune", backbone="tiny-wavlm", epochs=1, batch_size=4, lr=1e-3, freeze_feature_encoder=freeze
    )
    result = fit(data, None, CLASSES, "sap", {"heads": 2}, config, seed=0)
    model = result.model
    assert model.config.backbone == "tiny-wavlm" and model.config.num_layers == 3
    assert _changed(before, model, "backbone.encoder.")
    assert _changed(before, model, "backbone.feature_extractor.") is (not freeze)
    preds = predict(model, data)
    assert preds.probs.shape == (8, 3) and np.isfinite(preds.valence).all()
