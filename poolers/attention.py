"""Mean of a multi-head self-attention output, without computing the per-frame output.

``mean_self_attention`` returns exactly ``mean_i MHSA(x)_i`` over the True frames of ``mask``,
where MHSA is ``torch.nn.MultiheadAttention`` (no residual, no layer norm) with the given
weights, queries and keys restricted to the True frames. Because the value and output
projections are affine and the mean is linear, the mean can be taken before them:

    mean_i out(sum_j a_ij v(x_j)) = out(v_h(sum_j abar_j x_j))   per head h,
    abar_j = mean_i a_ij  (the attention each frame receives, averaged over queries)

so only the query and key projections run per frame (2 D^2 instead of 4 D^2 multiply-adds).

Memory: the score matrix of a batch is ``[B*H, S, S]``. While it holds at most
``SCORE_BLOCK_ELEMENTS`` numbers it is computed whole (as always). Beyond that, queries are taken
in blocks of rows so that one block holds at most that many scores, and ``abar`` is summed over
the blocks; in training each block is recomputed in the backward pass
(``torch.utils.checkpoint``) instead of being kept. Memory then grows linearly in S: a
10-minute utterance (S = 30000) needs about the same score memory as a batch of short ones.
The blocked sum equals the whole one up to float rounding (``tests/poolers``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

from poolers.masked import frame_weights
from poolers.packing import unflatten_frames

SCORE_BLOCK_ELEMENTS = 2**26  # 256 MB of float32 scores per block (a batch of 32 x 8 heads x 500 frames)


def mean_self_attention(
    x: torch.Tensor,
    mask: torch.Tensor,
    attention: torch.nn.MultiheadAttention,
    dropout: float = 0.0,
    training: bool = False,
) -> torch.Tensor:
    """Mean over frames of multi-head self-attention among the True frames only.

    x [B, S, D], mask [B, S] bool -> [B, D]. ``attention`` supplies the weights
    (``in_proj_weight`` [3D, D], ``in_proj_bias``, ``out_proj``) and ``num_heads``; ``dropout``
    is applied to the attention weights as ``nn.MultiheadAttention`` does. Best called on packed
    frames (``poolers.packing``) so that S is the longest selection, not the padded length.
    """
    batch, size, dim = x.shape
    heads = attention.num_heads
    head_dim = dim // heads
    weight, bias = attention.in_proj_weight, attention.in_proj_bias

    qk = _project_selected(x, mask, weight[: 2 * dim], bias[: 2 * dim])  # [B, S, 2D]
    # -> q, k: [B*H, S, Dh], batch-major like repeat_interleave(heads) below
    q, k = qk.view(batch, size, 2, heads, head_dim).permute(2, 0, 3, 1, 4).flatten(1, 2)
    # Key mask as an additive bias fused into the score product. Half the float minimum: a
    # masked key gets weight exactly 0 next to any selected key, and a row with no selected
    # key stays finite (uniform), which is harmless as its query weights below are all 0.
    key_bias = torch.zeros(batch, 1, size, dtype=x.dtype, device=x.device)
    key_bias.masked_fill_(~mask.unsqueeze(1), torch.finfo(x.dtype).min / 2)
    key_bias = key_bias.repeat_interleave(heads, dim=0)  # [B*H, 1, S]
    query_weights = frame_weights(mask, x.dtype).repeat_interleave(heads, dim=0).unsqueeze(1)  # [B*H, 1, S]
    block = _attention_received(key_bias, q, k, query_weights, head_dim**-0.5, dropout, training)
    rows = max(1, SCORE_BLOCK_ELEMENTS // max(1, batch * heads * size))
    if rows >= size:
        received = block(0, size)
    else:
        recompute = training and torch.is_grad_enabled()
        parts = [checkpoint(block, start, min(start + rows, size), use_reentrant=False) if recompute
                 else block(start, min(start + rows, size)) for start in range(0, size, rows)]
        received = torch.stack(parts).sum(0)
    received = received.view(batch, heads, size)  # abar: [B, H, S]
    pooled = torch.bmm(received, x)  # [B, H, D]

    w_v = weight[2 * dim :].view(heads, head_dim, dim)
    b_v = bias[2 * dim :].view(heads, head_dim)
    # sum_j abar_j is 1 without dropout; with it, the bias is scaled like the weights.
    values = torch.einsum("bhd,hed->bhe", pooled, w_v) + received.sum(-1, keepdim=True) * b_v
    return attention.out_proj(values.reshape(batch, dim))


def _attention_received(key_bias, q, k, query_weights, scale: float, dropout: float, training: bool):
    """-> block(start, stop): the attention keys receive from queries start..stop-1, weighted by
    ``query_weights``: [B*H, 1, S]. q, k [B*H, S, Dh]."""

    def block(start: int, stop: int) -> torch.Tensor:
        scores = torch.baddbmm(key_bias, q[:, start:stop], k.transpose(1, 2), alpha=scale)  # [B*H, rows, S]
        probs = F.dropout(torch.softmax(scores, dim=-1), dropout, training)
        return torch.bmm(query_weights[:, :, start:stop], probs)

    return block


def _project_selected(
    x: torch.Tensor, mask: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor
) -> torch.Tensor:
    """F.linear on the True frames only: x [B, S, D], mask [B, S] -> [B, S, E], 0 elsewhere.

    The projection is the largest product in SAP; running it on x[mask] makes padding cost a
    copy instead of D x E multiply-adds per padded frame.
    """
    if bool(mask.all()):
        return F.linear(x, weight, bias)
    return unflatten_frames(F.linear(x[mask], weight, bias), mask)
