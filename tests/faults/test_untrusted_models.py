"""A model folder received from someone else cannot run code: a pickle anywhere in it is refused
before anything is read, and broken files give one clear error."""

import json
import os
import pickle

import pytest

from bench.cli import main
from bench.errors import BenchError
from bench.model import load_model, save_model
from bench.model.svm import fit_svm
from model_data import CLASSES, make_set


class WritesAFile:
    """Unpickling this creates ``path``: proof that code ran."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (os.makedirs, (self.path,))


@pytest.fixture
def svm_folder(tmp_path):
    return save_model(fit_svm(make_set(30, seed=0), CLASSES), tmp_path / "svm")


@pytest.mark.parametrize("name", ["svm.pkl", "model.pt", "extra.joblib", "weights.dat"])
def test_a_malicious_pickle_is_refused_and_never_runs(svm_folder, tmp_path, name):
    marker = tmp_path / "pwned"
    (svm_folder / name).write_bytes(pickle.dumps(WritesAFile(marker)))
    with pytest.raises(BenchError, match=rf"holds pickle-format file\(s\) \['{name}'\].*refuses"):
        load_model(svm_folder)
    assert not marker.exists()


def test_an_old_pickled_svm_folder_is_refused_by_bench_predict(tmp_path, capsys):
    folder, marker = tmp_path / "old", tmp_path / "pwned"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"format": 1, "kind": "svm", "config": {"classes": CLASSES}}))
    (folder / "svm.pkl").write_bytes(pickle.dumps(WritesAFile(marker)))
    (tmp_path / "a.wav").write_bytes(b"")
    with pytest.raises(SystemExit) as exit_info:
        main(["predict", "--model", str(folder), str(tmp_path / "a.wav")])
    assert exit_info.value.code == 2 and "refuses the folder" in capsys.readouterr().err
    assert not marker.exists()


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda d: (d / "config.json").write_text("{not json"), "is not valid JSON"),
        (lambda d: (d / "config.json").write_text(json.dumps({"format": 1, "kind": "exe"})), "model kind 'exe'"),
        (
            lambda d: (d / "svm.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{junk"),
            "not a readable safetensors",
        ),
        (lambda d: (d / "svm.safetensors").unlink(), "model file missing"),
    ],
)
def test_broken_model_files_give_one_clear_error(svm_folder, damage, message):
    damage(svm_folder)
    with pytest.raises(BenchError, match=message):
        load_model(svm_folder)
