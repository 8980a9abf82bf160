"""Classification metrics against scikit-learn on random string labels (fixed seed)."""

import numpy as np
import pytest
from sklearn import metrics as skm

from bench.stats import confusion_matrix, macro_f1, per_class_recall, unweighted_accuracy, weighted_accuracy

CLASSES = np.array(["angry", "happy", "neutral", "sad"])


def random_labels(seed, n=200, true_classes=CLASSES, pred_classes=CLASSES):
    rng = np.random.default_rng(seed)
    return rng.choice(true_classes, n), rng.choice(pred_classes, n)


@pytest.mark.parametrize("seed", range(5))
def test_against_sklearn(seed):
    y_true, y_pred = random_labels(seed)
    assert unweighted_accuracy(y_true, y_pred) == pytest.approx(skm.balanced_accuracy_score(y_true, y_pred), abs=1e-12)
    assert weighted_accuracy(y_true, y_pred) == pytest.approx(skm.accuracy_score(y_true, y_pred), abs=1e-12)
    assert macro_f1(y_true, y_pred) == pytest.approx(skm.f1_score(y_true, y_pred, average="macro"), abs=1e-12)
    recall = per_class_recall(y_true, y_pred, labels=CLASSES)
    np.testing.assert_allclose(list(recall.values()), skm.recall_score(y_true, y_pred, labels=CLASSES, average=None))
    labels = ["sad", "angry", "neutral", "happy"]  # explicit, unsorted order
    np.testing.assert_array_equal(
        confusion_matrix(y_true, y_pred, labels=labels), skm.confusion_matrix(y_true, y_pred, labels=labels)
    )
    np.testing.assert_allclose(
        confusion_matrix(y_true, y_pred, labels=labels, normalize="true"),
        skm.confusion_matrix(y_true, y_pred, labels=labels, normalize="true"),
    )


def test_class_absent_from_y_true_is_not_averaged_like_sklearn():
    # "sad" is predicted but never true: UA averages over angry, happy, neutral only
    y_true, y_pred = random_labels(7, true_classes=CLASSES[:3])
    with pytest.warns(UserWarning):
        expected = skm.balanced_accuracy_score(y_true, y_pred)
    assert unweighted_accuracy(y_true, y_pred) == pytest.approx(expected, abs=1e-12)
    assert np.isnan(per_class_recall(y_true, y_pred)["sad"])
    assert macro_f1(y_true, y_pred) == pytest.approx(skm.f1_score(y_true, y_pred, average="macro", zero_division=0))


def test_macro_f1_with_label_absent_everywhere_matches_sklearn_zero_division():
    y_true, y_pred = random_labels(3, pred_classes=CLASSES[:3])
    labels = [*CLASSES, "fear"]
    assert macro_f1(y_true, y_pred, labels=labels) == pytest.approx(
        skm.f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0), abs=1e-12
    )


def test_integer_labels_and_errors():
    assert unweighted_accuracy([0, 0, 1, 1], [0, 1, 1, 1]) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="differ in length"):
        weighted_accuracy([0, 1], [0])
    with pytest.raises(ValueError, match="empty"):
        unweighted_accuracy([], [])
    with pytest.raises(ValueError, match="normalize"):
        confusion_matrix([0], [0], normalize="all")
