"""--recipe on the run configuration and `bench list recipes`."""

import yaml

from bench.runner.config import resolve, to_yaml
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
        for key, value in recipe.train.items():
            assert f"{key}={value}" in stdout
    assert f"{DEFAULT_RECIPE} (default)" in stdout
