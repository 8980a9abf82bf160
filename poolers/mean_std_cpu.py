"""Weighted mean and variance over frames with the gradient written in one pass (the CPU kernels).

For weights w [B, T] (W = sum_t w_t, 1 or 0 for the poolers' weights) and frames x [B, T, D]:

    m = sum_t w_t x_t,        v = sum_t w_t (x_t - m)^2,        r = sum_t w_t (x_t - m) = m (1 - W)

and, with g_m = dL/dm and g_v = dL/dv,

    dL/dx_t = w_t (g_m + 2 g_v (x_t - m - r))
    dL/dw_t = sum_d [ x_t (g_m - 2 g_v r) + g_v (x_t - m)^2 ]

Autograd through the same formula keeps ``x - m``, its square and their gradients as [B, T, D]
tensors, about a dozen passes over the padded batch; at an SSL model's width one batch is tens
of MB, so each pass streams it from memory. Here the rows go in chunks of about
``CHUNK_ELEMENTS`` numbers (a chunk stays in the core's cache), each cut to its last frame of
non-zero weight (padding costs nothing), nothing of [B, T, D] is saved for the backward but x
itself, and the backward writes dL/dx once. On the padded batches of ``benchmarks/pooler_speed.py``
(B = 64, D = 1024) this makes ``stats`` and ``asp`` no slower than a loop over the unpadded
utterances (docs/poolers.md).

Chunks need each row's last weighted frame on the host, which would stall a GPU: other devices
keep the autograd formula (``poolers.masked.weighted_mean_std`` chooses).
"""

from __future__ import annotations

import torch
from torch.autograd.function import once_differentiable

CHUNK_ELEMENTS = 2**18  # numbers of x per chunk of rows (1 MiB in fp32)


def weighted_mean(x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """x [B, T, D], weights [B, T] of x's dtype -> m [B, D]; dL/dx = w g_m written in one pass.

    (Autograd through ``bmm`` forms dL/dx as a batched product with an inner size of 1, 1.2x
    slower at B = 64, T = 240, D = 1024.)
    """
    return _WeightedMean.apply(x, weights)


class _WeightedMean(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x, weights)
        return torch.bmm(weights.unsqueeze(1), x).squeeze(1)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_mean: torch.Tensor):
        x, weights = ctx.saved_tensors
        need_x, need_w = ctx.needs_input_grad
        grad_x = weights.unsqueeze(2) * grad_mean.unsqueeze(1) if need_x else None  # [B, T, D]
        grad_w = torch.bmm(x, grad_mean.unsqueeze(2)).squeeze(2) if need_w else None  # [B, T]
        return grad_x, grad_w


def weighted_mean_var(x: torch.Tensor, weights: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """x [B, T, D], weights [B, T] of x's dtype -> (m [B, D], v [B, D]) as in the module docstring."""
    return _WeightedMeanVar.apply(x, weights)


def _chunks(weights: torch.Tensor, dim: int) -> list[tuple[slice, int]]:
    """(rows, frames): consecutive rows of about CHUNK_ELEMENTS numbers, and the frames they need
    (up to the last frame of non-zero weight in any of them; at least 1)."""
    batch, frames = weights.shape
    nonzero = weights != 0
    last = torch.where(nonzero.any(dim=1), frames - nonzero.flip(1).int().argmax(dim=1), 1).tolist()
    size = max(1, CHUNK_ELEMENTS // max(1, frames * dim))
    return [(slice(s, s + size), max(last[s : s + size])) for s in range(0, batch, size)]


class _WeightedMeanVar(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, weights: torch.Tensor):
        mean = x.new_empty(x.shape[0], x.shape[2])
        var = torch.empty_like(mean)
        chunks = _chunks(weights, x.shape[2])
        for rows, n in chunks:
            xs, ws = x[rows, :n], weights[rows, :n].unsqueeze(1)  # [b, n, D], [b, 1, n]
            m = torch.bmm(ws, xs)  # [b, 1, D]
            mean[rows] = m.squeeze(1)
            var[rows] = torch.bmm(ws, (xs - m).square_()).squeeze(1)
        ctx.save_for_backward(x, weights, mean)
        ctx.chunks = chunks
        return mean, var

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_mean: torch.Tensor | None, grad_var: torch.Tensor | None):
        x, weights, mean = ctx.saved_tensors
        if grad_mean is None:
            grad_mean = torch.zeros_like(mean)
        if grad_var is None:
            grad_var = torch.zeros_like(mean)
        r = mean * (1 - weights.sum(dim=1, keepdim=True))  # [B, D]: 0 where the weights sum to 1
        need_x, need_w = ctx.needs_input_grad
        grad_x = torch.empty_like(x) if need_x else None
        grad_w = torch.empty_like(weights) if need_w else None
        for rows, n in ctx.chunks:
            # dL/dw is not 0 where w is: its chunk takes every frame; dL/dx is 0 past the chunk's n
            n_read = x.shape[1] if need_w else n
            xs = x[rows, :n_read]
            m, gm, gv, rr = mean[rows, None], grad_mean[rows, None], grad_var[rows, None], r[rows, None]
            centred = xs - m  # [b, n_read, D]
            if need_w:  # sum_d x (g_m - 2 g_v r) + g_v (x - m)^2
                linear = torch.bmm(xs, (gm - 2 * gv * rr).transpose(1, 2))  # [b, T, 1]
                grad_w[rows] = (linear + torch.bmm(centred.square(), gv.transpose(1, 2))).squeeze(2)
            if need_x:  # w (g_m + 2 g_v (x - m - r)), in place on the centred frames
                ws = weights[rows, :n, None]
                grad_x[rows, :n] = centred[:, :n].sub_(rr).mul_(2 * gv).add_(gm).mul_(ws)
                grad_x[rows, n:] = 0
        return grad_x, grad_w
