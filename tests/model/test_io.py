import json

import numpy as np

from bench.model import load_model, save_model
from bench.train import fit, predict
from model_data import CLASSES, quick_config


def test_save_load_round_trip_gives_identical_predictions(tiny_data, tmp_path):
    train, valid, test = tiny_data
    model = fit(train, valid, CLASSES, "sr", {"heads": 2}, quick_config(epochs=1), seed=0).model
    save_model(
        model,
        tmp_path / "m",
        backbone="fbank",
        layers=[0, 1],
        vad="energy",
        vad_options={"threshold": 0.5},
        preprocessing={"sample_rate": 16000, "max_duration": 19.0},
    )
    saved = json.loads((tmp_path / "m" / "config.json").read_text())
    assert saved["kind"] == "neural" and saved["config"]["classes"] == CLASSES
    assert saved["config"]["backbone"] == "fbank" and saved["config"]["preprocessing"]["max_duration"] == 19.0
    again = load_model(tmp_path / "m")
    a, b = predict(model, test), predict(again, test)
    np.testing.assert_array_equal(a.probs, b.probs)
    np.testing.assert_array_equal(a.arousal, b.arousal)
    assert again.config.valence_stats == model.config.valence_stats
