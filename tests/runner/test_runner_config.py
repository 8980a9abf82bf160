"""The typed run configuration: layers and their precedence, scoped options, config.yaml round trip."""

import pytest
import yaml
from click.testing import CliRunner

from bench.runner.config import PlanError, Problems, RunConfig, job_options, resolve, to_yaml
from bench.runner.grid import Cell
from bench.train.recipes import get as get_recipe
from bench.train.config import TrainConfig


def test_precedence_defaults_recipe_config_params_set_grid(tmp_path):
    config_file = tmp_path / "c.yaml"
    config_file.write_text(
        yaml.safe_dump(
            {
                "recipe": "sap-paper",
                "protocol": "loso-session",
                "train": {"epochs": 7, "lr": 0.01, "alpha": 0.2, "beta": 0.3},
            }
        )
    )
    params_file = tmp_path / "best.yaml"
    params_file.write_text(yaml.safe_dump({"design": "dev-speakers", "lr": 0.002, "alpha": 0.6, "dev_speakers": []}))
    config = resolve(
        {"dataset": "demo", "protocol": None},
        str(config_file),
        ["alpha=0.7", "gamma=0.05"],
        ["lr=0.1,0.2"],
        str(params_file),
    )
    paper = get_recipe("sap-paper").resolved()
    assert config.recipe == "sap-paper" and config.protocol == "loso-session"
    assert config.train["batch_size"] == paper["batch_size"] and config.train["mode"] == "finetune"  # recipe
    assert config.train["epochs"] == 7 and config.train["beta"] == 0.3  # --config over the recipe
    assert config.train["weight_decay"] == TrainConfig().weight_decay  # defaults under everything
    train, _ = job_options(config, Cell("fbank", "webrtc", "gap", (("lr", 0.2),)), fold=0)
    assert train["lr"] == 0.2  # --grid over --params over --config
    assert train["alpha"] == 0.7  # --set over --params
    assert train["gamma"] == 0.05 and train["epochs"] == 7
    train, _ = job_options(config, Cell("fbank", "webrtc", "gap"), fold=0)
    assert train["lr"] == 0.002  # --params over --config


def test_options_are_scoped_to_their_entry():
    config = resolve({}, None, ["pooler.sap.heads=4", "vad.webrtc.aggressiveness=2"], ["poolers=gap,sap"])
    assert config.pooler_options == {"sap": {"heads": 4}} and config.vad_options == {"webrtc": {"aggressiveness": 2}}
    assert job_options(config, Cell("fbank", "webrtc", "gap"), 0)[1] == {}
    assert job_options(config, Cell("fbank", "webrtc", "sap"), 0)[1] == {"heads": 4}
    assert job_options(config, Cell("fbank", "webrtc", "sap", (("pooler.sap.heads", 8),)), 0)[1] == {"heads": 8}


def test_tuned_pooler_options_go_to_the_tuned_pooler_only(tmp_path):
    params_file = tmp_path / "best.yaml"
    params_file.write_text(
        yaml.safe_dump({"design": "nested", "pooler": "sap", "folds": {0: {"pooler.heads": 2, "lr": 0.01}}})
    )
    config = resolve({}, None, [], ["poolers=gap,sap"], str(params_file))
    assert job_options(config, Cell("fbank", "webrtc", "sap"), 0) == ({**config.train, "lr": 0.01}, {"heads": 2})
    assert job_options(config, Cell("fbank", "webrtc", "gap"), 0)[1] == {}


def test_every_problem_is_listed_at_once():
    with pytest.raises(PlanError) as error:
        resolve({}, None, ["colour=blue", "pooler.heads=4", "epoch=3"], ["colours=blue,red", "vad.aggressiveness=1,2"])
    problems = error.value.problems
    assert len(problems) == 5
    assert any("colour: unknown option" in p for p in problems)
    assert any("pooler.<name>.heads" in p for p in problems) and any("vad.<name>.aggressiveness" in p for p in problems)
    assert any("epoch: unknown option" in p for p in problems) and any(
        "colours: not a grid axis" in p for p in problems
    )
    assert "5 problem(s)" in str(error.value)


def test_unknown_recipe_and_training_keys_in_a_file(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"train": {"epoch": 3}, "grid": {"poolers": ["gap", "sap"], "seeds": [0, 1]}}))
    problems = Problems()
    config = resolve({"recipe": "no-such"}, str(path), [], [], None, problems)
    assert any("unknown training options ['epoch']" in p for p in problems)
    assert any("unknown recipe 'no-such'" in p and "frozen" in p for p in problems)
    assert config.grid == {"poolers": ["gap", "sap"], "seeds": [0, 1]}  # a config's grid in plural spelling


def test_config_yaml_round_trips(tmp_path):
    config = resolve(
        {"dataset": "demo", "recipe": "sap-paper"},
        None,
        [
            "backbone=tiny-wavlm",
            "layers=0,2",
            "epochs=3",
            "pooler.sap.heads=4",
            "vad.webrtc.aggressiveness=1",
            "folds=0,1",
            "max_duration=2.5",
        ],
        ["poolers=gap,sap", "pooler.sap.heads=2,4", "seeds=0,1"],
    )
    path = tmp_path / "config.yaml"
    path.write_text(to_yaml(config, classes=["a", "b"], expected_jobs=12, environment={"python": "3"}))
    again = resolve({}, str(path))
    assert again == config and again.digest() == config.digest()
    assert (again.backbone, again.layers) == ("tiny-wavlm", [0, 2])  # run options, not the fine-tune fields
    recorded = yaml.safe_load(path.read_text())
    assert recorded["config_digest"] == config.digest() and recorded["recipe"] == "sap-paper"
    assert recorded["recipe_overrides"] == {"epochs": 3}  # what differs from the named recipe
    assert set(recorded["train"]) == {f for f in TrainConfig().to_dict()}  # every training field resolved
    assert RunConfig(**{**config.to_dict(), "cache_dir": "/elsewhere"}).digest() == config.digest()
    assert RunConfig(**{**config.to_dict(), "protocol": "loso-session"}).digest() != config.digest()


def test_items_after_set_stay_with_set():
    """`--set folds=0,1 epochs=10`: both are --set items; neither becomes a grid axis."""
    import click

    from bench.commands._run_options import ItemsCommand

    seen = {}

    @click.command(cls=ItemsCommand)
    @click.option("--set", "sets", multiple=True)
    @click.option("--grid", "grid", multiple=True)
    @click.option("--out")
    def command(sets, grid, out):
        seen.update(sets=sets, grid=grid, out=out)

    result = CliRunner().invoke(
        command,
        [
            "--grid",
            "poolers=gap,sap",
            "seeds=0,1",
            "--set",
            "folds=0,1",
            "epochs=10",
            "--out",
            "x=y",
            "--set",
            "lr=0.1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert seen == {
        "sets": ("folds=0,1", "epochs=10", "lr=0.1"),
        "grid": ("poolers=gap,sap", "seeds=0,1"),
        "out": "x=y",
    }
    assert CliRunner().invoke(command, ["--set", "a=1", "stray"]).exit_code != 0  # a stray word is an error


def test_one_layer_on_the_command_line_is_a_list_of_one():
    assert resolve({}, None, ["layers=12"]).layers == [12]
    assert resolve({}, None, ["layers=3,5"]).layers == [3, 5]
