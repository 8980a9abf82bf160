import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.utils.class_weight import compute_class_weight

from bench.train import fit, predict
from bench.train.loss import MultiTaskLoss, class_weights
from model_data import CLASSES, make_set, quick_config


def test_class_weights_match_sklearn_balanced():
    labels = np.random.default_rng(0).choice(4, size=97, p=[0.1, 0.2, 0.3, 0.4])
    expected = compute_class_weight("balanced", classes=np.arange(4), y=labels)
    np.testing.assert_allclose(class_weights(labels, 4).numpy(), expected, rtol=1e-6)


def test_absent_class_gets_zero_weight_and_a_warning():
    with pytest.warns(UserWarning, match="no training utterance"):
        w = class_weights(np.array([0, 0, 2]), 3)
    assert w[1] == 0 and w[0] > 0


def test_total_is_weighted_ce_plus_masked_maes():
    g = torch.Generator().manual_seed(0)
    logits, labels = torch.randn(10, 3, generator=g), torch.arange(10) % 3
    w = torch.tensor([0.5, 1.0, 2.0])
    vp, ap, vt, at = (torch.randn(10, generator=g) for _ in range(4))
    vt[[1, 4]] = float("nan")
    loss = MultiTaskLoss(w, 0.5, 0.25, 0.25)
    total = loss.total(loss.sums(logits, labels, vp, vt, ap, at))
    known = ~torch.isnan(vt)
    expected = (
        0.5 * F.cross_entropy(logits, labels, weight=w)
        + 0.25 * (vp - vt)[known].abs().mean()
        + 0.25 * (ap - at).abs().mean()
    )
    torch.testing.assert_close(total, expected)


def test_missing_valence_arousal_drops_terms_with_one_warning():
    train, valid = make_set(48, with_va=False), make_set(12, seed=1, with_va=False, prefix="v")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fit(train, valid, CLASSES, "gap", {}, quick_config(epochs=3, batch_size=8), seed=0)
    messages = [str(w.message) for w in caught if "valence" in str(w.message)]
    assert len(messages) == 1 and "dropped" in messages[0]
    preds = predict(result.model, valid)
    assert np.isnan(preds.valence).all() and np.isnan(preds.arousal).all()
    assert np.isfinite(preds.probs).all()
