"""Training and inference for emotion models (see docs/training.md).

fit(train, valid, classes, pooler, pooler_params, config, seed, on_epoch=None) -> FitResult
predict(model, data) -> Predictions(probs [N, C], valence [N], arousal [N])
TrainConfig                        the paper's recipe as defaults (to_dict / from_dict)
UtteranceSet(ids, labels, valence, arousal, store)
MODEL_NAMES                        non-pooler model names fit accepts as ``pooler`` ("svm")
"""

from bench.model.svm import MODEL_NAMES
from bench.train.config import DEFAULT_LR, TrainConfig
from bench.train.data import UtteranceSet, WaveStore
from bench.train.fit import FitResult, fit
from bench.train.predict import Predictions, predict

__all__ = [
    "DEFAULT_LR",
    "MODEL_NAMES",
    "FitResult",
    "Predictions",
    "TrainConfig",
    "UtteranceSet",
    "WaveStore",
    "fit",
    "predict",
]
