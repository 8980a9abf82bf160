import torch

from bench.train import fit
from bench.train.early_stopping import EarlyStopping
from bench.train.predict import make_feeder
from model_data import CLASSES, make_set, quick_config


def test_stops_after_patience_and_restores_best_state():
    model = torch.nn.Linear(2, 1)
    stopper = EarlyStopping(patience=2)
    for epoch, loss in enumerate([3.0, 2.0, 2.5, 2.1], start=1):
        with torch.no_grad():
            model.weight.fill_(epoch)
        stopper.update(epoch, loss, model)
    assert stopper.should_stop and stopper.best_epoch == 2
    stopper.restore(model)
    assert torch.all(model.weight == 2.0)


def test_fit_stops_early_when_validation_loss_rises_and_restores_best_weights():
    train = make_set(60, seed=0)
    valid = make_set(30, seed=1, prefix="v", flip=True)  # labels contradict training: loss rises
    result = fit(train, valid, CLASSES, "gap", {}, quick_config(epochs=30, patience=3), seed=0)
    losses = [r["valid_loss"] for r in result.history]
    assert len(result.history) == result.best_epoch + 3 < 30
    assert losses[-1] > losses[result.best_epoch - 1]
    # the returned model is the best epoch's: re-evaluating gives that epoch's validation loss
    from bench.train.fit import _Targets, _evaluate, make_loss

    cfg = result.model.config
    loss = make_loss(train, 3, cfg, quick_config())
    again, _ = _evaluate(result.model, make_feeder(result.model, valid), valid, _Targets(valid, cfg), loss, 64)
    assert abs(again - losses[result.best_epoch - 1]) < 1e-5
