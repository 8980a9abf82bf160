"""Per-layer fold scores from the feature cache, without re-reading a frame per layer.

"Pooler" in a profile is a parameter-free pooler (``gap``, ``sap-noattn``, ``stats``; see
``bench.train.probes``) applied to ONE hidden state: the frames of layer i, standardised with the
fold's training frames, pooled, then the convex probe (StandardScaler + LogisticRegression, C on
the validation speakers). The per-utterance sufficient statistics of every layer are computed once
per feature store (``bench.train.utterance_stats``); each fold and layer then only slices them, so a
profile costs one pass over the cache plus L + 1 small logistic regressions per fold and pooler.

Besides the layers, two mixes of all layers, each its own point:
- ``mean``: the same probe on the equal-weight average of the standardised layers (what a head
  starts from);
- ``learned``: a trained head with that pooler and learned softmax layer weights
  (``bench.train.fit``, the run's training recipe), optional because it trains.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MEAN, LEARNED = "mean", "learned"  # layer labels of the two mixes
SCORE_COLUMNS = ["backbone", "pooler", "layer", "fold", "ua", "C"]


def _ua(true: np.ndarray, probs: np.ndarray) -> float:
    from bench.stats import unweighted_accuracy

    return float(unweighted_accuracy(true, probs.argmax(axis=1)))


def _probe_scores(sums, roles: dict, labels: np.ndarray, kind: str, layer, n_classes: int, seed: int) -> tuple:
    """(test UA, C) of the probe of ``kind`` on ``layer`` (None: mean of all layers).
    ``sums``: UtteranceSums of every utterance; ``roles``: role -> row indices into it."""
    from bench.train.probes import fit_vectors, vectors_from_sums
    from bench.train.utterance_stats import UtteranceSums, standardisation

    def rows(index):
        s = sums.layer(layer)
        return UtteranceSums(s.count[index], s.speech[index], s.total[index], s.speech_total[index], s.m2[index])

    train = rows(roles["train"])
    mean, std = standardisation(train)
    x = vectors_from_sums(train, kind, mean, std)
    valid = roles["valid"]
    valid_x = vectors_from_sums(rows(valid), kind, mean, std) if len(valid) else None
    pipeline, C, _ = fit_vectors(x, labels[roles["train"]], valid_x, labels[valid] if len(valid) else None, seed)
    test_x = vectors_from_sums(rows(roles["test"]), kind, mean, std)
    probs = np.zeros((len(test_x), n_classes))
    probs[:, pipeline[-1].classes_] = pipeline.predict_proba(test_x)
    return _ua(labels[roles["test"]], probs), C


def _learned_score(sets: dict, classes: list[str], kind: str, train_config: dict, seed: int) -> float:
    """Test UA of a head with pooler ``kind`` and learned layer weights."""
    from bench.train import TrainConfig, fit, predict

    config = TrainConfig.from_dict({**train_config, "layer": None})
    result = fit(sets["train"], sets["valid"], classes, kind, {}, config, seed=seed)
    return _ua(sets["test"].labels, predict(result.model, sets["test"]).probs)


def layer_scores(
    manifest: pd.DataFrame,
    plan: pd.DataFrame,
    classes: list[str],
    store,
    backbone: str,
    kinds,
    folds,
    train_config: dict | None = None,
    seed: int = 0,
    echo=lambda _: None,
) -> pd.DataFrame:
    """One row per (pooler, layer, fold): columns ``SCORE_COLUMNS``; layer is an int, ``mean`` or
    ``learned`` (only when ``train_config`` is given). ``store``: one backbone's feature store."""
    from bench.folds import split_ids
    from bench.runner.jobs import utterance_set
    from bench.train.utterance_stats import utterance_sums

    table = manifest.set_index("id", drop=False)
    ids = [i for i in table["id"] if i not in store.skipped]
    sums = utterance_sums(store, ids)  # every layer of every utterance, once
    position = {u: k for k, u in enumerate(ids)}
    labels = table.loc[ids, "label"].map({c: k for k, c in enumerate(classes)}).to_numpy(dtype=np.int64)
    n_layers = sums.total.shape[1]
    rows = []
    for fold in folds:
        split = split_ids(plan, fold)
        roles = {r: np.array([position[u] for u in split[r] if u in position], dtype=int) for r in split}
        sets = None
        for kind in kinds:
            for layer in [*range(n_layers), None]:
                ua, C = _probe_scores(sums, roles, labels, kind, layer, len(classes), seed)
                rows.append([backbone, kind, MEAN if layer is None else layer, fold, ua, C])
            if train_config is not None:
                sets = sets or {r: utterance_set(table, split[r], classes, store) if split[r] else None for r in split}
                rows.append(
                    [backbone, kind, LEARNED, fold, _learned_score(sets, classes, kind, train_config, seed), np.nan]
                )
        echo(f"  {backbone}: fold {fold} done ({n_layers} layers x {len(kinds)} pooler(s))")
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)
