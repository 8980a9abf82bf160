"""Hidden states of a transformers WavLM/HuBERT/wav2vec2 model, batched without padding effects.

Hidden state l (l = 0..L-1, L = num_hidden_layers + 1) is the input of transformer layer l,
and the last one is the model's ``last_hidden_state`` (after the final layer norm in the
pre-norm "stable layer norm" models: WavLM-Large, HuBERT-Large, wav2vec2-large-lv60, XLSR).
transformers 4.x returns exactly this as ``hidden_states``; 5.x returns the last layer before
its final norm, so the last entry is taken from ``last_hidden_state`` to be the same under both.

Padding rule: models whose conv feature encoder uses layer norm ("layer") get an attention
mask and are batched by length (padded frames are never attended to, and the conv frames of
an utterance only see its own samples). Models with a group-norm encoder ("group":
wav2vec2-base, HuBERT-Base, WavLM-Base/Base+) normalise each channel over the whole padded
input, so they get no mask and are batched only with utterances of the same length.

Memory: a long utterance runs alone (``plan_batches``), and WavLM's attention is computed in
blocks of queries beyond a size (``backbones.blocked_attention``), so peak memory grows linearly
in the utterance's length; wav2vec2/HuBERT use PyTorch's SDPA kernels, linear already.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from backbones.base import Backbone, as_wave, empty_features
from backbones.batching import plan_batches
from backbones.blocked_attention import use_blocked_attention
from backbones.families import feature_encoder_norm, padding_invariant
from backbones.precision import dtype_name
from bench.audio import SAMPLE_RATE, num_frames
from bench.errors import BenchError

EXTRACTION_VERSION = 1  # bump when the meaning of the returned hidden states changes


def zero_mean_unit_var(wave: np.ndarray) -> np.ndarray:
    """Per-utterance input normalisation of Wav2Vec2FeatureExtractor(do_normalize=True): ``[n]`` -> ``[n]``."""
    wave = wave.astype(np.float64)
    return ((wave - wave.mean()) / np.sqrt(wave.var() + 1e-7)).astype(np.float32)


class TransformersBackbone(Backbone):
    """A transformers base model (eval mode, frozen) behind the Backbone contract."""

    def __init__(
        self,
        name: str,
        model,
        source: dict,
        normalize: bool,
        device: torch.device,
        dtype: torch.dtype,
        max_batch_seconds: float | None = None,
    ):
        config = model.config
        self.name = name
        self.model = model.to(device=device, dtype=dtype).eval().requires_grad_(False)
        use_blocked_attention(self.model)  # WavLM: memory linear in T for long utterances (same numbers)
        self.normalize = bool(normalize)
        self.device, self.dtype = device, dtype
        self.num_layers = config.num_hidden_layers + 1
        self.hidden_size = config.hidden_size
        self.feature_encoder_norm = feature_encoder_norm(config)
        self.uses_attention_mask = self.feature_encoder_norm == "layer"
        self.pads_batches = padding_invariant(config)  # else each batch holds one length
        default_seconds = 60.0 if device.type == "cuda" else 20.0
        self.max_batch_seconds = float(max_batch_seconds or default_seconds)
        self.identity = {
            "backbone": name,
            **source,
            "model_type": config.model_type,
            "dtype": dtype_name(dtype),
            "input_normalize": self.normalize,
            "hidden_states": "layer-inputs+last_hidden_state",
            "extraction": EXTRACTION_VERSION,
        }
        self._check_frame_grid()

    def _check_frame_grid(self) -> None:
        """The model's own conv arithmetic must give num_frames(n) for every n."""
        lengths = [400, 719, 720, 1040, 16000, 16123, 160_007]
        got = self.output_frames(lengths)
        want = [num_frames(n) for n in lengths]
        if got != want:
            raise BenchError(
                f"backbone {self.name!r} does not use the 25 ms / 20 ms frame grid: for inputs of {lengths} samples "
                f"its conv encoder gives {got} frames, the grid {want}; only models with the standard "
                "wav2vec2 conv stack (kernels 10,3,3,3,3,2,2; strides 5,2,2,2,2,2,2; no adapter) are supported"
            )

    def output_frames(self, lengths: Sequence[int]) -> list[int]:
        """Frame counts from the model's ``_get_feat_extract_output_lengths``."""
        out = self.model._get_feat_extract_output_lengths(torch.tensor(list(lengths), dtype=torch.long))
        return [int(t) for t in out]

    def extract(self, waves: Sequence[np.ndarray], layers: Sequence[int] | None = None) -> list[np.ndarray]:
        """waves ``[n_i]`` 16 kHz -> per utterance float32 ``[L_sel, T_i, D]``, T_i = num_frames(n_i)."""
        chosen = self.check_layers(layers)
        waves = [as_wave(w) for w in waves]
        results: list[np.ndarray | None] = [None] * len(waves)
        runnable = []
        for i, wave in enumerate(waves):
            if num_frames(len(wave)) == 0:
                results[i] = empty_features(len(chosen), self.hidden_size)
            else:
                runnable.append(i)
        lengths = [len(waves[i]) for i in runnable]
        max_samples = int(self.max_batch_seconds * SAMPLE_RATE)
        for batch in plan_batches(lengths, max_samples, equal_length_only=not self.pads_batches):
            indices = [runnable[b] for b in batch]
            for i, feats in zip(indices, self._forward([waves[i] for i in indices], chosen)):
                results[i] = feats
        return results

    @torch.inference_mode()
    def _forward(self, waves: list[np.ndarray], layers: list[int]) -> list[np.ndarray]:
        """One padded batch -> per utterance float32 ``[L_sel, T_i, D]``."""
        if self.normalize:
            waves = [zero_mean_unit_var(w) for w in waves]
        lengths = [len(w) for w in waves]
        inputs = np.zeros((len(waves), max(lengths)), dtype=np.float32)
        mask = np.zeros(inputs.shape, dtype=np.int64)
        for row, wave in enumerate(waves):
            inputs[row, : len(wave)] = wave
            mask[row, : len(wave)] = 1
        values = torch.from_numpy(inputs).to(self.device, self.dtype)
        attention_mask = torch.from_numpy(mask).to(self.device) if self.uses_attention_mask else None
        if attention_mask is None and len(set(lengths)) > 1:
            raise AssertionError("group-norm models must be batched by equal length")
        out = self.model(values, attention_mask=attention_mask, output_hidden_states=True)
        states = list(out.hidden_states)
        states[-1] = out.last_hidden_state
        stacked = torch.stack([states[layer] for layer in layers], dim=1).float().cpu().numpy()  # [B, L_sel, T, D]
        frames = self.output_frames(lengths)
        result = []
        for row, (n, t) in enumerate(zip(lengths, frames)):
            if t != num_frames(n):
                raise AssertionError(f"model gave {t} frames for {n} samples, the grid {num_frames(n)}")
            result.append(np.ascontiguousarray(stacked[row, :, :t]))
        return result
