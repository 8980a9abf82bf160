"""WavLM's self-attention in blocks of queries, so a long utterance's memory grows linearly in
its length instead of quadratically.

WavLM runs eager attention with a gated relative position bias: its first layer builds a
``[B*H, T, T]`` bias that every layer reuses, and each layer a ``[B*H, T, T]`` score matrix; for a
10-minute utterance (T = 30000) and 16 heads each is 57 GB. (wav2vec2 and HuBERT run PyTorch's
``scaled_dot_product_attention``, whose CPU and GPU kernels already take memory linear in T.)

While the scores hold at most ``SCORE_BLOCK_ELEMENTS`` numbers, transformers' own forward runs, so
ordinary utterances keep their exact numbers. Beyond that, queries are taken ``rows`` at a time
(each block holds at most that many scores); each block builds its rows of the position bias,
its softmax and its value product before the next: the same attention up to float rounding
(``tests/backbones/test_blocked_attention.py``). Only inference is blocked (grad disabled, as in
``Backbone.extract``); fine-tuning keeps transformers' own attention.

    use_blocked_attention(model) -> bool   patch a WavLM model's attention modules; False otherwise
"""

from __future__ import annotations

import types

import torch
import torch.nn.functional as F

SCORE_BLOCK_ELEMENTS = 2**24  # 64 MB of float32 scores per block (a block holds a few such temporaries)


def _rows(batch_heads: int, queries: int, keys: int) -> int | None:
    """Query rows per block, or None when the whole score matrix fits in one block."""
    if batch_heads * queries * keys <= SCORE_BLOCK_ELEMENTS:
        return None
    return max(1, SCORE_BLOCK_ELEMENTS // (batch_heads * keys))


class _LazyPositionBias:
    """What WavLM's first layer hands on instead of a [B*H, T, T] bias: the module that makes it."""

    def __init__(self, module):
        self.module = module

    def rows(self, start: int, stop: int, keys: int) -> torch.Tensor:
        """[H, rows, S] relative position bias of queries start..stop-1 (as ``compute_bias``)."""
        m = self.module
        device = m.rel_attn_embed.weight.device
        context = torch.arange(start, stop, dtype=torch.long, device=device)[:, None]
        memory = torch.arange(keys, dtype=torch.long, device=device)[None, :]
        return m.rel_attn_embed(m._relative_positions_bucket(memory - context)).permute(2, 0, 1)


def _wavlm_blocked_forward(self, hidden_states, attention_mask=None, position_bias=None, index=0, **kwargs):
    """WavLMAttention.forward, in blocks of queries for long inputs (same numbers up to rounding)."""
    batch, size, dim = hidden_states.shape
    rows = _rows(batch * self.num_heads, size, size)
    if (rows is None and not isinstance(position_bias, _LazyPositionBias)) or torch.is_grad_enabled():
        return self._bench_whole_forward(hidden_states, attention_mask, position_bias, index, **kwargs)
    rows = rows or size
    lazy = position_bias if isinstance(position_bias, _LazyPositionBias) else _LazyPositionBias(self)
    heads, head_dim = self.num_heads, self.head_dim

    def split(x):  # [B, T, D] -> [B, H, T, Dh]
        return x.view(batch, size, heads, head_dim).transpose(1, 2)

    q = split(self.q_proj(hidden_states) * self.scaling)
    k, v = split(self.k_proj(hidden_states)), split(self.v_proj(hidden_states))
    # the gate of the relative position bias, per query frame and head (as WavLMAttention.forward)
    gated = hidden_states.view(batch, size, heads, -1).permute(0, 2, 1, 3)
    proj = self.gru_rel_pos_linear(gated).view(batch, heads, size, 2, 4).sum(-1)
    gate_a, gate_b = torch.sigmoid(proj).chunk(2, dim=-1)
    gate = gate_a * (gate_b * self.gru_rel_pos_const - 1.0) + 2.0  # [B, H, T, 1]
    pad = None if attention_mask is None else attention_mask.ne(1)[:, None, None, :]  # [B, 1, 1, S]
    out = torch.empty_like(q)
    for start in range(0, size, rows):
        stop = min(start + rows, size)
        bias = gate[:, :, start:stop] * lazy.rows(start, stop, size)[None]  # [B, H, rows, S]
        scores = torch.matmul(q[:, :, start:stop], k.transpose(2, 3)) + bias
        if pad is not None:
            scores = scores.masked_fill(pad, float("-inf"))
        out[:, :, start:stop] = torch.matmul(F.softmax(scores, dim=-1), v)
    out = self.out_proj(out.transpose(1, 2).reshape(batch, size, dim))
    return out, None, lazy


def use_blocked_attention(model) -> bool:
    """Make a WavLM model's attention blocked for long inputs; False (unchanged) for other models."""
    if model.config.model_type != "wavlm":
        return False
    from transformers.models.wavlm.modeling_wavlm import WavLMAttention

    for module in model.modules():
        if isinstance(module, WavLMAttention) and not hasattr(module, "_bench_whole_forward"):
            module._bench_whole_forward = module.forward
            module.forward = types.MethodType(_wavlm_blocked_forward, module)
    return True
