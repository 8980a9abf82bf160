"""The baseline of the XLSR/ShEMO paper (Soltani Tehrani et al. 2023): an RBF SVM on GAP
features (the mean over all valid frames of one layer, or of the mean over layers).

    model = fit_svm(train, classes, C=1.0, gamma="scale", layer=None)
    model.predict(data) -> Predictions(probs [N, C], valence NaN [N], arousal NaN [N])

Probabilities: a softmax over the one-vs-rest decision function (``decision_function_shape=
"ovr"``), not ``probability=True``: the latter fits a 5-fold Platt calibration (five extra SVM
fits, its own randomness) and its argmax can disagree with ``predict``; the softmax is cheap,
deterministic, and ranks classes as the SVM does. They are scores, not calibrated probabilities.
The SVM predicts no valence/arousal (NaN).

The runner treats it like a pooler: ``bench.train.fit(..., pooler="svm", pooler_params={"C": 10,
"layer": 12})`` returns a ``FitResult`` with this model (empty history), and
``bench.train.predict`` accepts it. ``MODEL_NAMES`` lists such non-pooler model names.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from bench.config_dicts import check_known_keys
from bench.model.svm_arrays import ovr_decision, svm_arrays

SVM_NAME = "svm"
MODEL_NAMES = (SVM_NAME,)


@dataclass
class SVMConfig:
    """Options of the SVM baseline (also its ``pooler_params`` in a grid)."""

    classes: list[str] = field(default_factory=list)
    C: float = 1.0
    gamma: float | str = "scale"  # sklearn: "scale" = 1 / (D * Var(X)) on standardised X
    layer: int | None = None  # index into the cached stack; None: mean over layers
    class_weight: str | None = "balanced"  # (ours) as the weighted CE of the neural models
    provenance: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "SVMConfig":
        check_known_keys(cls, d, "SVM options", hidden=frozenset({"classes", "provenance"}))
        return cls(**d)


def gap_features(store, ids: list[str], layer: int | None = None) -> np.ndarray:
    """Mean over frames of one layer (or of the layer mean): -> [N, D] float64."""
    rows = []
    for utt_id in ids:
        feats = store.load(utt_id)[0]  # [L, T, D]
        x = np.asarray(feats[layer] if layer is not None else feats, dtype=np.float64)
        x = x if layer is not None else x.mean(axis=0)  # [T, D]
        rows.append(x.mean(axis=0) if len(x) else np.zeros(x.shape[-1]))
    return np.stack(rows)


class SVMModel:
    """A fitted standardiser + SVC as plain arrays (``bench.model.svm_arrays``) and its ``SVMConfig``."""

    def __init__(self, config: SVMConfig, arrays: dict[str, np.ndarray]):
        self.config, self.arrays = config, arrays

    def scores(self, x: np.ndarray) -> np.ndarray:
        """[N, D] -> [N, C] one-vs-rest decision scores; -inf for classes unseen in training."""
        d = ovr_decision(self.arrays, x)
        seen = self.arrays["classes"]
        d = np.stack([-d, d], axis=1) if d.ndim == 1 else d  # binary SVC gives one column
        out = np.full((len(x), len(self.config.classes)), -np.inf)
        out[:, seen] = d
        return out

    def predict(self, data):
        from bench.train.predict import Predictions

        s = self.scores(gap_features(data.store, data.ids, self.config.layer))
        e = np.exp(s - s.max(axis=1, keepdims=True))
        n = len(data)
        return Predictions(e / e.sum(axis=1, keepdims=True), np.full(n, np.nan), np.full(n, np.nan))


def fit_svm(
    train,
    classes: list[str],
    C: float = 1.0,
    gamma: float | str = "scale",
    layer: int | None = None,
    class_weight: str | None = "balanced",
    seed: int = 0,
) -> SVMModel:
    """Fit the baseline on ``train`` (an ``UtteranceSet``); ``seed`` only matters for ties in libsvm."""
    config = SVMConfig(list(classes), float(C), gamma, layer, class_weight)
    from bench.train.provenance import store_provenance

    config.provenance = store_provenance(train.store)
    pipeline = make_pipeline(
        StandardScaler(),
        SVC(
            C=config.C,
            gamma=gamma,
            kernel="rbf",
            class_weight=class_weight,
            decision_function_shape="ovr",
            random_state=seed,
        ),
    )
    pipeline.fit(gap_features(train.store, train.ids, layer), train.labels)
    return SVMModel(config, svm_arrays(pipeline))


def fit_svm_job(train, classes, params: dict, seed: int):
    """``fit``'s entry for ``pooler="svm"``: -> (model, history [], best_epoch 0)."""
    allowed = {"C", "gamma", "layer", "class_weight"}
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ValueError(f"the svm model got unknown option(s) {unknown}; it accepts {sorted(allowed)}")
    return fit_svm(train, classes, seed=seed, **params), [], 0
