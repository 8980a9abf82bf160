"""``fit``: train one model on one fold with the SAP paper's recipe (see docs/training.md)."""

from __future__ import annotations

import contextlib
import math
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

from bench.model import ModelConfig, build_model
from bench.model.heads import HeadOutput
from bench.model.svm import SVM_NAME, fit_svm_job
from bench.stats.classification import unweighted_accuracy
from bench.train.config import TrainConfig
from bench.train.data import UtteranceSet, standardise
from bench.train.early_stopping import EarlyStopping
from bench.train.feature_stats import feature_stats
from bench.train.loss import LossSums, MultiTaskLoss, class_weights
from bench.train.predict import forward_all, make_feeder
from bench.train.probes import fit_probe_job, is_probe
from bench.train.provenance import model_config_for


@dataclass
class FitResult:
    """model (best weights restored); history (one dict per evaluation period: epoch (epochs done),
    step (optimiser steps done), train_loss, valid_loss, valid_ua, lr); best_epoch (epochs done at
    the best period; the last when there is no validation set); ``summary``: how training went
    (``training_summary``: train_ua, train_loss at the best weights, max_epochs, steps,
    still_improving)."""

    model: object
    history: list[dict] = field(default_factory=list)
    best_epoch: int = 0
    summary: dict = field(default_factory=dict)


@contextlib.contextmanager
def seeded(seed: int):
    """Seed torch inside a forked RNG state, with deterministic algorithms where available."""
    previous = torch.are_deterministic_algorithms_enabled()
    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        torch.use_deterministic_algorithms(True, warn_only=True)
        try:
            yield
        finally:
            torch.use_deterministic_algorithms(previous)


class _Targets:
    """Per-utterance training targets as tensors: labels [N] long, valence/arousal [N] standardised."""

    def __init__(self, data: UtteranceSet, cfg: ModelConfig):
        self.labels = torch.from_numpy(data.labels)
        self.valence = torch.from_numpy(standardise(data.valence, cfg.valence_stats))
        self.arousal = torch.from_numpy(standardise(data.arousal, cfg.arousal_stats))

    def sums(self, loss: MultiTaskLoss, out, index, device) -> LossSums:
        idx = torch.as_tensor(index)
        return loss.sums(
            out.logits.float(),
            self.labels[idx].to(device),
            out.valence.float(),
            self.valence[idx].to(device),
            out.arousal.float(),
            self.arousal[idx].to(device),
        )

    def denominators(self, loss: MultiTaskLoss, index) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The batch's class-weight sum and valence/arousal counts: what the loss divides by."""
        idx = torch.as_tensor(index)
        return (
            loss.weights[self.labels[idx]].sum(),
            (~torch.isnan(self.valence[idx])).sum().float(),
            (~torch.isnan(self.arousal[idx])).sum().float(),
        )


def make_loss(train: UtteranceSet, num_classes: int, cfg: ModelConfig, config: TrainConfig) -> MultiTaskLoss:
    """Class weights from the training labels; valence/arousal terms dropped (one warning) when
    the training set has no such targets."""
    missing = [
        name
        for name, stats, weight in (
            ("valence", cfg.valence_stats, config.beta),
            ("arousal", cfg.arousal_stats, config.gamma),
        )
        if stats is None and weight
    ]  # a term weighted 0 is dropped by the recipe: nothing to warn about
    if missing:
        warnings.warn(
            f"the training set has no {' and no '.join(missing)} values; "
            f"the {'/'.join(missing)} loss term(s) are dropped and predictions are NaN",
            stacklevel=3,
        )
    weights = class_weights(train.labels, num_classes) if config.class_weighting else torch.ones(num_classes)
    return MultiTaskLoss(
        weights,
        config.alpha,
        config.beta,
        config.gamma,
        use_valence=cfg.valence_stats is not None,
        use_arousal=cfg.arousal_stats is not None,
    )


