"""The frozen recipe's step budget: periods of whole epochs, and what a job reports about its training."""

import pytest
import torch

from bench.train import TrainConfig, fit
from bench.train.config import DEFAULT_MIN_STEPS, POOLER_MIN_STEPS
from bench.train.recipes import RECIPES, differences, get
from model_data import CLASSES, quick_config


@pytest.mark.parametrize(
    "n, batch, epochs, budget, per_period",
    [
        (4400, 64, 30, 2000, 1),  # an IEMOCAP fold: 69 steps an epoch, 30 epochs already give 2070 steps
        (192, 64, 30, 2000, 23),  # the demo: 3 steps an epoch -> periods of 23 epochs (2070 steps in all)
        (192, 64, 30, 0, 1),  # no budget: the paper's epochs
        (10, 64, 5, 12, 3),  # one step an epoch
    ],
)
def test_epochs_per_period(n, batch, epochs, budget, per_period):
    config = TrainConfig(batch_size=batch, epochs=epochs, min_steps=budget)
    assert config.epochs_per_period(n) == per_period
    steps_per_epoch = -(-n // batch)
    assert epochs * per_period * steps_per_epoch >= budget


def test_default_budget_is_the_modes():
    assert TrainConfig().step_budget == DEFAULT_MIN_STEPS["frozen"] > 0
    assert TrainConfig(mode="finetune").step_budget == 0
    with pytest.raises(ValueError, match="min_steps"):
        TrainConfig(min_steps=-1)


def test_a_pooler_with_its_own_floor_gets_it_only_when_min_steps_is_left_to_the_rule():
    name, floor = next(iter(POOLER_MIN_STEPS.items()))
    assert floor != DEFAULT_MIN_STEPS["frozen"]
    rule = TrainConfig(batch_size=64)
    assert rule.step_budget_for(name) == floor and rule.step_budget_for("no-such-floor") == rule.step_budget
    assert rule.epochs_per_period(192, name) == max(1, -(-floor // (30 * 3)))  # the demo: 3 steps an epoch
    assert TrainConfig(min_steps=500).step_budget_for(name) == 500  # set by the user: the same for every pooler
    assert TrainConfig(mode="finetune").step_budget_for(name) == 0  # fine-tuning keeps the paper's epochs


def test_the_run_records_each_poolers_floor_when_they_differ():
    floored, floor = next(iter(POOLER_MIN_STEPS.items()))
    default = DEFAULT_MIN_STEPS["frozen"]
    unfloored = "no-such-floor"
    assert TrainConfig().defaults_used([floored, unfloored])["min_steps"] == {floored: floor, unfloored: default}
    assert TrainConfig().defaults_used([unfloored])["min_steps"] == default
    assert "min_steps" not in TrainConfig(min_steps=0).defaults_used([floored])


def test_fit_uses_the_poolers_floor(tiny_data, monkeypatch):
    train, valid, _ = tiny_data  # 60 training utterances, batch 16: 4 steps an epoch
    monkeypatch.setitem(POOLER_MIN_STEPS, "gap", 24)
    result = fit(train, valid, CLASSES, "gap", {}, quick_config(epochs=3, min_steps=None), seed=0)
    assert result.summary["epochs_per_period"] == 2 and result.summary["max_epochs"] == 6


def test_history_has_one_row_per_period_and_the_summary_counts_steps(tiny_data):
    train, valid, _ = tiny_data  # 60 training utterances, batch 16: 4 steps an epoch
    result = fit(train, valid, CLASSES, "gap", {}, quick_config(epochs=3, min_steps=24), seed=0)
    assert [r["epoch"] for r in result.history] == [2, 4, 6] and [r["step"] for r in result.history] == [8, 16, 24]
    s = result.summary
    assert s["max_epochs"] == 6 and s["steps"] == 24 and s["epochs_per_period"] == 2
    assert result.best_epoch in (2, 4, 6) and 0.0 <= s["train_ua"] <= 1.0 and s["train_loss"] > 0


def test_one_epoch_is_flagged_as_still_improving(tiny_data):
    train, valid, _ = tiny_data
    short = fit(train, valid, CLASSES, "gap", {}, quick_config(epochs=1, patience=5), seed=0)
    assert short.summary["still_improving"] is True
    # early stopping that triggered is not "still improving"
    stopped = fit(train, valid, CLASSES, "gap", {}, quick_config(epochs=200, patience=1, lr=0.05), seed=0)
    assert len(stopped.history) < 200 and stopped.summary["still_improving"] is False


def test_training_ua_is_measured_on_the_training_set(tiny_data):
    train, valid, _ = tiny_data
    good = fit(train, valid, CLASSES, "gap", {}, quick_config(epochs=20), seed=0)
    assert good.summary["train_ua"] > 0.8  # separable tiny task; chance 1/3


def test_recipes_resolve_to_every_training_field():
    paper = get("sap-paper").resolved()
    assert paper["mode"] == "finetune" and paper["lr"] == 3e-5 and paper["min_steps"] == 0
    assert set(paper) == set(TrainConfig().to_dict())
    diff = differences(get("frozen").resolved(), paper)
    assert {"mode", "lr", "min_steps"} <= set(diff) and "batch_size" not in diff
    assert "frozen" in RECIPES


@pytest.mark.parametrize("pooler", ["gap", "sap"])
def test_gradient_accumulation_gives_the_full_batch_step(tiny_data, pooler):
    train, valid, _ = tiny_data
    params = {"heads": 2} if pooler == "sap" else {}
    kw = dict(epochs=1, batch_size=20, dropout=0.0, precompute=False)
    whole = fit(train, valid, CLASSES, pooler, params, quick_config(**kw), seed=3)
    parts = fit(train, valid, CLASSES, pooler, params, quick_config(grad_accumulation=3, **kw), seed=3)
    for key, value in whole.model.state_dict().items():
        # Adam divides by sqrt(v), so fp32 rounding of a different summation order (micro-batches;
        # sap's length groups) shows up in the weights near 1e-5.
        torch.testing.assert_close(parts.model.state_dict()[key], value, atol=5e-5, rtol=1e-4)
    with pytest.raises(ValueError, match="grad_accumulation"):
        TrainConfig(batch_size=4, grad_accumulation=5)


def test_out_of_gpu_memory_says_which_settings_fit(tiny_data, monkeypatch):
    """A CUDA out-of-memory error in a training step becomes one message that names the micro-batch
    and suggests a grad_accumulation that keeps the batch (simulated: no GPU needed)."""
    import importlib

    fit_module = importlib.import_module("bench.train.fit")  # the module; bench.train.fit is also the function

    def oom(*args, **kwargs):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(fit_module, "_step", oom)
    train, valid, _ = tiny_data
    with pytest.raises(RuntimeError, match=r"micro-batches of 8 utterances .*grad_accumulation=4") as caught:
        fit(train, valid, CLASSES, "gap", {}, quick_config(batch_size=16, grad_accumulation=2), seed=0)
    assert isinstance(caught.value.__cause__, torch.cuda.OutOfMemoryError)
