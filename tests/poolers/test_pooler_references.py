"""Each pooler against a slow, obvious per-utterance implementation."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import poolers
from pooler_batches import DIM, build, make_batch

LENGTHS = [15, 4, 22, 1, 9]


def per_utterance(feats, mask):
    """The selected frames of each utterance as numpy float64 arrays [n_i, D]."""
    return [f[m].double().numpy() for f, m in zip(feats, mask)]


def test_gap_is_the_mean_over_valid_frames():
    feats, valid, speech = make_batch(LENGTHS, seed=10)
    expected = np.stack([x.mean(axis=0) for x in per_utterance(feats, valid)])
    got = build("gap")(feats, valid, speech).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_sap_noattn_is_the_mean_over_speech_frames():
    feats, valid, speech = make_batch(LENGTHS, seed=11)
    expected = np.stack([x.mean(axis=0) for x in per_utterance(feats, speech)])
    got = build("sap-noattn")(feats, valid, speech).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_stats_is_mean_and_population_std():
    # ddof=0: the population standard deviation, as Okabe et al.; a one-frame utterance has std 0
    # (floored at sqrt(STD_FLOOR) = 1e-3 to keep gradients finite).
    feats, valid, speech = make_batch(LENGTHS, seed=12)
    frames = per_utterance(feats, valid)
    floor = 1e-3
    expected = np.stack([np.r_[x.mean(0), np.maximum(x.std(0, ddof=0), floor)] for x in frames])
    got = build("stats")(feats, valid, speech).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def slow_sap(pooler, feats, valid, speech):
    """Speech frames of one utterance at a time through nn.MultiheadAttention, then their mean."""
    out = []
    for f, v, s in zip(feats, valid, speech):
        frames = f[s & v] if (s & v).any() else f[v]
        attended, _ = pooler.attention(frames[None], frames[None], frames[None], need_weights=False)
        out.append(attended[0].mean(0))
    return torch.stack(out)


@pytest.mark.parametrize("heads", [1, 4])
def test_sap_matches_multihead_attention_on_speech_frames(heads):
    torch.manual_seed(0)
    pooler = poolers.create("sap", DIM, heads=heads).eval()
    with torch.no_grad():  # non-zero biases, so the bias algebra is checked too
        pooler.attention.in_proj_bias.normal_()
        pooler.attention.out_proj.bias.normal_()
    feats, valid, speech = make_batch(LENGTHS, seed=13, silent=(2,))
    with torch.no_grad():
        expected = slow_sap(pooler, feats, valid, speech)
        torch.testing.assert_close(pooler(feats, valid, speech), expected, rtol=1e-4, atol=1e-5)


def test_sr_is_gap_then_sap():
    sr = build("sr")
    feats, valid, speech = make_batch(LENGTHS, seed=14)
    with torch.no_grad():
        out = sr(feats, valid, speech)
        torch.testing.assert_close(out[:, :DIM], build("gap")(feats, valid, speech))
        torch.testing.assert_close(out[:, DIM:], sr.sap(feats, valid, speech))


def test_asp_matches_attentive_statistics_per_utterance():
    pooler = build("asp")
    feats, valid, speech = make_batch(LENGTHS, seed=15)
    with torch.no_grad():
        got = pooler(feats, valid, speech)
        for i, frames in enumerate(f[v] for f, v in zip(feats, valid)):
            alpha = torch.softmax(pooler.score(frames).squeeze(-1), dim=0).double().numpy()
            x = frames.double().numpy()
            mean = alpha @ x
            std = np.sqrt(np.maximum(alpha @ (x * x) - mean * mean, 1e-6))  # Okabe's eq. 10
            np.testing.assert_allclose(got[i].numpy(), np.concatenate([mean, std]), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", [n for n in poolers.names() if poolers.is_linear(n)])
def test_pool_layers_commutes_with_layer_weighting(name):
    generator = torch.Generator().manual_seed(16)
    layers = torch.stack([make_batch(LENGTHS, seed=17 + layer)[0] for layer in range(5)], dim=1)  # [B, L, T, D]
    _, valid, speech = make_batch(LENGTHS, seed=17)
    weights = torch.softmax(torch.randn(5, generator=generator), 0)
    per_layer = poolers.pool_layers(name, layers, valid, speech)  # [B, L, D]
    assert per_layer.shape == (len(LENGTHS), 5, DIM)
    mixed = torch.einsum("l,bltd->btd", weights, layers)
    pooled_after = build(name)(mixed, valid, speech)
    torch.testing.assert_close(torch.einsum("l,bld->bd", weights, per_layer), pooled_after)
    for layer in range(5):  # and each layer alone is the pooler's output on it
        torch.testing.assert_close(per_layer[:, layer], build(name)(layers[:, layer], valid, speech))


def test_cnn_ignores_frames_past_max_frames():
    pooler = build("cnn")  # max_frames=40 in tests
    feats, valid, speech = make_batch([55, 30], seed=18)
    with torch.no_grad():
        full = pooler(feats, valid, speech)
        cut = pooler(feats[:, :40], valid[:, :40], speech[:, :40])
    torch.testing.assert_close(full, cut)


def test_cnn_default_map_is_seven_seconds_of_the_wav2vec2_conv_front_end():
    """The paper's 7 s clips give 349 frames: the conv stack of transformers' wav2vec2 says so too."""
    from backbones.tiny import tiny_config, tiny_model

    seven_seconds = 7 * 16000
    wav2vec2 = tiny_model(tiny_config("wav2vec2", "layer", True))
    frames = int(wav2vec2._get_feat_extract_output_lengths(torch.tensor(seven_seconds)))
    assert poolers.create("cnn", DIM).max_frames == frames


def test_cnn_dropout_feeds_no_batch_norm():
    """Dropout before a batch norm shifts that norm's variance between training and evaluation
    (Li et al. 2019); the cnn applies dropout only after its last batch norm. Checked on the order
    in which the modules actually run."""
    pooler = build("cnn")  # dropout 0.2 by default
    assert pooler.dropout.p > 0
    order = []
    for module in pooler.modules():
        if isinstance(module, (torch.nn.Dropout, torch.nn.BatchNorm2d)):
            module.register_forward_hook(lambda m, *_: order.append(type(m).__name__))
    feats, valid, speech = make_batch([40, 30], seed=19)
    pooler.train()(feats, valid, speech)
    assert order.count("BatchNorm2d") == 7 and order[-1] == "Dropout" and order.count("Dropout") == 1
