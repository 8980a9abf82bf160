"""The fast data paths give the numbers of the slow obvious ones: sufficient statistics against
frame-level poolers, stats from per-layer moments against stats on mixed frames,
memory-resident batches against per-utterance reads, layer mixing on a padded batch against a
per-utterance loop."""

import numpy as np
import pytest
import torch

import poolers
from poolers.masked import STD_FLOOR
from bench.model import ModelConfig
from bench.model.emotion import EmotionModel
from bench.model.layers import WeightedLayerSum
from bench.train import fit, predict
from bench.train.feeders import FrameFeeder, MomentFeeder, ResidentFeeder, frame_feeder
from bench.train.predict import make_feeder
from bench.train.utterance_stats import layer_pairs, pooled, standardisation, utterance_moments, utterance_sums
from model_data import CLASSES, make_set, quick_config
from file_store import as_feature_store


def _frames(data, utt_id):
    feats, speech = data.store.load(utt_id)
    return torch.from_numpy(np.asarray(feats, dtype=np.float32)), torch.from_numpy(np.asarray(speech))


@pytest.mark.parametrize("kind", ["gap", "sap-noattn", "stats"])
def test_pooled_from_sums_equals_the_pooler_on_frames(kind):
    data = make_set(12, layers=3, dim=8, seed=4)
    silent = data.ids[0]  # no speech at all: speech-only pooling falls back to every frame
    feats, _ = data.store.items[silent]
    data.store.items[silent] = (feats, np.zeros(feats.shape[1], dtype=bool))
    got = pooled(utterance_sums(data.store, data.ids), kind)  # [N, L, P]
    for n, utt_id in enumerate(data.ids):
        x, speech = _frames(data, utt_id)
        valid = torch.ones(1, x.shape[1], dtype=torch.bool)
        for layer in range(x.shape[0]):
            want = poolers.create(kind, 8)(x[layer][None].double(), valid, speech[None])[0]
            np.testing.assert_allclose(got[n, layer], want.numpy(), rtol=1e-5, atol=1e-5)


