import numpy as np

from bench.model import load_model, save_model
from bench.model.svm import fit_svm
from bench.train import fit, predict
from model_data import CLASSES, make_set


def test_svm_beats_chance_on_separable_data():
    train, test = make_set(60, seed=0), make_set(45, seed=2, prefix="t")
    model = fit_svm(train, CLASSES, C=1.0, layer=1)
    preds = predict(model, test)
    np.testing.assert_allclose(preds.probs.sum(axis=1), 1.0)
    assert (preds.labels == test.labels).mean() > 0.8
    assert np.isnan(preds.valence).all()


def test_svm_runs_as_a_pooler_choice_and_round_trips(tmp_path):
    train, test = make_set(40, seed=0), make_set(20, seed=2, prefix="t")
    result = fit(train, None, CLASSES, "svm", {"C": 3.0}, seed=0)
    assert result.history == [] and result.model.config.C == 3.0 and result.model.config.layer is None
    save_model(result.model, tmp_path / "svm")
    again = load_model(tmp_path / "svm")
    np.testing.assert_array_equal(predict(again, test).probs, predict(result.model, test).probs)


def test_svm_binary_and_unseen_class():
    train = make_set(30, num_classes=2, seed=0)
    preds = fit_svm(train, CLASSES).predict(make_set(10, num_classes=2, seed=1, prefix="t"))
    assert preds.probs.shape == (10, 3) and np.all(preds.probs[:, 2] == 0)
