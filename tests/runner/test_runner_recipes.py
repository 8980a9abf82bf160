"""--recipe on the run configuration and `bench list recipes`."""

import yaml

from bench.runner.config import TOP_LEVEL, resolve, to_yaml
from bench.runner.grid import AXES
from bench.train.recipes import DEFAULT_RECIPE, RECIPES
from runner_fixtures import run_cli


def test_recipe_values_are_resolved_and_recorded(tmp_path):
    config = resolve({"recipe": "sap-paper"}, None, ["epochs=4"])
    recorded = yaml.safe_load(to_yaml(config))
    assert recorded["recipe"] == "sap-paper"
    assert recorded["train"] == {**RECIPES["sap-paper"].resolved(), "epochs": 4}
    assert recorded["recipe_overrides"] == {"epochs": 4}
    assert resolve({}).recipe == DEFAULT_RECIPE and resolve({}).train == RECIPES[DEFAULT_RECIPE].resolved()


def test_bench_list_recipes_names_each_recipe_and_its_values(capsys):
    rc, stdout, stderr = run_cli(capsys, "list", "recipes")
    assert rc == 0, stderr
    for name, recipe in RECIPES.items():
        assert any(line.startswith(f"{name}") for line in stdout.splitlines())
        for key, value in recipe.settings().items():
            assert f"{key}={value}" in stdout
    assert f"{DEFAULT_RECIPE} (default)" in stdout


def test_every_recipe_sets_only_known_options():
    for recipe in RECIPES.values():
        assert set(recipe.run) <= set(TOP_LEVEL) - {"recipe", "train"}, recipe.name
        assert set(recipe.grid) <= set(AXES.values()), recipe.name
        assert all(isinstance(values, list) for values in recipe.grid.values())
        recipe.resolved()  # raises on an unknown training field


def test_a_recipes_run_options_and_grid_sit_below_the_command_line():
    config = resolve({"recipe": "xlsr-cnn-paper"})
    assert (config.dataset, config.class_set, config.protocol, config.backbone) == (
        "shemo",
        "5class",
        "loso",
        "xlsr-53",
    )
    assert config.layers == [24] and config.max_duration == 7.0 and config.grid == {"poolers": ["cnn"]}
    assert config.train["optimizer"] == "adam" and config.train["batch_size"] == 4
    assert not config.train["class_weighting"] and config.train["beta"] == config.train["gamma"] == 0.0
    config = resolve(
        {"recipe": "xlsr-cnn-paper", "backbone": "tiny-wav2vec2"},
        None,
        ["class_set=all", "lr=0.01"],
        ["poolers=gap,cnn"],
    )
    assert (
        config.backbone == "tiny-wav2vec2" and config.class_set == "all" and config.grid == {"poolers": ["gap", "cnn"]}
    )
    assert config.dataset == "shemo"  # what is not overridden stays the recipe's
    recorded = yaml.safe_load(to_yaml(config))
    assert recorded["recipe_overrides"] == {"backbone": "tiny-wav2vec2", "class_set": "all", "lr": 0.01}
    assert resolve({}).grid == {} and resolve({}).dataset == "demo"  # the default recipe sets no run option
