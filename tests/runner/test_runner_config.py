import pytest
import yaml

from bench.errors import BenchError
from bench.runner.config import check_resumable, resolve


def test_layers_of_configuration(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"protocol": "loso-session", "train": {"epochs": 7}}))
    config = resolve({"dataset": "demo", "protocol": None}, str(path), ["epochs=3", "pooler.heads=2", "vad.aggressiveness=1"],
                     ["poolers=gap,sr"], None)
    assert config["protocol"] == "loso-session"  # from the file, not overridden by an unset option
    assert config["train"] == {"epochs": 3}  # --set wins over the file
    assert config["pooler_params"] == {"heads": 2} and config["vad_options"] == {"aggressiveness": 1}
    assert config["grid"] == {"pooler": ["gap", "sr"]}
    assert config["backbone"] == "fbank"  # the demo runs offline
    assert resolve({"dataset": "iemocap"}, None, [], [], None)["backbone"] == "wavlm-large"


def test_unknown_keys_are_refused():
    with pytest.raises(BenchError, match="unknown option"):
        resolve({}, None, ["colour=blue"], [], None)
    with pytest.raises(BenchError, match="not grid axes"):
        resolve({}, None, [], ["colour=blue,red"], None)


def test_resume_requires_the_same_deciding_configuration(tmp_path):
    config = resolve({}, None, [], ["poolers=gap"], None)
    (tmp_path / "config.yaml").write_text(yaml.safe_dump({**config, "environment": {"python": "x"}, "expected_jobs": 8}))
    check_resumable(tmp_path, {**config, "executor": "dask"})  # executors may differ
    with pytest.raises(BenchError, match="differs in: grid"):
        check_resumable(tmp_path, resolve({}, None, [], ["poolers=sap"], None))
