"""The CPU kernels for the weighted mean and variance (``poolers.mean_std_cpu``: the mean behind
``gap`` and ``sap-noattn``, mean and variance behind ``stats`` and ``asp`` on CPU) against autograd
through the two-pass formula, in float64: values and gradients to frames and weights, over chunks
of rows cut to different lengths, with empty rows and weights that do not sum to 1."""

from __future__ import annotations

import pytest
import torch

import poolers.mean_std_cpu as kernel
from poolers.masked import STD_FLOOR, frame_weights, weighted_mean_std


def _formula(x, w):
    mean = torch.einsum("bt,btd->bd", w, x)
    var = torch.einsum("bt,btd->bd", w, (x - mean.unsqueeze(1)) ** 2)
    return mean, var


def _inputs(seed: int, weights: str):
    """x [6, 13, 5] float64; weights [6, 13]: softmax-like over a row's valid frames (rows 2 and 5 empty,
    row lengths 13, 4, 0, 9, 1, 0), or arbitrary non-negative values there (sums not 1)."""
    gen = torch.Generator().manual_seed(seed)
    lengths = torch.tensor([13, 4, 0, 9, 1, 0])
    valid = torch.arange(13) < lengths[:, None]
    x = torch.randn(6, 13, 5, generator=gen, dtype=torch.float64)
    if weights == "uniform":
        w = frame_weights(valid, torch.float64)
    else:
        w = torch.rand(6, 13, generator=gen, dtype=torch.float64) * valid
    return x, w


def _values_and_grads(function, x, w):
    x, w = x.clone().requires_grad_(True), w.clone().requires_grad_(True)
    mean, var = function(x, w)
    gen = torch.Generator().manual_seed(9)
    loss = (mean * torch.randn(mean.shape, generator=gen, dtype=mean.dtype)).sum() + (
        var * torch.randn(var.shape, generator=gen, dtype=var.dtype)
    ).sum()
    loss.backward()
    return mean.detach(), var.detach(), x.grad, w.grad


@pytest.mark.parametrize("weights", ["uniform", "arbitrary"])
@pytest.mark.parametrize("chunk_elements", [kernel.CHUNK_ELEMENTS, 2 * 13 * 5, 1])  # one chunk, 2 rows, 1 row
def test_values_and_gradients_match_the_formula(monkeypatch, weights, chunk_elements):
    monkeypatch.setattr(kernel, "CHUNK_ELEMENTS", chunk_elements)
    x, w = _inputs(seed=0, weights=weights)
    got = _values_and_grads(kernel.weighted_mean_var, x, w)
    want = _values_and_grads(_formula, x, w)
    for g, e in zip(got, want):
        torch.testing.assert_close(g, e, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("weights", ["uniform", "arbitrary"])
def test_the_mean_alone_matches_the_formula(weights):
    x, w = _inputs(seed=4, weights=weights)
    got = _values_and_grads(lambda a, b: (kernel.weighted_mean(a, b), a.new_zeros(())), x, w)
    want = _values_and_grads(lambda a, b: (_formula(a, b)[0], a.new_zeros(())), x, w)
    for g, e in zip(got[:1] + got[2:], want[:1] + want[2:]):
        torch.testing.assert_close(g, e, rtol=1e-12, atol=1e-12)
    assert torch.autograd.gradcheck(kernel.weighted_mean, (x.requires_grad_(True), w.requires_grad_(True)))


def test_chunks_are_cut_to_their_last_weighted_frame(monkeypatch):
    monkeypatch.setattr(kernel, "CHUNK_ELEMENTS", 2 * 13 * 5)
    _, w = _inputs(seed=0, weights="uniform")
    assert kernel._chunks(w, 5) == [(slice(0, 2), 13), (slice(2, 4), 9), (slice(4, 6), 1)]


def test_passes_gradcheck(monkeypatch):
    monkeypatch.setattr(kernel, "CHUNK_ELEMENTS", 2 * 13 * 5)
    x, w = _inputs(seed=1, weights="arbitrary")
    assert torch.autograd.gradcheck(kernel.weighted_mean_var, (x.requires_grad_(True), w.requires_grad_(True)))


def test_only_the_gradient_asked_for_is_computed():
    x, w = _inputs(seed=2, weights="uniform")
    grads = []
    for function in (kernel.weighted_mean_var, _formula):
        frames = x.clone().requires_grad_(True)
        mean, var = function(frames, w)
        (mean.sum() + (var * torch.linspace(-1, 1, 5, dtype=var.dtype)).sum()).backward()
        grads.append(frames.grad)
    assert w.grad is None
    torch.testing.assert_close(grads[0], grads[1], rtol=1e-12, atol=1e-12)


def test_weighted_mean_std_uses_it_on_cpu_with_the_floor():
    x, w = _inputs(seed=3, weights="uniform")
    x[3] = 1.5  # a constant row: variance 0, floored
    mean, std = weighted_mean_std(x, w)
    want_mean, want_var = _formula(x, w)
    torch.testing.assert_close(mean, want_mean, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(std, want_var.clamp_min(STD_FLOOR).sqrt(), rtol=1e-12, atol=1e-12)
    assert (std[3] == STD_FLOOR**0.5).all()