def make_optimizer(model, config: TrainConfig) -> torch.optim.Optimizer:
    """``config.optimizer`` over the trainable parameters: AdamW (decoupled decay) or Adam (L2 decay).

    ``foreach=True`` on every device: one multi-tensor update instead of a Python loop over the
    parameters (PyTorch's default on CUDA only). The same numbers, 0.91x the time of a demo gap job.
    """
    optimizer_class = torch.optim.Adam if config.optimizer == "adam" else torch.optim.AdamW
    return optimizer_class(
        [p for p in model.parameters() if p.requires_grad],
        lr=config.learning_rate,
        weight_decay=config.weight_decay,
        foreach=True,
    )


def _evaluate(model, feeder, data: UtteranceSet, targets: _Targets, loss: MultiTaskLoss, batch_size: int):
    """-> (total loss over the whole set, unweighted accuracy)."""
    logits, valence, arousal = forward_all(model, feeder, len(data), batch_size)
    out = HeadOutput(logits, valence, arousal)
    total = loss.total(targets.sums(loss, out, np.arange(len(data)), torch.device("cpu")))
    return float(total), float(unweighted_accuracy(data.labels, logits.argmax(1).numpy()))


def _autocast(device: torch.device, config: TrainConfig):
    """bf16 autocast on CUDA when ``mixed_precision`` (no loss scaling needed for bf16); else nothing."""
    if config.mixed_precision and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def _step(model, feeder, targets, loss, index, config: TrainConfig, device) -> LossSums:
    """Forward and backward of one optimiser step's batch, as ``grad_accumulation`` micro-batches.

    Each micro-batch's loss is divided by the WHOLE batch's denominators (class-weight sum,
    valence/arousal counts), so the accumulated gradient is the full batch's, not a mean of
    micro-batch means."""
    w, nv, na = (t.to(device) for t in targets.denominators(loss, index))
    total_sums = None
    for part in np.array_split(index, config.grad_accumulation):
        if not len(part):
            continue
        with _autocast(device, config):
            out = model(feeder.batch(part))
        sums = targets.sums(loss, out, part, device)
        loss.total(LossSums(sums.ce, w, sums.valence, nv, sums.arousal, na)).backward()
        total_sums = sums.detach() if total_sums is None else total_sums + sums.detach()
    return total_sums


def _train_epoch(model, feeder, targets, loss, optimizer, scheduler, order, config: TrainConfig):
    """One pass over ``order`` -> (training total loss over the epoch, lr of its last step)."""
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    device = model.device
    epoch_sums = None
    for start in range(0, len(order), config.batch_size):
        index = order[start : start + config.batch_size]
        optimizer.zero_grad(set_to_none=True)
        try:
            sums = _step(model, feeder, targets, loss, index, config, device)
        except torch.cuda.OutOfMemoryError as exc:
            raise _out_of_memory(config) from exc
        if config.max_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(params, config.max_grad_norm)
        lr = optimizer.param_groups[0]["lr"]
        optimizer.step()
        scheduler.step()
        epoch_sums = sums if epoch_sums is None else epoch_sums + sums
    return float(loss.total(epoch_sums)), lr


