"""The pooler contract, checked on every registered pooler (new ones are picked up here)."""

from __future__ import annotations

import pytest
import torch

import poolers
from pooler_batches import build, make_batch

ALL = poolers.names()
LENGTHS = [12, 7, 20, 3]


@pytest.mark.parametrize("name", ALL)
def test_output_shape(name):
    pooler = build(name)
    feats, valid, speech = make_batch(LENGTHS)
    out = pooler(feats, valid, speech)
    assert out.shape == (len(LENGTHS), pooler.out_dim)
    assert out.dtype == feats.dtype


@pytest.mark.parametrize("name", ALL)
def test_padding_content_and_length_do_not_matter(name):
    pooler = build(name)
    feats, valid, speech = make_batch(LENGTHS, total=27, seed=1)
    with torch.no_grad():
        reference = pooler(feats[:, :20], valid[:, :20], speech[:, :20])  # shortest padding
        padding = ~valid.unsqueeze(-1)
        noisy = feats.masked_fill(padding, 0.0) + 100 * torch.randn_like(feats) * padding
        padded = pooler(noisy, valid, speech)
    torch.testing.assert_close(padded, reference, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", ALL)
def test_output_does_not_depend_on_the_rest_of_the_batch(name):
    pooler = build(name)
    feats, valid, speech = make_batch(LENGTHS, seed=2)
    with torch.no_grad():
        batched = pooler(feats, valid, speech)
        for i, n in enumerate(LENGTHS):
            alone = pooler(feats[i : i + 1, :n], valid[i : i + 1, :n], speech[i : i + 1, :n])
            torch.testing.assert_close(batched[i : i + 1], alone, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", ALL)
def test_gradients_reach_every_parameter(name):
    pooler = build(name).train()
    feats, valid, speech = make_batch(LENGTHS, seed=3)
    feats.requires_grad_(True)
    (pooler(feats, valid, speech) ** 2).sum().backward()
    assert torch.isfinite(feats.grad).all()
    for pname, param in pooler.named_parameters():
        assert param.grad is not None, f"{pname} gets no gradient"
        assert torch.isfinite(param.grad).all(), f"{pname} has a non-finite gradient"
        assert param.grad.abs().sum() > 0, f"{pname} has an all-zero gradient"


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("case", ["silent", "one-frame", "one-frame-silent"])
def test_degenerate_utterances_stay_finite(name, case):
    lengths = {"silent": [9, 12], "one-frame": [1, 12], "one-frame-silent": [1, 12]}[case]
    silent = () if case == "one-frame" else (0,)
    feats, valid, speech = make_batch(lengths, seed=4, silent=silent)
    if case == "one-frame":
        speech[0, 0] = True
    feats.requires_grad_(True)
    pooler = build(name).train()
    out = pooler(feats, valid, speech)
    assert torch.isfinite(out).all()
    out.sum().backward()
    assert torch.isfinite(feats.grad).all()
    assert all(torch.isfinite(p.grad).all() for p in pooler.parameters())
    # Alone (B=1) as well: nothing else in the batch keeps a row or a softmax non-empty.
    with torch.no_grad():
        n = lengths[0]
        assert torch.isfinite(pooler.eval()(feats[:1, :n], valid[:1, :n], speech[:1, :n])).all()


@pytest.mark.parametrize("name", ["sap", "sap-noattn"])
def test_speech_poolers_ignore_non_speech_frames(name):
    pooler = build(name)
    feats, valid, speech = make_batch(LENGTHS, seed=5)
    assert (speech.sum(1) > 0).all()
    non_speech = (valid & ~speech).unsqueeze(-1)
    with torch.no_grad():
        reference = pooler(feats, valid, speech)
        perturbed = pooler(feats + 50 * torch.randn_like(feats) * non_speech, valid, speech)
    torch.testing.assert_close(perturbed, reference, rtol=1e-5, atol=1e-5)


def test_silent_utterance_falls_back_to_valid_frames():
    feats, valid, speech = make_batch([10, 6], seed=6, silent=(0,))
    gap, sap_noattn = build("gap"), build("sap-noattn")
    torch.testing.assert_close(sap_noattn(feats, valid, speech)[0], gap(feats, valid, speech)[0])


@pytest.mark.parametrize("name", ALL)
def test_utterance_without_valid_frames_gives_finite_output(name):
    feats, valid, speech = make_batch([6, 4], seed=7)
    valid[1], speech[1] = False, False
    with torch.no_grad():
        out = build(name)(feats, valid, speech)
    assert torch.isfinite(out).all()
