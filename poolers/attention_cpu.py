"""Mean self-attention with the mean over queries folded into the arithmetic (the CPU kernel).

SAP keeps only the mean of the attention output over an utterance's n selected frames. Per head,
with P = softmax(q k^T * scale) [n, n] (scale = 1 / sqrt(Dh)):

    out = (1/n) sum_t sum_s P_ts v_s = a v,      a = (1/n) 1^T P   (the column means of P) [n]

so the forward needs the product q k^T and one softmax, not the product P v of every query. In
the backward, with g = dL/dout [Dh], c = v g [n] and u = P c [n], the gradient of the scores is
dS_ts = (1/n) P_ts (c_s - u_t), and the products regroup so that no other n x n matrix is formed:

    dq = (scale/n) (P (c * k) - u * (P k))          one product  P   [c*k | k | -c]  (-u is its last column)
    dk = (scale/n) (c * (P^T q) - P^T (u * q))      one product  P^T [q | -u*q]
    dv = a^T g

Flash attention's backward, by contrast, forms P v, dO v^T, dS k, dS^T q and P^T dO for every
query after recomputing P; at SAP's head widths (8 heads of 10 dims for an 80-dim fbank) those
thin products, not the softmax, are the time.

Layout. The kernel takes the projected frames feature-major, qkv^T [3D, N] (frame index last),
so that q, k and v of head h are [Dh, N] with the frames contiguous: every per-frame operation
(c, c * k, a * v, dv) runs once for the whole batch along contiguous rows of N, and each
utterance's columns ``start:start + n`` are a view that the two backward products take as
R^T P^T and L^T P: [2Dh + 1, n] and [2Dh, n] times [n, n], which MKL runs faster than the same
products with the thin operand on the right (docs/performance.md has the measurements).

Only the n x n work runs one utterance at a time. Queries go in blocks of at most
``BLOCK_ELEMENTS`` entries of P, so a block stays in the core's cache. In training, an utterance
whose P is one block keeps it from the forward for the backward while the batch's kept P stays
within ``KEPT_ELEMENTS`` entries (256 MiB); other utterances recompute P in the backward. Memory
is therefore that fixed amount plus a part linear in N, as with the fused kernels.

Attention dropout is not supported (the dropped probabilities would need a second n x n matrix);
``poolers.attention`` sends training with dropout > 0 to PyTorch's fused kernel.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch.autograd.function import once_differentiable

BLOCK_ELEMENTS = 2**21  # entries of P per query block (8 MiB in fp32): n <= 512 at 8 heads is one block
KEPT_ELEMENTS = 2**26  # entries of P a batch keeps from the forward for the backward (256 MiB in fp32)


def mean_attention_per_utterance(qkv_t: torch.Tensor, counts: list[int], heads: int) -> torch.Tensor:
    """Mean over each utterance's frames of its multi-head self-attention, before the output projection.

    qkv_t [3D, N]: the in-projected selected frames of B utterances, feature-major (rows: the D
    query, D key and D value features, each head's Dh consecutive; columns: the frames,
    utterance after utterance, utterance b holding ``counts[b]`` of them; sum(counts) = N);
    -> [B, D]. An utterance with no frame gives 0.
    """
    return _MeanAttention.apply(qkv_t, counts, heads)


class _MeanAttention(torch.autograd.Function):
    @staticmethod
    def forward(ctx, qkv_t: torch.Tensor, counts: list[int], heads: int) -> torch.Tensor:
        q, k, v = _heads(qkv_t, heads)  # each [H, Dh, N]
        means = qkv_t.new_zeros(heads, qkv_t.shape[1])  # a: each frame's column mean of P in its utterance
        kept = {}
        budget = KEPT_ELEMENTS if ctx.needs_input_grad[0] else 0
        for row, frames in _utterances(counts):
            blocks = _query_blocks(heads, frames)
            for block in blocks:
                p = _probabilities(q[:, :, block], k[:, :, frames])  # [H, b, n]
                if len(blocks) == 1 and p.numel() <= budget:  # P whole: kept for the backward
                    kept[row], budget = p, budget - p.numel()
                means[:, frames] += p.sum(dim=1)
        inverse_counts = _per_frame(1.0 / torch.tensor(counts, dtype=qkv_t.dtype).clamp_min(1), counts)  # [N]: 1/n
        means.mul_(inverse_counts)
        ctx.save_for_backward(qkv_t, means, inverse_counts)
        ctx.counts, ctx.heads, ctx.kept = counts, heads, kept
        weighted = (v * means.unsqueeze(1)).flatten(0, 1)  # [D, N]: a_s v_s
        return torch.stack([w.sum(dim=1) for w in weighted.split(counts, dim=1)])  # [B, D]

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out: torch.Tensor):
        qkv_t, means, inverse_counts = ctx.saved_tensors
        heads, counts = ctx.heads, ctx.counts
        q, k, v = _heads(qkv_t, heads)  # each [H, Dh, N]
        size = q.shape[1]
        grad_frames = _per_frame(grad_out.t(), counts, dim=1).view(
            heads, size, -1
        )  # g of each frame's utterance [H, Dh, N]
        # dq and dk are linear in c = v g: the scale and each utterance's 1/n go into c once
        c = (v * grad_frames).sum(dim=1, keepdim=True).mul_(inverse_counts * size**-0.5)  # [H, 1, N]
        right_t = qkv_t.new_empty(heads, 2 * size + 1, qkv_t.shape[1])  # R^T = [c*k | k | -c]^T
        torch.mul(c, k, out=right_t[:, :size])
        right_t[:, size : 2 * size] = k
        torch.neg(c, out=right_t[:, 2 * size :])
        left_t = qkv_t.new_empty(heads, 2 * size, qkv_t.shape[1])  # L^T = [q | -u*q]^T, -u*q per utterance below
        left_t[:, :size] = q
        grad_qkv_t = torch.empty_like(qkv_t)  # every column is one utterance's frame: all written below
        grad_q, grad_k, grad_v = _heads(grad_qkv_t, heads)
        for row, frames in _utterances(counts):
            pt_left = None  # (P^T L)^T [H, 2Dh, n], summed over query blocks
            for block in _query_blocks(heads, frames):
                p = ctx.kept[row] if row in ctx.kept else _probabilities(q[:, :, block], k[:, :, frames])  # [H, b, n]
                z = torch.bmm(right_t[:, :, frames], p.transpose(1, 2))  # (P R)^T [H, 2Dh + 1, b]
                minus_u = z[:, 2 * size :]  # [H, 1, b]
                torch.addcmul(z[:, :size], minus_u, z[:, size : 2 * size], out=grad_q[:, :, block])
                torch.mul(minus_u, q[:, :, block], out=left_t[:, size:, block])
                part = left_t[:, :, block]
                pt_left = torch.bmm(part, p) if pt_left is None else pt_left.baddbmm_(part, p)
            torch.addcmul(pt_left[:, size:], c[:, :, frames], pt_left[:, :size], out=grad_k[:, :, frames])
        torch.mul(means.unsqueeze(1), grad_frames, out=grad_v)
        return grad_qkv_t, None, None


def _heads(qkv_t: torch.Tensor, heads: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """q, k, v of qkv_t [3D, N] as views [H, Dh, N]."""
    return qkv_t.view(3, heads, -1, qkv_t.shape[1]).unbind(0)


def _per_frame(values: torch.Tensor, counts: list[int], dim: int = 0) -> torch.Tensor:
    """values with B entries along ``dim``, each repeated for its utterance's frames -> N entries there."""
    return values.repeat_interleave(torch.tensor(counts), dim=dim, output_size=sum(counts))


def _utterances(counts: list[int]) -> Iterator[tuple[int, slice]]:
    """(b, its frames' columns) for every utterance b with frames."""
    start = 0
    for row, n in enumerate(counts):
        if n:
            yield row, slice(start, start + n)
        start += n


def _query_blocks(heads: int, frames: slice) -> list[slice]:
    """Slices of an utterance's query columns (absolute) such that each block's P [H, b, n] has
    at most BLOCK_ELEMENTS entries."""
    n = frames.stop - frames.start
    size = max(1, BLOCK_ELEMENTS // (heads * n))
    return [slice(s, min(s + size, frames.stop)) for s in range(frames.start, frames.stop, size)]


def _probabilities(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """Attention weights softmax(q^T k / sqrt(Dh)): q [H, Dh, b], k [H, Dh, n] -> [H, b, n]."""
    scale = q.shape[1] ** -0.5
    scores = torch.baddbmm(q.new_empty(()), q.transpose(1, 2), k, beta=0.0, alpha=scale)
    return torch.softmax(scores, dim=-1)
