"""The convex reference probes: what they are fitted on, and that they match scikit-learn run by hand."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from bench.train import fit, predict
from bench.train import probes
from bench.train.probes import PROBES, fit_probe, representable_probes
from model_data import CLASSES, make_set


class RecordingStore:
    """Wraps a store and records every utterance id that is read."""

    def __init__(self, store):
        self.store, self.read = store, set()

    def load(self, utt_id):
        self.read.add(utt_id)
        return self.store.load(utt_id)


def test_probe_is_fitted_on_training_labels_only_and_never_reads_test(monkeypatch):
    train, valid, test = make_set(45, seed=0), make_set(21, seed=1, prefix="v"), make_set(21, seed=2, prefix="t")
    for part in (valid, test):
        train.store.items.update(part.store.items)
    recording = RecordingStore(train.store)
    for part in (train, valid, test):
        part.store = recording
    fits = []
    real = probes._pipeline

    def spy(C, seed):
        pipe = real(C, seed)
        original = pipe.fit

        def recorded_fit(x, y):
            fits.append((x.shape[0], np.array(y)))
            return original(x, y)

        pipe.fit = recorded_fit
        return pipe

    monkeypatch.setattr(probes, "_pipeline", spy)
    model, info = fit_probe(train, valid, CLASSES, "probe-gap")
    assert fits and all(n == len(train) and np.array_equal(y, train.labels) for n, y in fits)
    assert not recording.read & set(test.ids)
    assert info["C"] in probes.C_GRID and 0.0 <= info["train_ua"] <= 1.0


def test_validation_labels_only_rank_C():
    """Relabelling the validation speakers can change which C wins, never the fit at a given C."""
    train, valid = make_set(45, seed=0), make_set(21, seed=1, prefix="v")
    model, info = fit_probe(train, valid, CLASSES, "probe-sap-noattn")
    shuffled = make_set(21, seed=1, prefix="v")
    shuffled.labels = np.roll(shuffled.labels, 1)
    other, other_info = fit_probe(train, shuffled, CLASSES, "probe-sap-noattn")
    if other_info["C"] == info["C"]:
        np.testing.assert_array_equal(model.pipeline[-1].coef_, other.pipeline[-1].coef_)


def test_probe_equals_scikit_learn_by_hand():
    train, valid, test = make_set(45, seed=0), make_set(21, seed=1, prefix="v"), make_set(21, seed=2, prefix="t")
    model, info = fit_probe(train, valid, CLASSES, "probe-gap")

    def gap(data, mean, std):  # mean over frames, standardised per layer, averaged over layers
        return np.stack(
            [((data.store.load(i)[0].astype(np.float64).mean(axis=1) - mean) / std).mean(axis=0) for i in data.ids]
        )

    frames = np.concatenate([train.store.load(i)[0].astype(np.float64) for i in train.ids], axis=1)
    mean, std = frames.mean(axis=1), frames.std(axis=1)
    scaler = StandardScaler().fit(gap(train, mean, std))
    best = max(
        probes.C_GRID,
        key=lambda C: _scores(
            LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(
                scaler.transform(gap(train, mean, std)), train.labels
            ),
            scaler.transform(gap(valid, mean, std)),
            valid.labels,
        ),
    )
    assert info["C"] == best
    clf = LogisticRegression(C=best, class_weight="balanced", max_iter=5000).fit(
        scaler.transform(gap(train, mean, std)), train.labels
    )
    want = clf.predict_proba(scaler.transform(gap(test, mean, std)))
    np.testing.assert_allclose(predict(model, test).probs, want, atol=1e-6)


def _scores(clf, x, y):
    """(validation UA, C): the order the probe ranks C by (ties: the weakest regularisation)."""
    from sklearn.metrics import balanced_accuracy_score

    return balanced_accuracy_score(y, clf.predict(x)), clf.C


@pytest.mark.parametrize("name", list(PROBES))
def test_fit_dispatches_probes_and_they_learn(name):
    train, valid, test = make_set(45, seed=0), make_set(21, seed=1, prefix="v"), make_set(30, seed=2, prefix="t")
    result = fit(train, valid, CLASSES, name, {}, None, seed=0)
    assert result.history == [] and result.summary["train_ua"] > 0.6
    assert (predict(result.model, test).labels == test.labels).mean() > 0.6  # chance 1/3
    assert np.isnan(predict(result.model, test).valence).all()
    with pytest.raises(ValueError, match="takes no options"):
        fit(train, valid, CLASSES, name, {"C": 1.0}, None, seed=0)


def test_without_validation_C_comes_from_cross_validation_on_training():
    train = make_set(45, seed=0)
    model, info = fit_probe(train, None, CLASSES, "probe-stats")
    assert len(info["c_scores"]) == len(probes.C_GRID)


def test_representable_probes():
    assert representable_probes("gap") == ["probe-gap"]
    assert representable_probes("sr") == ["probe-gap", "probe-sap-noattn"]
    assert representable_probes("asp") == ["probe-stats"]
    assert representable_probes("cnn") == [] and representable_probes("probe-gap") == []
