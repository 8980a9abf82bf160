"""Mixing a stack of hidden states into one feature sequence.

``LayerMixing`` is SUPERB's Featurizer (softmax weights over layers, initialised equal) or a
fixed choice of one layer. For frame-level features it works on the padded fp16 batch
[L, B, T, D] through ``WeightedLayerSum`` (which also applies the per-layer feature
standardisation), an autograd function that saves the fp16 stack (not an fp32 copy) for the
backward pass and works one layer at a time: a batch of 64 utterances of 950 frames from 25
layers of 1024 dims never exists in fp32 (that would be ~6 GB); one layer's [B, T, D] does.
"""

from __future__ import annotations

import torch
from torch import nn


class WeightedLayerSum(torch.autograd.Function):
    """out [..., D] fp32 = sum_l w_l (stack_l - shift_l) * scale_l, with w [L] fp32, stack
    [L, ..., D] (any float dtype, usually fp16; e.g. [L, B, T, D]), shift and scale [L, D] fp32
    (feature standardisation).

    Computed layer by layer as sum_l stack_l * (w_l scale_l) - sum_l w_l scale_l shift_l, so the
    only fp32 temporaries are one layer at a time. Saves ``stack`` in its own dtype for
    backward. No gradient flows into ``stack``, ``shift`` or ``scale`` (cached features and fixed
    statistics are constants).
    """

    @staticmethod
    def forward(ctx, w, stack, shift, scale):
        ctx.save_for_backward(w, stack, shift, scale)
        coef = w.unsqueeze(1) * scale  # [L, D]
        out = (-(coef * shift).sum(0)).expand(stack.shape[1:]).clone()  # [..., D]
        for layer in range(stack.shape[0]):
            out.addcmul_(stack[layer].float(), coef[layer])
        return out

    @staticmethod
    def backward(ctx, grad_out):
        w, stack, shift, scale = ctx.saved_tensors
        dim = grad_out.shape[-1]
        grad_out = grad_out.float().reshape(-1, dim)
        total = grad_out.sum(0)  # [D]
        grad_w = torch.empty_like(w)
        for layer in range(stack.shape[0]):
            per_dim = (stack[layer].reshape(-1, dim).float() * grad_out).sum(0)  # [D]: sum over frames of x g
            grad_w[layer] = (scale[layer] * (per_dim - shift[layer] * total)).sum()
        return grad_w, None, None, None


def _pair_row(num_layers: int, first: int, second: int) -> int:
    """Row of the layer pair (first, second), first <= second, in the row-major upper triangle of L x L."""
    return first * num_layers - first * (first - 1) // 2 + (second - first)


class LayerMixing(nn.Module):
    """Learned softmax weights over ``num_layers`` layers, or one fixed ``layer``."""

    def __init__(self, num_layers: int, layer: int | None = None):
        super().__init__()
        self.num_layers = num_layers
        self.layer = layer
        if layer is None and num_layers > 1:
            self.logits = nn.Parameter(torch.zeros(num_layers))  # softmax(0) = equal weights
        else:
            self.register_parameter("logits", None)

    def weights(self) -> torch.Tensor:
        """[L] fp32 weights summing to 1 (one-hot for a fixed layer)."""
        if self.logits is not None:
            return torch.softmax(self.logits, dim=0)
        w = torch.zeros(self.num_layers)
        w[self.layer if self.layer is not None else 0] = 1.0
        return w

    def _fixed_index(self, size: int) -> int:
        """Index of the fixed layer in a stack of ``size`` (1: the feeder read that layer only)."""
        return 0 if size == 1 or self.layer is None else self.layer

    def mix_frames(self, stack: torch.Tensor, shift: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
        """stack [L, ..., D] (fp16 or fp32; [1, ..., D] for a fixed layer; e.g. a padded batch
        [L, B, T, D]), shift and scale [L or 1, D] (standardisation) -> [..., D] fp32."""
        if self.logits is None:
            i = self._fixed_index(stack.shape[0])
            return (stack[i].float() - shift[i]) * scale[i]
        return WeightedLayerSum.apply(torch.softmax(self.logits, dim=0), stack, shift, scale)

    def mix_hidden(self, hidden: torch.Tensor) -> torch.Tensor:
        """A batch stack with gradients (fine-tuning or pooled vectors): [B, L, ...] -> [B, ...]."""
        if self.logits is None:
            return hidden[:, self._fixed_index(hidden.shape[1])]
        w = torch.softmax(self.logits, dim=0).to(hidden.dtype)
        return torch.einsum("l,bl...->b...", w, hidden)

    def mix_moments(
        self, mean: torch.Tensor, covariance: torch.Tensor, shift: torch.Tensor, scale: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and variance over frames of the standardised mix, from per-layer moments.

        mean [B, L, D] (per-layer frame means), covariance [B, K, D] (centred cross-layer
        covariances, rows (l, m), l <= m, as ``bench.train.utterance_stats.layer_pairs``; for a
        fixed layer [B, 1, D], the variance), shift and scale [L or 1, D] -> ([B, D], [B, D]).
        With a_l = w_l scale_l: mean = sum_l a_l (mean_l - shift_l), var = sum_lm a_l a_m C_lm.
        """
        if self.logits is None:
            i = self._fixed_index(mean.shape[1]) % mean.shape[1]
            row = 0 if covariance.shape[1] == 1 else _pair_row(mean.shape[1], i, i)
            return (mean[:, i] - shift[i]) * scale[i], covariance[:, row] * scale[i].square()
        w = torch.softmax(self.logits, dim=0)
        a = w.unsqueeze(1) * scale  # [L, D]
        first, second = torch.triu_indices(mean.shape[1], mean.shape[1], device=a.device)
        twice = torch.where(first == second, 1.0, 2.0).unsqueeze(1)  # an off-diagonal pair stands for (l, m) and (m, l)
        pair = a[first] * a[second] * twice  # [K, D]
        mixed_mean = torch.einsum("ld,bld->bd", a, mean - shift)
        return mixed_mean, torch.einsum("kd,bkd->bd", pair, covariance)

    def mix_list(self, states: list[torch.Tensor]) -> torch.Tensor:
        """L tensors [B, T, D] with gradients (fine-tuning) -> [B, T, D], without stacking them."""
        if self.logits is None:
            return states[self._fixed_index(len(states))]
        w = torch.softmax(self.logits, dim=0).to(states[0].dtype)
        return sum(w[i] * h for i, h in enumerate(states))