def test_standardisation_is_the_mean_and_std_of_the_training_frames_only():
    data = make_set(20, layers=2, dim=6, seed=5)
    part = data.ids[:13]
    frames = np.concatenate([data.store.load(i)[0].astype(np.float64) for i in part], axis=1)  # [L, F, D]
    frames[..., 0] += 500.0  # a large offset must not cost the variance its precision
    for i in part:
        feats, speech = data.store.items[i]
        shifted = feats.astype(np.float32)
        shifted[..., 0] += 500.0
        data.store.items[i] = (shifted, speech)
    mean, std = standardisation(utterance_sums(data.store, part))
    np.testing.assert_allclose(mean, frames.mean(axis=1), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(std, frames.std(axis=1), rtol=1e-5)


def test_resident_batches_equal_per_utterance_reads(tmp_path):
    data = as_feature_store(make_set(10, layers=3, dim=4, seed=6), tmp_path)
    ids = data.ids[2:9]
    for layer in (None, 1, -1):
        resident, reader = ResidentFeeder(data.store, ids, layer), FrameFeeder(data.store, ids, layer)
        index = np.array([4, 0, 6, 2])
        a, b = resident.batch(index), reader.batch(index)
        assert a.stacks.shape == b.stacks.shape and a.stacks.dtype == torch.float16
        assert torch.equal(a.stacks, b.stacks) and torch.equal(a.valid, b.valid) and torch.equal(a.speech, b.speech)
    assert isinstance(frame_feeder(data.store, ids, None, budget_gb=1.0), ResidentFeeder)
    assert isinstance(frame_feeder(data.store, ids, None, budget_gb=1e-9), FrameFeeder)  # over budget: read


def test_batched_layer_mixing_equals_a_per_utterance_loop():
    g = torch.Generator().manual_seed(1)
    stack = torch.randn(4, 3, 9, 5, generator=g).half()  # [L, B, T, D]
    shift, scale = torch.randn(4, 5, generator=g), torch.rand(4, 5, generator=g) + 0.5
    w = torch.softmax(torch.randn(4, generator=g), 0).requires_grad_(True)
    out = WeightedLayerSum.apply(w, stack, shift, scale)
    grad = torch.randn(3, 9, 5, generator=g)
    (out * grad).sum().backward()
    w2 = w.detach().clone().requires_grad_(True)
    loop = torch.stack(
        [torch.einsum("l,ltd->td", w2, (stack[:, b].float() - shift[:, None]) * scale[:, None]) for b in range(3)]
    )
    (loop * grad).sum().backward()
    torch.testing.assert_close(out, loop)
    torch.testing.assert_close(w.grad, w2.grad)


@pytest.mark.parametrize("pooler", ["sap", "stats"])
def test_training_from_memory_equals_training_from_reads(tmp_path, pooler):
    train, valid, test = (
        as_feature_store(make_set(n, seed=s, prefix=p), tmp_path / p)
        for n, s, p in ((40, 0, "u"), (20, 1, "v"), (20, 2, "t"))
    )
    params = {"heads": 2} if pooler == "sap" else {}
    frames = dict(epochs=2, precompute=False)  # stats would train on its moments
    a = fit(train, valid, CLASSES, pooler, params, quick_config(memory_budget_gb=1.0, **frames), seed=0)
    b = fit(train, valid, CLASSES, pooler, params, quick_config(memory_budget_gb=0.0, **frames), seed=0)
    assert a.history == b.history
    np.testing.assert_array_equal(predict(a.model, test).probs, predict(b.model, test).probs)


def _stats_set_with_edge_cases(tmp_path):
    """Utterances of different lengths, one constant (variance 0: the floor) and one of 1 frame."""
    data = make_set(9, layers=4, dim=6, seed=7)
    for utt_id, frames in ((data.ids[0], 30), (data.ids[1], 1)):
        feats = np.full((4, frames, 6), 0.75, dtype=np.float16) if frames > 1 else data.store.items[utt_id][0][:, :1]
        data.store.items[utt_id] = (feats, np.ones(frames, dtype=bool))
    return as_feature_store(data, tmp_path)


@pytest.mark.parametrize("layer", [None, 2])
def test_stats_from_moments_equals_stats_on_mixed_frames(tmp_path, layer):
    data = _stats_set_with_edge_cases(tmp_path)
    model = EmotionModel(ModelConfig(CLASSES, 6, 4, "stats", layer=layer, dropout=0.0))
    g = torch.Generator().manual_seed(3)
    rows = model.feature_shift.shape[0]
    model.set_feature_stats(torch.randn(rows, 6, generator=g), torch.rand(rows, 6, generator=g) + 0.3)
    if layer is None:
        with torch.no_grad():
            model.mixing.logits.copy_(torch.randn(4, generator=g))
    moments = make_feeder(model, data, memory_budget_gb=1.0)
    frames = make_feeder(model, data, precompute=False)
    assert isinstance(moments, MomentFeeder) and isinstance(frames, FrameFeeder)
    index = np.arange(len(data))
    results = []
    for feeder in (moments, frames):
        model.zero_grad()
        pooled = model.pool(feeder.batch(index))
        out = model.head(pooled)
        (out.logits.square().sum() + out.valence.square().sum() + out.arousal.sum()).backward()
        grads = {k: p.grad.clone() for k, p in model.named_parameters()}
        results.append((pooled.detach(), out.logits.detach(), grads))
    (p1, l1, g1), (p2, l2, g2) = results
    torch.testing.assert_close(p1, p2, rtol=1e-5, atol=1e-5)
    floor = torch.full((2, 6), STD_FLOOR).sqrt()  # the constant and the 1-frame utterance
    assert torch.equal(p1[:2, 6:], floor) and torch.equal(p2[:2, 6:], floor)
    torch.testing.assert_close(l1, l2, rtol=1e-5, atol=1e-5)
    assert g1.keys() == g2.keys() and ("mixing.logits" in g1) == (layer is None)
    for k in g1:
        torch.testing.assert_close(g1[k], g2[k], rtol=1e-4, atol=1e-5)


def test_stats_moments_over_the_budget_fall_back_to_frames(tmp_path):
    data = _stats_set_with_edge_cases(tmp_path)
    model = EmotionModel(ModelConfig(CLASSES, 6, 4, "stats"))
    need = 9 * 10 * 6 * 4 / 2**30  # 9 utterances, 10 layer pairs of 6 float32 dims
    assert isinstance(make_feeder(model, data, memory_budget_gb=need), MomentFeeder)
    assert isinstance(make_feeder(model, data, memory_budget_gb=0.99 * need), (ResidentFeeder, FrameFeeder))
    fixed = EmotionModel(ModelConfig(CLASSES, 6, 4, "stats", layer=1))  # a fixed layer holds no covariance
    assert isinstance(make_feeder(fixed, data, memory_budget_gb=1e-12), MomentFeeder)
    assert isinstance(make_feeder(model, data), FrameFeeder)  # no budget (predict): frames


@pytest.mark.parametrize("layer", [None, 1])
def test_stats_trains_the_same_from_moments_and_from_frames(tmp_path, layer):
    train, valid, test = (
        as_feature_store(make_set(n, layers=3, seed=s, prefix=p), tmp_path / p)
        for n, s, p in ((40, 0, "u"), (20, 1, "v"), (20, 2, "t"))
    )
    config = dict(epochs=3, layer=layer, memory_budget_gb=1.0)
    fast = fit(train, valid, CLASSES, "stats", {}, quick_config(**config), seed=0)
    slow = fit(train, valid, CLASSES, "stats", {}, quick_config(precompute=False, **config), seed=0)
    for k, v in fast.model.state_dict().items():
        torch.testing.assert_close(v, slow.model.state_dict()[k], atol=1e-4, rtol=1e-4)
    np.testing.assert_allclose(predict(fast.model, test).probs, predict(slow.model, test).probs, atol=1e-5)


def test_covariances_are_computed_once_per_cache_file(tmp_path, monkeypatch):
    data = as_feature_store(make_set(5, layers=3, dim=4, seed=8, prefix="m"), tmp_path)
    mean, covariance = utterance_moments(data.store, data.ids)
    x = data.store.load(data.ids[2])[0].astype(np.float64)  # [L, T, D]
    centred = x - x.mean(axis=1, keepdims=True)
    want = np.einsum("ltd,mtd->lmd", centred, centred)[layer_pairs(3)] / x.shape[1]  # [K, D]
    np.testing.assert_allclose(covariance[2], want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mean[2], x.mean(axis=1), rtol=1e-6)
    monkeypatch.setattr(data.store, "load", lambda utt_id: pytest.fail("read a stack again"))
    assert utterance_moments(data.store, data.ids)[1][2] is covariance[2]  # the memo's own array
