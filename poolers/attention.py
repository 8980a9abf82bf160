"""Mean of a multi-head self-attention output over the selected frames, in linear memory.

``mean_self_attention`` returns exactly ``mean_i MHSA(x)_i`` over the True frames of ``mask``,
where MHSA is ``torch.nn.MultiheadAttention`` (no residual, no layer norm) with the given
weights, queries and keys restricted to the True frames. The output projection is affine and
the mean linear, so the mean is taken before it: ``mean_i out(o_i) = out(mean_i o_i)``.

Two kernels give the same numbers (``tests/poolers/test_sap_attention_kernels.py``), both with
memory linear in the number of frames, so a 10-minute utterance (S = 30000) needs about what a
batch of short ones does:

- on CPU, ``poolers.attention_cpu``: one utterance at a time, the mean over queries folded into
  the products (about half the time of PyTorch's flash kernel for the pooler's forward and
  backward at the demo's sizes, 0.83-0.85x at a Base or Large model's widths;
  ``benchmarks/attention_kernels.py``);
- on other devices, and in training with attention dropout, ``F.scaled_dot_product_attention``
  (SDPA; memory-efficient attention on CUDA, flash attention on CPU) over groups of rows of
  similar length.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from poolers.attention_cpu import mean_attention_per_utterance
from poolers.masked import frame_weights
from poolers.packing import gather_frames, pack_index, unflatten_frames


ROWS_PER_GROUP = 4  # a batch of B utterances attends in B // 4 groups of similar length (at least one)


def mean_self_attention(
    x: torch.Tensor,
    mask: torch.Tensor,
    attention: torch.nn.MultiheadAttention,
    dropout: float = 0.0,
    training: bool = False,
) -> torch.Tensor:
    """Mean over frames of multi-head self-attention among the True frames only.

    x [B, T, D], mask [B, T] bool (any selection of frames) -> [B, D]. ``attention`` supplies the
    weights (``in_proj_weight`` [3D, D], ``in_proj_bias``, ``out_proj``) and ``num_heads``;
    ``dropout`` is applied to the attention weights as ``nn.MultiheadAttention`` does.
    A row with no True frame gives ``out_proj(0)``, finite.

    On CPU without attention dropout this is ``poolers.attention_cpu``'s kernel, on the selected
    frames taken straight out of x (no packing); elsewhere ``grouped_sdpa_attention``'s.
    """
    if x.device.type == "cpu" and not (training and dropout > 0):
        # The selected frames, utterance after utterance, projected; then one transposing copy to
        # the kernel's feature-major [3D, N]. (Projecting straight into [3D, N] as W x^T is the
        # same arithmetic, but MKL ran it 1.5x slower at D = 1024.)
        qkv = F.linear(x[mask], attention.in_proj_weight, attention.in_proj_bias)  # [N, 3D]
        pooled = mean_attention_per_utterance(qkv.t().contiguous(), mask.sum(dim=-1).tolist(), attention.num_heads)
        return attention.out_proj(pooled)
    return grouped_sdpa_attention(x, mask, attention, dropout, training)


def grouped_sdpa_attention(
    x: torch.Tensor,
    mask: torch.Tensor,
    attention: torch.nn.MultiheadAttention,
    dropout: float = 0.0,
    training: bool = False,
) -> torch.Tensor:
    """``mean_self_attention`` through ``F.scaled_dot_product_attention``, any device, with dropout.

    x [B, T, D], mask [B, T] bool -> [B, D]. The selected frames are first packed (each row's
    True frames first, cut to the longest selection S: ``poolers.packing``). Attention is per
    utterance, so the rows attend in ``B // ROWS_PER_GROUP`` groups of similar selection length,
    each cut to its own longest selection: the same numbers, but the S^2 work follows each
    utterance's length instead of the batch's longest (on the demo's batches of 64, 1.05x the
    work of one call per utterance, against 2.2x for the batch as one group).
    """
    index, mask = pack_index(mask)
    x = gather_frames(x, index)  # [B, S, D]
    batch, heads = len(x), attention.num_heads
    weight, bias = attention.in_proj_weight, attention.in_proj_bias
    groups = max(1, batch // ROWS_PER_GROUP)
    counts, order = mask.sum(dim=-1).sort()
    # Rows are sorted by count, so a group's last row holds its longest selection.
    longest = torch.stack([c[-1] for c in counts.tensor_split(groups)]).clamp_min(1).tolist()
    # One gather and one split, whose backward passes are one scatter and one concatenation
    # (indexing each group out of the whole batch would make every group's backward batch-sized).
    pieces = zip(x[order].tensor_split(groups), mask[order].tensor_split(groups), longest)
    means = [
        _mean_attention(_project_selected(g[:, :n], m[:, :n], weight, bias), m[:, :n], heads, dropout, training)
        for g, m, n in pieces
    ]
    return attention.out_proj(torch.cat(means)[torch.argsort(order)])


def _mean_attention(qkv: torch.Tensor, mask: torch.Tensor, heads: int, dropout: float, training: bool) -> torch.Tensor:
    """Mean over the True frames of the attention output, before the output projection.

    qkv [B, S, 3D] (projected frames), mask [B, S] -> [B, D].
    """
    batch, size, dim = qkv.shape[0], qkv.shape[1], qkv.shape[2] // 3
    q, k, v = qkv.view(batch, size, 3, heads, dim // heads).permute(2, 0, 3, 1, 4)  # each [B, H, S, Dh]
    # Keys are the selected frames. An empty row keeps all its keys (else SDPA gives NaN); its
    # query weights below are all 0, so what it attends to never counts.
    keys = mask | ~mask.any(dim=-1, keepdim=True)
    frames = F.scaled_dot_product_attention(
        q, k, v, attn_mask=keys[:, None, None, :], dropout_p=dropout if training else 0.0
    )  # [B, H, S, Dh]
    weights = frame_weights(mask, qkv.dtype)  # [B, S], rows sum to 1 (0 for an empty row)
    return torch.einsum("bs,bhse->bhe", weights, frames).reshape(batch, dim)


def _project_selected(x: torch.Tensor, mask: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """F.linear on the True frames only: x [B, S, D], mask [B, S] -> [B, S, E], 0 elsewhere.

    The projection is the largest product in SAP at long widths; running it on x[mask] makes
    padding cost a copy instead of D x E multiply-adds per padded frame.
    """
    if bool(mask.all()):
        return F.linear(x, weight, bias)
    return unflatten_frames(F.linear(x[mask], weight, bias), mask)
