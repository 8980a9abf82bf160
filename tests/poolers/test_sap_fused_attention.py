"""SAP's attention runs in PyTorch's fused attention kernel (linear memory in the number of
frames) and gives the numbers and gradients of the explicit score matrix (the math backend)."""

from __future__ import annotations

import pytest
import torch
from torch.nn.attention import SDPBackend, sdpa_kernel

import poolers
from pooler_batches import DIM, make_batch

LENGTHS = [37, 4, 52, 1, 19]


def _pooled_and_grads(pooler, batch):
    feats, valid, speech = (t.clone() for t in batch)
    feats.requires_grad_(True)
    out = pooler(feats, valid, speech)
    (out * torch.linspace(-1, 1, out.shape[-1])).sum().backward()
    grads = [feats.grad] + [p.grad.clone() for p in pooler.parameters()]
    pooler.zero_grad()
    return out.detach(), grads


@pytest.mark.parametrize("name", ["sap", "sr"])
def test_fused_kernel_matches_the_explicit_score_matrix(name):
    torch.manual_seed(0)
    pooler = poolers.create(name, DIM, heads=4).train()  # dropout 0: training is deterministic
    batch = make_batch(LENGTHS, seed=3, silent=(3,))
    with sdpa_kernel([SDPBackend.MATH]):
        want, want_grads = _pooled_and_grads(pooler, batch)
    with sdpa_kernel([SDPBackend.FLASH_ATTENTION]):  # raises if the fused kernel cannot take these inputs
        got, got_grads = _pooled_and_grads(pooler, batch)
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)
    for g, w in zip(got_grads, want_grads):
        torch.testing.assert_close(g, w, rtol=1e-4, atol=1e-6)


def test_an_utterance_without_frames_stays_finite():
    torch.manual_seed(1)
    pooler = poolers.create("sap", DIM, heads=2).train()
    feats, valid, speech = make_batch([5, 3], seed=4)
    valid[1], speech[1] = False, False
    feats.requires_grad_(True)
    out = pooler(feats, valid, speech)
    out.sum().backward()
    assert torch.isfinite(out).all() and torch.isfinite(feats.grad).all()
    torch.testing.assert_close(out[1], pooler.attention.out_proj.bias.detach())


def test_length_groups_give_the_numbers_of_one_padded_batch(monkeypatch):
    """Rows attend in groups of similar length, each cut to its own longest selection: the same
    pooled vectors and gradients as the whole padded batch in one group."""
    import poolers.attention

    torch.manual_seed(2)
    pooler = poolers.create("sr", DIM, heads=4).train()
    batch = make_batch([37, 4, 52, 1, 19, 8, 30, 2, 45, 11, 26, 3], seed=5, silent=(4,))
    assert len(batch[0]) // poolers.attention.ROWS_PER_GROUP > 1  # the default forms several groups
    grouped, grouped_grads = _pooled_and_grads(pooler, batch)
    monkeypatch.setattr(poolers.attention, "ROWS_PER_GROUP", 10**6)  # one group: the padded batch
    whole, whole_grads = _pooled_and_grads(pooler, batch)
    torch.testing.assert_close(grouped, whole, rtol=1e-5, atol=1e-6)
    for g, w in zip(grouped_grads, whole_grads):
        torch.testing.assert_close(g, w, rtol=1e-4, atol=1e-6)
