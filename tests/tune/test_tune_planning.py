"""`bench tune` plans through the same step as `bench run`: the same checks, one message, nothing written."""

import pytest

from bench.runner.config import PlanError
from bench.tune import TuneOptions, run_tune
from bench.tune.driver import tune_config
from tune_helpers import cli_args, tiny_tune_config


def test_tune_refuses_a_bad_configuration_before_writing(tiny_manifest, cache_dir, tmp_path):
    config = tiny_tune_config(tiny_manifest, cache_dir, sets=["pooler.sap.heds=4"])
    options = TuneOptions(pooler="sap", trials=1, out=tmp_path / "study")
    with pytest.raises(PlanError) as error:
        run_tune(config, options, echo=lambda *_: None)
    assert any("pooler 'sap' has no option heds" in p for p in error.value.problems)
    assert not (tmp_path / "study").exists()


def test_a_study_is_one_cell_of_the_run_configuration(tiny_manifest, cache_dir, tmp_path):
    config = tiny_tune_config(tiny_manifest, cache_dir, sets=["pooler.sap.heads=2"])
    study = tune_config(config, TuneOptions(pooler="sap", trials=1, out=tmp_path, seed=3))
    assert study.grid == {"poolers": ["sap"], "seeds": [3]} and study.probes is False
    assert study.pooler_options == {"sap": {"heads": 2}} and study.train == config.train


def test_tune_cli_takes_the_run_options(tiny_manifest, cache_dir, tmp_path, capsys):
    from bench.cli import main

    with pytest.raises(SystemExit) as exit_status:
        main(
            [
                "tune",
                *cli_args(tiny_manifest, cache_dir),
                "--recipe",
                "nope",
                "--pooler",
                "gap",
                "--trials",
                "1",
                "--out",
                str(tmp_path / "t"),
            ]
        )
    assert exit_status.value.code == 2 and "unknown recipe 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "t").exists()
