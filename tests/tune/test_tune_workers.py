"""Two `bench tune` processes share one SQLite study: their trials add up, none fails."""

import subprocess
import sys

import optuna

from tune_helpers import cli_args


def test_two_workers_share_one_sqlite_study(tiny_manifest, cache_dir, tmp_path):
    storage = f"sqlite:///{tmp_path / 'shared.db'}"
    common = [
        sys.executable,
        "-m",
        "bench",
        "tune",
        *cli_args(tiny_manifest, cache_dir),
        "--pooler",
        "gap",
        "--folds",
        "1",
        "--storage",
        storage,
        "--study",
        "shared",
    ]
    procs = [
        subprocess.Popen(
            [*common, "--trials", str(n), "--sampler-seed", str(seed), "--out", str(tmp_path / f"w{seed}")],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for n, seed in ((2, 1), (3, 2))
    ]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    study = optuna.load_study(study_name="shared-fold0", storage=storage)
    states = [t.state for t in study.trials]
    assert len(states) == 5 and all(
        s in (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED) for s in states
    )
    for seed in (1, 2):
        assert (tmp_path / f"w{seed}" / "best_params.yaml").is_file()
