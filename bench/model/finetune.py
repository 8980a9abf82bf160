"""Fine-tune mode: the backbone itself is part of the model and learns (the paper trains all
316M parameters of WavLM Large at lr 3e-5). Meant for a GPU; tested on ``tiny-wavlm``.

Input: raw audio (``WaveBatch``) with a VAD mask per utterance on the frame grid, computed
beforehand (the FeatureStore's masks, through ``bench.train.data.WaveStore``).

Padding: like ``backbones.transformer``, layer-norm encoders (WavLM/HuBERT Large, XLSR) get an
attention mask, so padding does not change an utterance's hidden states. Group-norm encoders
(the Base models) normalise over the padded input; fine-tuning batches them padded anyway (as
HF's own fine-tuning recipes do), so for those models batch composition slightly changes the
features. Frames past each utterance's own ``num_frames(n)`` are masked out of the pooler.
"""

from __future__ import annotations

import torch
from torch import nn

import backbones
import poolers
from bench.audio import num_frames
from bench.model.batches import WaveBatch, pad_frames
from bench.model.config import ModelConfig
from bench.model.heads import HeadOutput, MultiTaskHead
from bench.model.layers import LayerMixing


def freeze_feature_encoder(model: nn.Module) -> None:
    """Stop gradients into the conv feature encoder of a wav2vec2-family model."""
    encoder = getattr(model, "feature_extractor", None)
    if encoder is None:
        raise ValueError(f"{type(model).__name__} has no conv feature encoder to freeze")
    encoder.requires_grad_(False)


class FineTuneModel(nn.Module):
    """waves -> backbone hidden states (selected ``layers``) -> mixing -> pooler -> head."""

    def __init__(self, config: ModelConfig, backbone=None):
        super().__init__()
        backbone = backbone or backbones.create(config.backbone)
        if not hasattr(backbone, "model"):
            raise ValueError(f"backbone {config.backbone!r} has no trainable transformers model to fine-tune")
        self.config = config
        self.backbone_identity = dict(backbone.identity)  # what weights it started from (its revision)
        self.normalize = bool(getattr(backbone, "normalize", False))
        self.uses_attention_mask = bool(getattr(backbone, "uses_attention_mask", True))
        self.layers = list(config.layers) if config.layers is not None else list(range(backbone.num_layers))
        self.backbone = backbone.model.float().train().requires_grad_(True)
        if config.freeze_feature_encoder:
            freeze_feature_encoder(self.backbone)
        self.mixing = LayerMixing(len(self.layers), config.layer)
        self.pooler = poolers.create(config.pooler, config.in_dim, **config.pooler_params)
        self.head = MultiTaskHead(self.pooler.out_dim, config.num_classes, config.proj_dim, config.dropout)

    @property
    def device(self) -> torch.device:
        return next(self.head.parameters()).device

    def hidden(self, waves: list[torch.Tensor]) -> tuple[torch.Tensor, list[int]]:
        """B waves [n_b] -> mixed hidden states [B, T, D] and each utterance's frame count."""
        device = self.device
        if self.normalize:  # Wav2Vec2FeatureExtractor(do_normalize=True), per utterance
            waves = [(w - w.mean()) / torch.sqrt(w.var(unbiased=False) + 1e-7) for w in waves]
        lengths = [len(w) for w in waves]
        inputs = torch.nn.utils.rnn.pad_sequence([w.float() for w in waves], batch_first=True).to(device)
        mask = (torch.arange(inputs.shape[1], device=device) < torch.tensor(lengths, device=device)[:, None]).long()
        out = self.backbone(
            inputs, attention_mask=mask if self.uses_attention_mask else None, output_hidden_states=True
        )
        states = list(out.hidden_states)
        states[-1] = out.last_hidden_state  # same convention as backbones.transformer
        mixed = self.mixing.mix_list([states[i] for i in self.layers])  # [B, T, D], no [B, L, T, D] copy
        return mixed, [num_frames(n) for n in lengths]

    def forward(self, batch: WaveBatch) -> HeadOutput:
        mixed, frames = self.hidden(batch.waves)
        seqs = [mixed[b, :t] for b, t in enumerate(frames)]
        speech = [m[:t] for m, t in zip(batch.speech, frames)]
        feats, valid, speech_mask = pad_frames(seqs, [s.to(self.device) for s in speech])
        return self.head(self.pooler(feats, valid, speech_mask))
