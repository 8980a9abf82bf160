"""A fitted StandardScaler + RBF SVC as plain arrays, and its decision function from them.

The SVM baseline is saved as these arrays (safetensors) so that no pickle is ever read back.

    arrays = svm_arrays(pipeline)        {name: ndarray}, see ARRAY_NAMES
    scores = ovr_decision(arrays, x)     [N, D] -> [N, K] one-vs-rest scores ([N] when K == 2)

``ovr_decision`` reproduces ``pipeline.decision_function`` with ``decision_function_shape="ovr"``:
libsvm's one-vs-one decision values per class pair, then scikit-learn's vote-plus-confidence
transform (``sklearn.utils.multiclass._ovr_decision_function``).
"""

from __future__ import annotations

import numpy as np

from bench.errors import BenchError

ARRAY_NAMES = (
    "scaler_mean",
    "scaler_scale",
    "support_vectors",
    "dual_coef",
    "intercept",
    "n_support",
    "classes",
    "gamma",
)


def svm_arrays(pipeline) -> dict[str, np.ndarray]:
    """The arrays of a fitted ``make_pipeline(StandardScaler(), SVC(kernel="rbf"))``."""
    scaler, svc = pipeline[0], pipeline[-1]
    return {
        "scaler_mean": np.asarray(scaler.mean_, dtype=np.float64),
        "scaler_scale": np.asarray(scaler.scale_, dtype=np.float64),
        "support_vectors": np.asarray(svc.support_vectors_, dtype=np.float64),
        "dual_coef": np.asarray(svc.dual_coef_, dtype=np.float64),
        "intercept": np.asarray(svc.intercept_, dtype=np.float64),
        "n_support": np.asarray(svc.n_support_, dtype=np.int64),
        "classes": np.asarray(svc.classes_, dtype=np.int64),
        "gamma": np.asarray([svc._gamma], dtype=np.float64),
    }


def check_svm_arrays(arrays: dict[str, np.ndarray], source: str) -> None:
    """Raise a BenchError unless ``arrays`` have the names and mutually consistent shapes we need."""
    missing = [n for n in ARRAY_NAMES if n not in arrays]
    if missing:
        raise BenchError(f"{source} lacks the SVM arrays {missing}; expected {list(ARRAY_NAMES)}")
    sv, coef, n_support, k = arrays["support_vectors"], arrays["dual_coef"], arrays["n_support"], len(arrays["classes"])
    consistent = (
        sv.ndim == 2
        and arrays["scaler_mean"].shape == arrays["scaler_scale"].shape == (sv.shape[1],)
        and k >= 2
        and n_support.shape == (k,)
        and int(n_support.sum()) == sv.shape[0]
        and (n_support >= 0).all()
        and coef.shape == (k - 1, sv.shape[0])
        and arrays["intercept"].shape == (k * (k - 1) // 2,)
        and arrays["gamma"].shape == (1,)
    )
    if not consistent:
        shapes = {n: tuple(arrays[n].shape) for n in ARRAY_NAMES}
        raise BenchError(f"{source} holds SVM arrays of inconsistent shapes {shapes}; save the model again")


def _rbf_kernel(x: np.ndarray, sv: np.ndarray, gamma: float) -> np.ndarray:
    """[N, D], [S, D] -> [N, S] exp(-gamma |x - sv|^2)."""
    sq = (x * x).sum(1)[:, None] + (sv * sv).sum(1)[None, :] - 2.0 * x @ sv.T
    return np.exp(-gamma * np.maximum(sq, 0.0))


def _ovo_decision(arrays: dict[str, np.ndarray], kernel: np.ndarray) -> np.ndarray:
    """[N, S] kernel -> [N, K(K-1)/2] libsvm decision values, pair (i, j) positive for class i."""
    coef, n_support = arrays["dual_coef"], arrays["n_support"]
    starts = np.concatenate([[0], np.cumsum(n_support)])
    k = len(n_support)
    columns = []
    for p, (i, j) in enumerate((i, j) for i in range(k) for j in range(i + 1, k)):
        sv_i, sv_j = slice(starts[i], starts[i + 1]), slice(starts[j], starts[j + 1])
        # libsvm layout: SVs of class i carry their (i, j) coefficient in row j-1, SVs of class j in row i
        columns.append(kernel[:, sv_i] @ coef[j - 1, sv_i] + kernel[:, sv_j] @ coef[i, sv_j] + arrays["intercept"][p])
    return np.stack(columns, axis=1)


def _ovr_from_ovo(ovo: np.ndarray, k: int) -> np.ndarray:
    """scikit-learn's transform: votes plus confidences squashed into (-1/3, 1/3)."""
    votes, confidence = np.zeros((len(ovo), k)), np.zeros((len(ovo), k))
    for p, (i, j) in enumerate((i, j) for i in range(k) for j in range(i + 1, k)):
        confidence[:, i] += ovo[:, p]
        confidence[:, j] -= ovo[:, p]
        votes[:, i] += ovo[:, p] >= 0
        votes[:, j] += ovo[:, p] < 0
    return votes + confidence / (3 * (np.abs(confidence) + 1))


def ovr_decision(arrays: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """[N, D] raw features -> the SVC's ``decision_function``: [N, K], or [N] for two classes
    (positive for the second class, as scikit-learn)."""
    z = (np.asarray(x, dtype=np.float64) - arrays["scaler_mean"]) / arrays["scaler_scale"]
    kernel = _rbf_kernel(z, arrays["support_vectors"], float(arrays["gamma"][0]))
    k = len(arrays["classes"])
    if k == 2:  # scikit-learn flips the sign of the stored binary coefficients: positive = classes[1]
        return kernel @ arrays["dual_coef"][0] + arrays["intercept"][0]
    return _ovr_from_ovo(_ovo_decision(arrays, kernel), k)
