"""Helpers shared by the runner tests (fixtures are in conftest.py)."""

import pandas as pd


def tiny_config(manifest, cache_dir, grid=("poolers=gap,sap-noattn", "seeds=0,1"), sets=()):
    from bench.runner.config import resolve

    return resolve(
        {"manifest": str(manifest), "backbone": "fbank", "vad": "energy", "cache_dir": str(cache_dir)},
        None,
        ["epochs=3", "batch_size=8", "min_steps=0", "probes=false", *sets],
        list(grid),
        None,
    )


def numbers(results: pd.DataFrame) -> pd.DataFrame:
    return results.sort_values("job")[["job", "status", "ua", "wa", "macro_f1", "epochs"]].reset_index(drop=True)


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    """`bench ARGV...` in this process through the console entry point: (exit status, stdout, stderr)."""
    from bench.cli import main

    capsys.readouterr()
    try:
        main(list(argv))
        rc = 0
    except SystemExit as exc:
        rc = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return rc, captured.out, captured.err
