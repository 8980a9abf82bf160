import numpy as np
import pytest
from safetensors.numpy import load_file, save_file
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from bench.errors import BenchError

from bench.model import load_model, save_model
from bench.model.svm import fit_svm
from bench.model.svm_arrays import ovr_decision, svm_arrays
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


@pytest.mark.parametrize("num_classes", [2, 3, 4])
def test_decision_from_stored_arrays_equals_sklearn(num_classes):
    rng = np.random.default_rng(num_classes)
    x, y = rng.normal(size=(80, 6)) * [1, 2, 3, 1, 1, 5], np.arange(80) % num_classes
    x[y == 1] += 1.0
    pipeline = make_pipeline(
        StandardScaler(),
        SVC(C=2.0, gamma="scale", kernel="rbf", class_weight="balanced", decision_function_shape="ovr"),
    ).fit(x, y)
    probe = rng.normal(size=(25, 6)) * 2
    np.testing.assert_allclose(
        ovr_decision(svm_arrays(pipeline), probe), pipeline.decision_function(probe), rtol=1e-9, atol=1e-9
    )


def test_svm_folder_holds_no_pickle_and_reloads_exactly(tmp_path):
    train, test = make_set(40, seed=0), make_set(20, seed=2, prefix="t")
    model = fit_svm(train, CLASSES, C=3.0, layer=1)
    save_model(model, tmp_path / "svm")
    assert sorted(p.name for p in (tmp_path / "svm").iterdir()) == ["config.json", "svm.safetensors"]
    np.testing.assert_array_equal(predict(load_model(tmp_path / "svm"), test).probs, predict(model, test).probs)


def test_svm_folder_with_inconsistent_arrays_is_refused(tmp_path):
    save_model(fit_svm(make_set(30, seed=0), CLASSES), tmp_path / "svm")
    arrays = load_file(str(tmp_path / "svm" / "svm.safetensors"))
    arrays["dual_coef"] = arrays["dual_coef"][:, :-1]
    save_file(arrays, str(tmp_path / "svm" / "svm.safetensors"))
    with pytest.raises(BenchError, match="inconsistent shapes"):
        load_model(tmp_path / "svm")
