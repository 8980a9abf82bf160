"""SAP's two attention kernels (``poolers.attention``) against ``nn.MultiheadAttention`` one
utterance at a time: the CPU kernel with the mean folded into its products
(``poolers.attention_cpu``), and PyTorch's fused attention over groups of rows
(``grouped_sdpa_attention``, used off CPU and with attention dropout). Outputs and gradients, to
every input and weight, in float64."""

from __future__ import annotations

import pytest
import torch
from torch.nn.attention import SDPBackend, sdpa_kernel

import poolers
import poolers.attention
import poolers.attention_cpu
from pooler_batches import DIM, make_batch
from poolers.packing import gather_frames, pack_index

LENGTHS = [37, 4, 52, 1, 19, 8, 30, 2, 45, 11, 26, 3]


def _attention(heads: int, seed: int) -> torch.nn.MultiheadAttention:
    torch.manual_seed(seed)
    attention = torch.nn.MultiheadAttention(DIM, heads, batch_first=True).double()
    with torch.no_grad():  # non-zero biases, so the bias algebra is checked too
        attention.in_proj_bias.normal_()
        attention.out_proj.bias.normal_()
    return attention


def _selection(seed: int, silent=(), packed=False) -> tuple[torch.Tensor, torch.Tensor]:
    """x [B, T, D] float64 (noise in the unselected frames too), mask [B, T]: speech runs, scattered
    or packed (each row's selected frames first, as the pooler hands them over)."""
    feats, valid, speech = make_batch(LENGTHS, seed=seed, silent=silent)
    x, mask = feats.double(), valid & speech
    if packed:
        index, mask = pack_index(mask)
        x = gather_frames(x, index)
    return x, mask


def _reference(x, mask, attention):
    """The mean over each utterance's selected frames of nn.MultiheadAttention among them."""
    rows = []
    for frames in (f[m] for f, m in zip(x, mask)):
        if len(frames) == 0:
            rows.append(attention.out_proj(frames.new_zeros(DIM)))
            continue
        attended, _ = attention(frames[None], frames[None], frames[None], need_weights=False)
        rows.append(attended[0].mean(0))
    return torch.stack(rows)


def _value_and_grads(function, x, mask, attention):
    x = x.clone().requires_grad_(True)
    out = function(x, mask, attention)
    (out * torch.linspace(-1, 1, DIM, dtype=out.dtype)).sum().backward()
    grads = [x.grad] + [p.grad.clone() for p in attention.parameters()]
    attention.zero_grad()
    return out.detach(), grads


def _assert_same(got, want):
    torch.testing.assert_close(got[0], want[0], rtol=1e-10, atol=1e-12)
    for g, w in zip(got[1], want[1]):
        torch.testing.assert_close(g, w, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("heads", [1, 4])
@pytest.mark.parametrize("packed", [False, True])
def test_cpu_kernel_gives_multihead_attentions_values_and_gradients(heads, packed):
    attention = _attention(heads, seed=0)
    x, mask = _selection(seed=3, silent=(3,), packed=packed)  # row 3 has no frame
    want = _value_and_grads(_reference, x, mask, attention)
    _assert_same(_value_and_grads(poolers.attention.mean_self_attention, x, mask, attention), want)


@pytest.mark.parametrize("kept_elements", [0, 4 * 40**2, 10**9])  # P recomputed, kept for some rows, for all
def test_cpu_kernel_keeps_or_recomputes_attention_weights_with_the_same_numbers(monkeypatch, kept_elements):
    monkeypatch.setattr(poolers.attention_cpu, "KEPT_ELEMENTS", kept_elements)
    attention = _attention(4, seed=8)
    x, mask = _selection(seed=9, silent=(5,))
    want = _value_and_grads(_reference, x, mask, attention)
    _assert_same(_value_and_grads(poolers.attention.mean_self_attention, x, mask, attention), want)


def test_cpu_kernel_query_blocks_give_the_same_numbers(monkeypatch):
    """Long utterances go through P in blocks of queries (linear memory): same values and gradients."""
    attention = _attention(4, seed=1)
    x, mask = _selection(seed=4)
    whole = _value_and_grads(poolers.attention.mean_self_attention, x, mask, attention)
    monkeypatch.setattr(poolers.attention_cpu, "BLOCK_ELEMENTS", 4 * 7 * 52)  # 7 queries a block at 4 heads x 52 keys
    assert len(poolers.attention_cpu._query_blocks(4, slice(0, 52))) == 8
    _assert_same(_value_and_grads(poolers.attention.mean_self_attention, x, mask, attention), whole)


def test_cpu_kernel_passes_gradcheck():
    torch.manual_seed(2)
    counts, heads = [3, 0, 5, 1], 2
    qkv_t = torch.randn(3 * 4, sum(counts), dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda t: poolers.attention_cpu.mean_attention_per_utterance(t, counts, heads), (qkv_t,)
    )


@pytest.mark.parametrize("packed", [False, True])
@pytest.mark.parametrize("backend", [SDPBackend.MATH, SDPBackend.FLASH_ATTENTION])
def test_grouped_sdpa_kernel_gives_multihead_attentions_values_and_gradients(backend, packed):
    """The kernel CUDA runs, checked here on CPU with the flash kernel and the explicit score matrix."""
    attention = _attention(4, seed=5)
    x, mask = _selection(seed=6, silent=(4,), packed=packed)
    assert len(x) // poolers.attention.ROWS_PER_GROUP > 1  # several groups of rows
    want = _value_and_grads(_reference, x, mask, attention)
    with sdpa_kernel([backend]):  # raises if that kernel cannot take these inputs
        got = _value_and_grads(poolers.attention.grouped_sdpa_attention, x, mask, attention)
    _assert_same(got, want)


def test_attention_dropout_is_random_in_training_and_off_in_eval():
    """nn.MultiheadAttention's dropout on the attention weights (through the fused kernel, which has it)."""
    torch.manual_seed(7)
    pooler = poolers.create("sap", DIM, heads=4, dropout=0.5)
    plain = poolers.create("sap", DIM, heads=4)
    plain.load_state_dict(pooler.state_dict())
    feats, valid, speech = make_batch(LENGTHS, seed=8)
    pooler.train()
    assert not torch.allclose(pooler(feats, valid, speech), pooler(feats, valid, speech))
    with torch.no_grad():
        torch.testing.assert_close(pooler.eval()(feats, valid, speech), plain.eval()(feats, valid, speech))


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


def test_cpu_kernel_without_projection_biases():
    """nn.MultiheadAttention(bias=False): the in-projection is a plain product."""
    torch.manual_seed(10)
    attention = torch.nn.MultiheadAttention(DIM, 4, bias=False, batch_first=True).double()
    x, mask = _selection(seed=11, silent=(2,))
    want = _value_and_grads(_reference, x, mask, attention)
    _assert_same(_value_and_grads(poolers.attention.mean_self_attention, x, mask, attention), want)
