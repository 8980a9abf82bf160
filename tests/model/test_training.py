import numpy as np
import pytest
import torch

from bench.model.layers import WeightedLayerSum
from bench.train import fit, predict
from model_data import CLASSES, quick_config


@pytest.mark.parametrize("pooler", ["gap", "sr"])
def test_short_training_lowers_loss_and_beats_chance(tiny_data, pooler):
    train, valid, test = tiny_data
    result = fit(train, valid, CLASSES, pooler, {"heads": 2} if pooler == "sr" else {}, quick_config(), seed=0)
    losses = [row["train_loss"] for row in result.history]
    assert losses[-1] < 0.85 * losses[0]
    accuracy = (predict(result.model, test).labels == test.labels).mean()
    assert accuracy > 0.6  # chance is 1/3


def test_history_rows_and_best_epoch(tiny_data):
    train, valid, _ = tiny_data
    seen = []
    result = fit(
        train, valid, CLASSES, "gap", {}, quick_config(epochs=3), seed=0, on_epoch=lambda epoch, row: seen.append(epoch)
    )
    assert seen == [1, 2, 3] and len(result.history) == 3
    assert set(result.history[0]) == {"epoch", "step", "train_loss", "valid_loss", "valid_ua", "lr"}
    best = min(result.history, key=lambda r: r["valid_loss"])
    assert result.best_epoch == best["epoch"]


def test_on_epoch_exception_stops_training(tiny_data):
    train, valid, _ = tiny_data

    def stop(epoch, row):
        if epoch == 2:
            raise KeyboardInterrupt  # stands in for optuna.TrialPruned

    with pytest.raises(KeyboardInterrupt):
        fit(train, valid, CLASSES, "gap", {}, quick_config(epochs=5), seed=0, on_epoch=stop)


def _state(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("pooler", ["gap", "sap"])
def test_same_seed_repeats_bit_for_bit(tiny_data, pooler):
    train, valid, test = tiny_data
    params = {"heads": 2} if pooler == "sap" else {}
    runs = [fit(train, valid, CLASSES, pooler, params, quick_config(epochs=1, dropout=0.3), seed=7) for _ in range(2)]
    a, b = (_state(r.model) for r in runs)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert runs[0].history == runs[1].history
    pa, pb = (predict(r.model, test) for r in runs)
    assert np.array_equal(pa.probs, pb.probs) and np.array_equal(pa.valence, pb.valence)
    other = fit(train, valid, CLASSES, pooler, params, quick_config(epochs=1, dropout=0.3), seed=8)
    assert not torch.equal(_state(other.model)["head.classifier.weight"], a["head.classifier.weight"])


def test_linear_pooler_precompute_matches_frame_level_path(tiny_data):
    train, valid, test = tiny_data
    fast = fit(train, valid, CLASSES, "sap-noattn", {}, quick_config(epochs=3), seed=0)
    slow = fit(train, valid, CLASSES, "sap-noattn", {}, quick_config(epochs=3, precompute=False), seed=0)
    for k, v in _state(fast.model).items():
        torch.testing.assert_close(v, _state(slow.model)[k], atol=1e-4, rtol=1e-4)
    p_pooled, p_frames = predict(fast.model, test), predict(fast.model, test, precompute=False)
    np.testing.assert_allclose(p_pooled.probs, p_frames.probs, atol=1e-5)
    np.testing.assert_allclose(p_pooled.valence, p_frames.valence, atol=1e-4)


def test_fixed_layer_reads_only_that_layer(tiny_data):
    train, valid, test = tiny_data
    result = fit(train, valid, CLASSES, "stats", {}, quick_config(layer=1, epochs=3), seed=0)
    assert result.model.mixing.logits is None
    assert predict(result.model, test).probs.shape == (len(test), 3)


def test_weighted_layer_sum_matches_autograd_reference():
    g = torch.Generator().manual_seed(0)
    stack = torch.randn(5, 7, 3, generator=g).half()
    shift, scale = torch.randn(5, 3, generator=g), torch.rand(5, 3, generator=g) + 0.5
    w1 = torch.softmax(torch.randn(5, generator=g), 0).requires_grad_(True)
    w2 = w1.detach().clone().requires_grad_(True)
    out1 = WeightedLayerSum.apply(w1, stack, shift, scale)
    out2 = torch.einsum("l,ltd->td", w2, (stack.float() - shift[:, None]) * scale[:, None])
    grad = torch.randn(7, 3, generator=g)
    (out1 * grad).sum().backward()
    (out2 * grad).sum().backward()
    torch.testing.assert_close(out1, out2)
    torch.testing.assert_close(w1.grad, w2.grad)


def test_feature_stats_match_numpy_over_training_frames(tiny_data):
    from bench.train.feature_stats import feature_stats

    train = tiny_data[0]
    frames = np.concatenate([train.store.load(i)[0].astype(np.float64) for i in train.ids], axis=1)  # [L, N, D]
    mean, std = feature_stats(train.store, train.ids)
    np.testing.assert_allclose(mean.numpy(), frames.mean(axis=1), atol=1e-5)
    np.testing.assert_allclose(std.numpy(), frames.std(axis=1), atol=1e-5)
    mean1, _ = feature_stats(train.store, train.ids, layer=1)
    np.testing.assert_allclose(mean1.numpy(), frames[1:2].mean(axis=1), atol=1e-5)
