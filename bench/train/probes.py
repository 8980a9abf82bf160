"""Convex reference probes: which parameter-free representations a run is checked against.

A probe is logistic regression on the pooled vectors of a pooler with no trained parameters
(``gap``: mean of all frames, ``sap-noattn``: mean of the speech frames, ``stats``: mean and
std of all frames). Its problem is convex, so it reaches its optimum whatever the step budget;
a trained head that falls clearly below the probe on a representation it can express has not
converged (see docs/training.md). Probe jobs appear in a run as pooler ``probe-<pooler>``.

    PROBES                       probe name -> the parameter-free pooler it reads
    is_probe(name)               whether a model name is a probe
    representable_probes(name)   probes whose vectors pooler ``name`` can reproduce exactly
"""

from __future__ import annotations

PROBE_PREFIX = "probe-"
PROBES = {f"{PROBE_PREFIX}{p}": p for p in ("gap", "sap-noattn", "stats")}

# Which parameter-free vectors each trained pooler contains or reproduces with some setting of
# its own parameters, so that a converged head is at least as good as the probe on them:
#   sap with zero query/key weights attends uniformly over speech frames -> a linear map of the
#   speech-frame mean (sap-noattn); sr = [gap; sap] holds both; asp with zero attention logits is
#   the mean and std over frames (stats).
_REPRESENTABLE = {
    "gap": ("gap",),
    "sap-noattn": ("sap-noattn",),
    "sap": ("sap-noattn",),
    "sr": ("gap", "sap-noattn"),
    "stats": ("stats",),
    "asp": ("stats",),
}


def is_probe(name: str) -> bool:
    return name in PROBES


def representable_probes(pooler: str) -> list[str]:
    """The probe names a head with pooler ``pooler`` should match or beat; [] when none applies
    (a probe itself, the SVM baseline, a pooler with no parameter-free special case)."""
    return [f"{PROBE_PREFIX}{p}" for p in _REPRESENTABLE.get(pooler, ())]


# ----------------------------------------------------------------------------------------------
# Fitting. The probe reads the same representation a head with that pooler starts from: each
# layer's pooled vector, standardised per layer and dimension with the training frames'
# statistics, averaged over layers with equal weights (the head's initial layer mixing), or the
# fixed ``layer``. Then scikit-learn: StandardScaler (training utterances) and multinomial
# LogisticRegression with balanced class weights (as the head's weighted cross-entropy); C from
# ``C_GRID`` by validation UA; one validation speaker often leaves several values of C at the
# same UA, and then the weakest regularisation (largest C) among them is kept: the probe is a
# reference for what a linear map reaches on these vectors, and the heads it checks are barely
# regularised (weight decay 0.01, dropout 0.1).

C_GRID = (1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0)


def probe_vectors(store, ids: list[str], kind: str, mean, std, layer: int | None = None):
    """[N, P] float64: per-layer pooled vectors of ``kind``, standardised with (mean, std) [L, D]
    (the training frames' statistics), averaged over layers."""
    from bench.train.utterance_stats import utterance_sums

    return vectors_from_sums(utterance_sums(store, ids).layer(layer), kind, mean, std)


def vectors_from_sums(sums, kind: str, mean, std):
    """``probe_vectors`` from already stacked ``UtteranceSums`` (any layer selection) -> [N, P]."""
    import numpy as np

    from bench.train.utterance_stats import pooled

    per_layer = pooled(sums, kind)  # [N, L, P]
    if kind == "stats":  # [mean; std] of x -> [(mean - m) / s; std / s]
        d = mean.shape[-1]
        per_layer = np.concatenate([(per_layer[..., :d] - mean) / std, per_layer[..., d:] / std], axis=-1)
    else:
        per_layer = (per_layer - mean) / std
    return per_layer.mean(axis=1)


class ProbeModel:
    """A fitted probe: its representation and the scikit-learn pipeline on it."""

    def __init__(self, name: str, classes: list[str], mean, std, layer, pipeline, C: float):
        self.name, self.classes, self.mean, self.std, self.layer = name, list(classes), mean, std, layer
        self.pipeline, self.C = pipeline, C

    def vectors(self, data):
        return probe_vectors(data.store, data.ids, PROBES[self.name], self.mean, self.std, self.layer)

    def probabilities(self, x):
        """[N, P] -> [N, C] over all classes (0 for a class unseen in training)."""
        import numpy as np

        out = np.zeros((len(x), len(self.classes)))
        out[:, self.pipeline[-1].classes_] = self.pipeline.predict_proba(x)
        return out

    def predict(self, data):
        import numpy as np

        from bench.train.predict import Predictions

        n = len(data)
        return Predictions(self.probabilities(self.vectors(data)), np.full(n, np.nan), np.full(n, np.nan))


