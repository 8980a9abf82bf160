"""TrainConfig's optimiser, class weighting and lr schedule choices do what they say."""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from bench.model import build_model
from bench.train import TrainConfig, fit
from bench.train.fit import make_loss, make_optimizer
from bench.train.provenance import model_config_for
from bench.train.schedule import lr_scheduler
from model_data import CLASSES, make_set, quick_config
from test_schedule import _lrs


def _imbalanced_set():
    data = make_set(40, seed=3)
    keep = [i for i, y in enumerate(data.labels) if y != 2 or i < 6]  # class 2 rare
    from bench.train import UtteranceSet

    return UtteranceSet(
        [data.ids[i] for i in keep], data.labels[keep], data.valence[keep], data.arousal[keep], data.store
    )


def _loss_of(config: TrainConfig, data, logits):
    cfg, _ = model_config_for(data, CLASSES, "gap", {}, config)
    loss = make_loss(data, len(CLASSES), cfg, config)
    labels = torch.from_numpy(data.labels)
    nan = torch.full((len(labels),), float("nan"))
    return loss.total(loss.sums(logits, labels, torch.zeros(len(labels)), nan, torch.zeros(len(labels)), nan))


def test_class_weighting_off_is_plain_cross_entropy():
    data = _imbalanced_set()
    logits = torch.randn(len(data), len(CLASSES), generator=torch.Generator().manual_seed(0))
    labels = torch.from_numpy(data.labels)
    plain = _loss_of(quick_config(alpha=1.0, class_weighting=False), data, logits)
    torch.testing.assert_close(plain, F.cross_entropy(logits, labels))
    counts = np.bincount(data.labels, minlength=3)
    balanced = torch.tensor(counts.sum() / (3 * counts), dtype=torch.float32)
    weighted = _loss_of(quick_config(alpha=1.0), data, logits)
    torch.testing.assert_close(weighted, F.cross_entropy(logits, labels, weight=balanced))
    assert not torch.isclose(plain, weighted)


def test_adam_is_plain_adam_and_adamw_stays_the_default():
    data = make_set(12)
    for name, expected in (("adam", torch.optim.Adam), ("adamw", torch.optim.AdamW)):
        config = quick_config(optimizer=name, weight_decay=0.0)
        cfg, _ = model_config_for(data, CLASSES, "gap", {}, config)
        optimizer = make_optimizer(build_model(cfg), config)
        assert type(optimizer) is expected and optimizer.param_groups[0]["lr"] == config.learning_rate
    assert TrainConfig().optimizer == "adamw" and TrainConfig().class_weighting
    assert TrainConfig().lr_schedule == "warmup-cosine"


@pytest.mark.parametrize("name", ["adam", "adamw"])
def test_the_multi_tensor_optimizer_gives_the_for_loop_ones_numbers(name):
    """make_optimizer updates all parameters in one foreach call; PyTorch's per-parameter loop is the reference."""
    data = make_set(16, seed=4)
    config = quick_config(optimizer=name, weight_decay=0.01)
    cfg, _ = model_config_for(data, CLASSES, "sap", {"heads": 2}, config)
    params = {}
    for foreach in (True, False):
        torch.manual_seed(0)
        model = build_model(cfg)
        optimizer = make_optimizer(model, config)
        if not foreach:  # the same optimizer with PyTorch's for-loop implementation
            trainable = optimizer.param_groups[0]["params"]
            optimizer = type(optimizer)(trainable, lr=config.learning_rate, weight_decay=0.01, foreach=False)
        gen = torch.Generator().manual_seed(1)
        for _ in range(5):
            optimizer.zero_grad()
            loss = sum((p * torch.randn(p.shape, generator=gen)).sum() for p in optimizer.param_groups[0]["params"])
            loss.backward()
            optimizer.step()
        params[foreach] = [p.detach().clone() for p in optimizer.param_groups[0]["params"]]
        assert optimizer.defaults["foreach"] is foreach
    assert all(torch.equal(a, b) for a, b in zip(params[True], params[False]))


def test_constant_schedule_keeps_the_lr_at_every_step():
    assert _lrs(lambda o: lr_scheduler("constant", o, 20, 0.1), 20) == [1e-3] * 20
    assert _lrs(lambda o: lr_scheduler("warmup-cosine", o, 20, 0.1), 20)[0] == 0.0


def test_plain_recipe_trains_with_a_constant_lr_and_no_warning_for_unweighted_terms():
    train, valid = make_set(48, with_va=False), make_set(12, seed=1, with_va=False, prefix="v")
    config = quick_config(
        epochs=4,
        batch_size=4,
        lr=1e-3,
        optimizer="adam",
        weight_decay=0.0,
        lr_schedule="constant",
        class_weighting=False,
        alpha=1.0,
        beta=0.0,
        gamma=0.0,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fit(train, valid, CLASSES, "gap", {}, config, seed=0)
    assert not [w for w in caught if "valence" in str(w.message)]  # beta = gamma = 0: nothing dropped
    assert [row["lr"] for row in result.history] == [1e-3] * len(result.history)
    assert result.history[-1]["train_loss"] < result.history[0]["train_loss"]


@pytest.mark.parametrize("field, value", [("optimizer", "sgd"), ("lr_schedule", "linear")])
def test_unknown_choices_are_refused(field, value):
    with pytest.raises(ValueError, match=field):
        TrainConfig(**{field: value})