def _out_of_memory(config: TrainConfig) -> RuntimeError:
    micro = -(-config.batch_size // config.grad_accumulation)
    more = min(config.batch_size, config.grad_accumulation * 2)
    return RuntimeError(
        f"out of GPU memory training with micro-batches of {micro} utterances (batch_size {config.batch_size}, "
        f"grad_accumulation {config.grad_accumulation}). Keep the batch and halve the micro-batch with "
        f"--set grad_accumulation={more} (same gradients, more passes); or lower max_duration, or freeze more "
        f"of the backbone."
    )


def fit(
    train: UtteranceSet,
    valid: UtteranceSet | None,
    classes: list[str],
    pooler: str,
    pooler_params: dict | None = None,
    config: TrainConfig | None = None,
    seed: int = 0,
    on_epoch: Callable[[int, dict], None] | None = None,
) -> FitResult:
    """Train a model on ``train``, early-stopping on ``valid``'s total loss; best weights restored.

    ``pooler``: a ``poolers`` name, ``"svm"`` for the SVM baseline (``pooler_params`` are then
    its options, see ``bench.model.svm``), or a convex probe (``bench.train.probes.PROBES``). ``on_epoch(epoch, row)`` runs after each epoch with
    that epoch's history row; an exception it raises (e.g. optuna.TrialPruned) stops training
    and propagates.
    """
    config = config or TrainConfig()
    pooler_params = dict(pooler_params or {})
    if pooler == SVM_NAME:
        return FitResult(*fit_svm_job(train, classes, pooler_params, seed))
    if is_probe(pooler):
        return FitResult(*fit_probe_job(train, valid, classes, pooler, pooler_params, config.layer, seed))
    if len(train) == 0:
        raise ValueError("the training set is empty")
    from bench.train.schedule import lr_scheduler

    with seeded(seed):
        cfg, backbone = model_config_for(train, classes, pooler, pooler_params, config)
        device = config.resolve_device()
        model = build_model(cfg, backbone)
        if cfg.standardize:
            model.set_feature_stats(*feature_stats(train.store, train.ids, cfg.layer))
        model = model.to(device)
        loss = make_loss(train, len(classes), cfg, config)
        train_feed = make_feeder(model, train, config.precompute, config.memory_budget_gb)
        valid_feed = (
            make_feeder(model, valid, config.precompute, config.memory_budget_gb)
            if valid is not None and len(valid)
            else None
        )
        train_targets, valid_targets = _Targets(train, cfg), (_Targets(valid, cfg) if valid_feed else None)
        optimizer = make_optimizer(model, config)
        per_period = config.epochs_per_period(len(train), pooler)
        steps_per_epoch = math.ceil(len(train) / config.batch_size)
        scheduler = lr_scheduler(
            config.lr_schedule, optimizer, config.epochs * per_period * steps_per_epoch, config.warmup_ratio
        )
        generator = torch.Generator().manual_seed(seed)
        stopper, history = EarlyStopping(config.patience), []
        eval_batch = config.eval_batch_size or config.batch_size
        for period in range(1, config.epochs + 1):
            for _ in range(per_period):
                order = torch.randperm(len(train), generator=generator).numpy()
                train_loss, lr = _train_epoch(
                    model, train_feed, train_targets, loss, optimizer, scheduler, order, config
                )
            epoch = period * per_period
            valid_loss, valid_ua = (
                _evaluate(model, valid_feed, valid, valid_targets, loss, eval_batch)
                if valid_feed
                else (math.nan, math.nan)
            )
            row = {
                "epoch": epoch,
                "step": epoch * steps_per_epoch,
                "train_loss": train_loss,
                "valid_loss": valid_loss,
                "valid_ua": valid_ua,
                "lr": lr,
            }
            history.append(row)
            # without a validation set the training loss is only watched (still_improving), never restored
            stopper.update(epoch, valid_loss if valid_feed else train_loss, model if valid_feed else None)
            if on_epoch is not None:
                on_epoch(epoch, row)
            if valid_feed and stopper.should_stop:
                break
        stopper.restore(model)
        train_loss_best, train_ua_best = _evaluate(model, train_feed, train, train_targets, loss, eval_batch)
    summary = training_summary(history, stopper, config, per_period, steps_per_epoch, bool(valid_feed))
    summary.update(train_loss=train_loss_best, train_ua=train_ua_best)
    best_epoch = stopper.best_epoch if valid_feed else (history[-1]["epoch"] if history else 0)
    return FitResult(model, history, best_epoch, summary)


def training_summary(
    history: list[dict],
    stopper: EarlyStopping,
    config: TrainConfig,
    per_period: int,
    steps_per_epoch: int,
    monitored_valid: bool,
) -> dict:
    """max_epochs (the epoch limit), epochs_per_period, steps (optimiser steps run), and
    still_improving: training ran to the epoch limit while the monitored loss (validation total
    loss, or the training loss without a validation set) had improved within the last
    ``patience`` periods, i.e. early stopping would not have ended it: more steps could help."""
    periods = len(history)
    best_period = stopper.best_epoch // per_period if stopper.best_epoch else 0
    hit_limit = periods == config.epochs and not (monitored_valid and stopper.should_stop)
    return {
        "max_epochs": config.epochs * per_period,
        "epochs_per_period": per_period,
        "steps": periods * per_period * steps_per_epoch,
        "still_improving": bool(hit_limit and periods - best_period < config.patience),
    }
