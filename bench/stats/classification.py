"""Classification metrics of SER: UA, WA, macro F1, per-class recall, confusion matrix.

All functions take ``y_true`` and ``y_pred``: 1-D arrays ``[N]`` of labels of any hashable,
sortable type (strings such as ``"angry"`` or integers). They agree with scikit-learn
(``balanced_accuracy_score``, ``accuracy_score``, ``f1_score(average="macro")``,
``recall_score(average=None)``, ``confusion_matrix``), which the tests check.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def _validate(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    """Two 1-D arrays of equal, non-zero length, or a ValueError saying what was found."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim != 1 or y_pred.ndim != 1:
        raise ValueError(f"y_true and y_pred must be 1-D; got shapes {y_true.shape} and {y_pred.shape}")
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true and y_pred differ in length: {len(y_true)} vs {len(y_pred)}")
    if len(y_true) == 0:
        raise ValueError("y_true and y_pred are empty; a metric needs at least one utterance")
    return y_true, y_pred


def _resolve_labels(y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence | None) -> np.ndarray:
    """The label order: ``labels`` as given, else the sorted union of both arrays."""
    if labels is None:
        return np.unique(np.concatenate([y_true, y_pred]))
    labels = np.asarray(labels)
    if len(np.unique(labels)) != len(labels):
        raise ValueError(f"labels must be unique; got {list(labels)}")
    return labels


def _counts(y_true: np.ndarray, y_pred: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Integer confusion counts ``[C, C]``: row = true label, column = predicted label.

    Utterances whose true or predicted label is not in ``labels`` are left out (as sklearn does).
    """
    index = {label: i for i, label in enumerate(labels.tolist())}
    rows = np.array([index.get(v, -1) for v in y_true.tolist()])
    cols = np.array([index.get(v, -1) for v in y_pred.tolist()])
    keep = (rows >= 0) & (cols >= 0)
    counts = np.zeros((len(labels), len(labels)), dtype=np.int64)
    np.add.at(counts, (rows[keep], cols[keep]), 1)
    return counts


def confusion_matrix(y_true, y_pred, labels: Sequence | None = None, normalize: str | None = None) -> np.ndarray:
    """Confusion matrix ``[C, C]``, rows = true labels, columns = predictions, in ``labels`` order.

    ``labels``: the order of rows and columns (default: sorted union of y_true and y_pred).
    ``normalize``: None (counts, int64) or ``"true"`` (each row divided by its sum, so a row is the
    recall distribution of one true class, as in the SAP paper's Figure 2; a class with no
    utterance in y_true gives a row of NaN).
    """
    y_true, y_pred = _validate(y_true, y_pred)
    counts = _counts(y_true, y_pred, _resolve_labels(y_true, y_pred, labels))
    if normalize is None:
        return counts
    if normalize != "true":
        raise ValueError(f"normalize must be None or 'true' (row-normalised); got {normalize!r}")
    with np.errstate(invalid="ignore", divide="ignore"):
        return counts / counts.sum(axis=1, keepdims=True)


def per_class_recall(y_true, y_pred, labels: Sequence | None = None) -> dict:
    """Recall of each class: ``{label: correct / utterances of that label}``.

    The denominator counts every utterance of the label, whatever was predicted (also a label
    outside ``labels``). A label with no utterance in y_true has recall NaN (undefined, not 0).
    """
    y_true, y_pred = _validate(y_true, y_pred)
    labels = _resolve_labels(y_true, y_pred, labels)
    recall = {}
    for label in labels.tolist():
        is_label = y_true == label
        support = int(is_label.sum())
        recall[label] = float(np.sum(is_label & (y_pred == label)) / support) if support else float("nan")
    return recall


def unweighted_accuracy(y_true, y_pred) -> float:
    """UA: the mean of per-class recalls over the classes PRESENT in y_true (balanced accuracy).

    A class that occurs only in y_pred has no recall and is not averaged; predicting it still
    lowers the recall of the true class of those utterances. This is exactly
    ``sklearn.metrics.balanced_accuracy_score`` (which warns in that case; we do not).
    """
    y_true, y_pred = _validate(y_true, y_pred)
    present = np.unique(y_true)
    recalls = per_class_recall(y_true, y_pred, labels=present)
    return float(np.mean(list(recalls.values())))


def weighted_accuracy(y_true, y_pred) -> float:
    """WA: overall accuracy, the fraction of utterances whose prediction equals the truth."""
    y_true, y_pred = _validate(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def macro_f1(y_true, y_pred, labels: Sequence | None = None) -> float:
    """Unweighted mean over ``labels`` of per-class F1 = 2 TP / (2 TP + FP + FN).

    ``labels`` defaults to the sorted union of y_true and y_pred (sklearn's default). A label
    with TP + FP + FN = 0 (absent from both arrays) scores 0, as sklearn's ``zero_division=0``.
    """
    y_true, y_pred = _validate(y_true, y_pred)
    counts = _counts(y_true, y_pred, _resolve_labels(y_true, y_pred, labels))
    tp = np.diag(counts).astype(float)
    denom = counts.sum(axis=0) + counts.sum(axis=1)  # (TP + FP) + (TP + FN)
    f1 = np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)
    return float(f1.mean())
