"""Mean self-attention with the mean over queries folded into the arithmetic (the CPU kernel).

SAP keeps only the mean of the attention output over an utterance's n selected frames. Per head,
with P = softmax(q k^T * scale) [n, n] (scale = 1 / sqrt(Dh)):

    out = (1/n) sum_t sum_s P_ts v_s = a v,      a = (1/n) 1^T P   (the column means of P) [n]

so the forward needs the product q k^T and one softmax, not the product P v of every query. In
the backward, with g = dL/dout [Dh], c = v g [n] and u = P c [n], the gradient of the scores is
dS_ts = (1/n) P_ts (c_s - u_t), and the products regroup so that no other n x n matrix is formed:

    dq = (scale/n) (P (c * k) - u * (P k))          one product  P   [c*k | k | c]  (u is its last column)
    dk = (scale/n) (c * (P^T q) - P^T (u * q))      one product  P^T [q | u*q]
    dv = a^T g

Flash attention's backward, by contrast, forms P v, dO v^T, dS k, dS^T q and P^T dO for every
query after recomputing P; at SAP's head widths (8 heads of 10 dims for an 80-dim fbank) those
thin products, not the softmax, are the time. Queries go in blocks of at most ``BLOCK_ELEMENTS``
entries of P, so a block stays in the core's cache. In training, an utterance whose P is one
block keeps it from the forward for the backward while the batch's kept P stays within
``KEPT_ELEMENTS`` entries (256 MiB); other utterances recompute P in the backward. Memory is
therefore that fixed amount plus a part linear in n, as with the fused kernels.

Attention dropout is not supported (the dropped probabilities would need a second n x n matrix);
``poolers.attention`` sends training with dropout > 0 to PyTorch's fused kernel.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch.autograd.function import once_differentiable

BLOCK_ELEMENTS = 2**21  # entries of P per query block (8 MiB in fp32): n <= 512 at 8 heads is one block
KEPT_ELEMENTS = 2**26  # entries of P a batch keeps from the forward for the backward (256 MiB in fp32)


def mean_attention_per_utterance(qkv: torch.Tensor, counts: list[int], heads: int) -> torch.Tensor:
    """Mean over each utterance's frames of its multi-head self-attention, before the output projection.

    qkv [N, 3D]: the in-projected selected frames of B utterances, one after another (utterance b
    holds ``counts[b]`` consecutive rows; sum(counts) = N); -> [B, D]. An utterance with no frame
    gives 0.
    """
    return _MeanAttention.apply(qkv, counts, heads)


class _MeanAttention(torch.autograd.Function):
    @staticmethod
    def forward(ctx, qkv: torch.Tensor, counts: list[int], heads: int) -> torch.Tensor:
        out = qkv.new_zeros(len(counts), heads, qkv.shape[1] // (3 * heads))
        kept, column_sums = {}, {}
        budget = KEPT_ELEMENTS if ctx.needs_input_grad[0] else 0
        for row, (q, k, v) in _utterances(qkv, counts, heads):
            blocks = _query_blocks(q)
            if len(blocks) == 1:  # P whole: kept for the backward while the budget lasts
                p = _probabilities(q, k)
                if p.numel() <= budget:
                    kept[row], budget = p, budget - p.numel()
                column_sums[row] = p.sum(dim=1)  # [H, n]
            else:
                column_sums[row] = sum(_probabilities(q[:, block], k).sum(dim=1) for block in blocks)
            out[row] = torch.bmm((column_sums[row] / q.shape[1]).unsqueeze(1), v).squeeze(1)
        ctx.save_for_backward(qkv)
        ctx.counts, ctx.heads, ctx.kept, ctx.column_sums = counts, heads, kept, column_sums
        return out.flatten(1)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out: torch.Tensor):
        (qkv,) = ctx.saved_tensors
        heads, counts = ctx.heads, ctx.counts
        size = qkv.shape[1] // (3 * heads)
        grad_out = grad_out.reshape(len(counts), heads, size)
        # dq and dk are linear in c = v g: the scale and each utterance's 1/n go into g once, for the batch
        coef = size**-0.5 / torch.tensor(counts, dtype=qkv.dtype).clamp_min(1)
        scaled = (grad_out * coef[:, None, None]).unsqueeze(-1)  # [B, H, Dh, 1]
        grad_qkv = torch.empty_like(qkv)  # every row is one utterance's frame: all written below
        start = 0
        for row, (q, k, v) in _utterances(qkv, counts, heads):
            n = q.shape[1]
            # views of grad_qkv in the layout of q, k, v: [H, n, Dh] each
            grad_q, grad_k, grad_v = grad_qkv[start : start + n].view(n, 3, heads, size).permute(1, 2, 0, 3)
            c = torch.bmm(v, scaled[row])  # [H, n, 1]
            right = torch.cat([c * k, k, c], dim=-1)  # [H, n, 2 Dh + 1]
            pt_q = 0  # P^T [q | -u*q], summed over query blocks
            for block in _query_blocks(q):
                p = ctx.kept[row] if row in ctx.kept else _probabilities(q[:, block], k)  # [H, b, n]
                z = torch.bmm(p, right)  # [H, b, 2 Dh + 1]
                minus_u = z[..., -1:].neg()
                torch.addcmul(z[..., :size], minus_u, z[..., size : 2 * size], out=grad_q[:, block])
                qb = q[:, block]
                pt_q = pt_q + torch.bmm(p.transpose(1, 2), torch.cat([qb, minus_u * qb], dim=-1))
            torch.addcmul(pt_q[..., size:], c, pt_q[..., :size], out=grad_k)
            torch.mul((ctx.column_sums[row] / n).unsqueeze(-1), grad_out[row].unsqueeze(1), out=grad_v)
            start += n
        return grad_qkv, None, None


def _utterances(qkv: torch.Tensor, counts: list[int], heads: int) -> Iterator[tuple[int, tuple[torch.Tensor, ...]]]:
    """(b, (q, k, v)) for every utterance b with frames, each [H, n_b, Dh] (views of qkv)."""
    start = 0
    for row, n in enumerate(counts):
        if n:
            yield row, qkv[start : start + n].view(n, 3, heads, -1).permute(1, 2, 0, 3).unbind(0)
        start += n


def _query_blocks(q: torch.Tensor) -> list[slice]:
    """Slices of the n queries of q [H, n, Dh] such that each block's P [H, b, n] has at most BLOCK_ELEMENTS entries."""
    heads, n = q.shape[0], q.shape[1]
    size = max(1, BLOCK_ELEMENTS // (heads * n))
    return [slice(s, min(s + size, n)) for s in range(0, n, size)]


def _probabilities(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """Attention weights softmax(q k^T / sqrt(Dh)): q [H, b, Dh], k [H, n, Dh] -> [H, b, n]."""
    scores = torch.baddbmm(q.new_empty(()), q, k.transpose(1, 2), beta=0.0, alpha=q.shape[-1] ** -0.5)
    return torch.softmax(scores, dim=-1)
