"""SAP's attention taken in blocks of queries (for long utterances) gives the same pooled vectors
and gradients as the whole score matrix, in eval and in training."""

from __future__ import annotations

import pytest
import torch

import poolers
import poolers.attention
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
@pytest.mark.parametrize("rows_per_block", [1, 7, 51])
def test_blocked_queries_match_the_whole_score_matrix(monkeypatch, name, rows_per_block):
    torch.manual_seed(0)
    pooler = poolers.create(name, DIM, heads=4).train()  # dropout 0: training still checkpoints the blocks
    batch = make_batch(LENGTHS, seed=3, silent=(3,))
    whole, whole_grads = _pooled_and_grads(pooler, batch)
    heads, size = 4, int(batch[2].sum(1).max())  # S: the most speech frames of one utterance
    monkeypatch.setattr(poolers.attention, "SCORE_BLOCK_ELEMENTS", len(LENGTHS) * heads * size * rows_per_block)
    blocked, blocked_grads = _pooled_and_grads(pooler, batch)
    torch.testing.assert_close(blocked, whole, rtol=1e-5, atol=1e-6)
    for got, want in zip(blocked_grads, whole_grads):
        torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-6)
    with torch.no_grad():
        torch.testing.assert_close(pooler.eval()(*batch), whole, rtol=1e-5, atol=1e-6)


def test_short_batches_take_the_whole_matrix_bit_for_bit(monkeypatch):
    """Below the block size nothing changes: the numbers are those of the unblocked code."""
    torch.manual_seed(1)
    pooler = poolers.create("sap", DIM, heads=2).eval()
    batch = make_batch(LENGTHS, seed=4)
    with torch.no_grad():
        default = pooler(*batch)
        monkeypatch.setattr(poolers.attention, "SCORE_BLOCK_ELEMENTS", 10**12)
        assert torch.equal(pooler(*batch), default)
