import pytest

from bench.model import ModelConfig
from bench.train import DEFAULT_LR, TrainConfig


def test_train_config_round_trip_and_paper_defaults():
    config = TrainConfig()
    assert (config.epochs, config.batch_size, config.warmup_ratio, config.patience) == (30, 64, 0.1, 5)
    assert (config.alpha, config.beta, config.gamma, config.proj_dim) == (0.5, 0.25, 0.25, 32)
    assert config.learning_rate == DEFAULT_LR["frozen"]
    assert TrainConfig(mode="finetune").learning_rate == 3e-5
    assert TrainConfig.from_dict(TrainConfig(lr=0.01, layer=3).to_dict()) == TrainConfig(lr=0.01, layer=3)
    with pytest.raises(ValueError, match="unknown training options"):
        TrainConfig.from_dict({"learning_rate": 1})


def test_model_config_round_trip():
    config = ModelConfig(["a", "b"], 16, 3, "sr", {"heads": 2}, layer=1, valence_stats=(3.0, 0.5))
    again = ModelConfig.from_dict(config.to_dict())
    assert again == config and again.valence_stats == (3.0, 0.5)
    with pytest.raises(ValueError, match="outside the stack"):
        ModelConfig(["a"], 16, 3, "gap", layer=3)
