"""The example configurations under configs/ are valid run configurations."""

from pathlib import Path

import pytest

from bench.runner.config import PlanError, resolve
from bench.runner.run import prepare

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.yaml")), ids=lambda p: p.name)
def test_example_config_resolves(path):
    config = resolve({}, str(path))
    assert config.grid["poolers"] and config.recipe


def test_demo_config_plans_the_demo_grid():
    plan = prepare(resolve({}, str(CONFIGS / "demo.yaml"), ["probes=false"]))
    assert [c.label for c in plan.cells] == ["fbank|webrtc|gap", "fbank|webrtc|sap", "fbank|webrtc|sr"]
    assert plan.job_count == 3 * 8 and len(plan.manifest) == 256


@pytest.mark.parametrize("name", ["iemocap-loso10-sap-paper.yaml", "kemdy19.yaml"])
def test_corpus_configs_fail_only_for_the_missing_corpus(name, tmp_path):
    config = resolve({"data_dir": str(tmp_path / "absent")}, str(CONFIGS / name))
    with pytest.raises(PlanError) as error:
        prepare(config)
    (problem,) = error.value.problems  # names, options and recipe all pass; only the data is missing
    assert str(tmp_path / "absent") in problem