def _pipeline(C: float, seed: int):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(
        StandardScaler(), LogisticRegression(C=C, class_weight="balanced", max_iter=5000, random_state=seed)
    )


def _balanced_accuracy(true, pred) -> float:
    from bench.stats.classification import unweighted_accuracy

    return float(unweighted_accuracy(true, pred))


def _choose_C(x, y, valid_x, valid_y, seed: int) -> tuple[float, list[dict]]:
    """C with the best validation UA, the largest such C on ties (on the validation speakers;
    without any, 5-fold stratified cross-validation over the training utterances)
    -> (C, [{C, valid_ua}])."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    scores = []
    for C in C_GRID:
        if valid_x is not None:
            ua = _balanced_accuracy(valid_y, _pipeline(C, seed).fit(x, y).predict(valid_x))
        else:
            present = np.bincount(y)
            folds = min(5, int(present[present > 0].min()))
            if folds < 2:
                return 1.0, []
            splits = StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y)
            ua = np.mean(
                [_balanced_accuracy(y[v], _pipeline(C, seed).fit(x[t], y[t]).predict(x[v])) for t, v in splits]
            )
        scores.append({"C": C, "valid_ua": float(ua)})
    best = max(scores, key=lambda s: (s["valid_ua"], s["C"]))
    return best["C"], scores


def fit_vectors(x, y, valid_x, valid_y, seed: int = 0):
    """The probe's pipeline on ready vectors x [N, P], y [N] (C chosen on valid_x/valid_y, or by
    cross-validation when valid_x is None) -> (fitted pipeline, C, [{C, valid_ua}])."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    # One BLAS thread: these problems are small, and BLAS threads next to torch's only contend.
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        C, scores = _choose_C(x, y, valid_x, valid_y, seed)
        pipeline = _pipeline(C, seed).fit(x, y)
    return pipeline, C, scores


def fit_probe(train, valid, classes: list[str], name: str, layer: int | None = None, seed: int = 0):
    """Fit probe ``name`` on ``train`` (an ``UtteranceSet``), C chosen on ``valid`` (or by
    cross-validation when it is None or empty) -> (ProbeModel, {C, train_ua, validation scores}).

    Only ``train``'s labels fit the model and the standardisation; ``valid``'s labels only rank
    the values of C; no test data is read."""
    from bench.train.utterance_stats import standardisation, utterance_sums

    if name not in PROBES:
        raise ValueError(f"unknown probe {name!r}; probes: {', '.join(PROBES)}")
    if len(train) == 0:
        raise ValueError("the training set is empty")
    mean, std = standardisation(utterance_sums(train.store, train.ids).layer(layer))
    kind = PROBES[name]
    x = probe_vectors(train.store, train.ids, kind, mean, std, layer)
    has_valid = valid is not None and len(valid) > 0
    valid_x = probe_vectors(valid.store, valid.ids, kind, mean, std, layer) if has_valid else None
    # One BLAS thread: these problems are small, and BLAS threads next to torch's only contend.
    pipeline, C, scores = fit_vectors(x, train.labels, valid_x, valid.labels if has_valid else None, seed)
    model = ProbeModel(name, classes, mean, std, layer, pipeline, C)
    train_ua = _balanced_accuracy(train.labels, model.probabilities(x).argmax(axis=1))
    return model, {"C": C, "train_ua": train_ua, "c_scores": scores}


def fit_probe_job(train, valid, classes, name: str, params: dict, layer: int | None, seed: int):
    """``fit``'s entry for a probe name: -> (model, history [], best_epoch 0, summary)."""
    if params:
        raise ValueError(
            f"probe {name!r} takes no options (its C is chosen on the validation speakers), got {sorted(params)}"
        )
    model, info = fit_probe(train, valid, classes, name, layer, seed)
    summary = {
        "train_ua": info["train_ua"],
        "train_loss": None,
        "max_epochs": 0,
        "steps": 0,
        "still_improving": False,
        "probe_C": info["C"],
    }
    return model, [], 0, summary
