import json

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

import backbones
import bench.vad
from bench.commands.predict import command
from bench.model import save_model
from bench.train import fit
from bench.train.data import DictStore, UtteranceSet
from model_data import CLASSES, quick_config


def _trained_model(tmp_path):
    rng = np.random.default_rng(0)
    backbone, vad = backbones.create("tiny-wavlm"), bench.vad.create("energy")
    items = {}
    for i in range(9):
        wave = (rng.normal(size=6000) * 0.1 * (1 + i % 3)).astype(np.float32)
        items[f"u{i}"] = (backbone.extract([wave])[0].astype(np.float16), vad.speech_mask(wave, 16000))
    data = UtteranceSet(list(items), np.arange(9) % 3, 1.0 + np.arange(9) % 3, None, DictStore(items))
    with pytest.warns(UserWarning, match="no arousal"):
        model = fit(data, None, CLASSES, "sap-noattn", {}, quick_config(epochs=1), seed=0).model
    return save_model(model, tmp_path / "model", backbone="tiny-wavlm", layers=None, vad="energy")


def test_predict_command_prints_probabilities_and_skips_bad_files(tmp_path):
    model_dir = _trained_model(tmp_path)
    good = tmp_path / "good.wav"
    sf.write(good, (np.random.default_rng(1).normal(size=16000) * 0.1).astype(np.float32), 16000)
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio")
    result = CliRunner().invoke(command, ["--model", str(model_dir), "--json", str(good), str(bad)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows[0]["file"] == str(good) and set(rows[0]["probabilities"]) == set(CLASSES)
    assert abs(sum(rows[0]["probabilities"].values()) - 1) < 1e-6
    assert rows[0]["valence"] is not None and rows[0]["arousal"] is None  # no arousal in training
    assert "error" in rows[1]
    text = CliRunner().invoke(command, ["--model", str(model_dir), str(good)])
    assert text.exit_code == 0 and "valence" in text.stdout
