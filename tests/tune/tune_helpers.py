"""Helpers of the tuning tests: a tiny configuration and a fit that records what it was given."""

import bench.train
from bench.manifest import read_manifest

TINY_SETS = ["epochs=2", "batch_size=8", "min_steps=0", "probes=false"]


def tiny_tune_config(manifest, cache_dir, sets=(), params_file=None, grid=()):
    from bench.runner.config import resolve

    return resolve(
        {"manifest": str(manifest), "backbone": "fbank", "vad": "energy", "cache_dir": str(cache_dir)},
        None,
        [*TINY_SETS, *sets],
        list(grid),
        str(params_file) if params_file else None,
    )


def cli_args(manifest, cache_dir):
    args = ["--manifest", str(manifest), "--backbone", "fbank", "--vad", "energy", "--cache-dir", str(cache_dir)]
    for item in TINY_SETS:
        args += ["--set", item]
    return args


class RecordingFit:
    """Wraps bench.train.fit; records the speakers each call trained / validated on and its config."""

    def __init__(self, manifest_path):
        self.speaker = read_manifest(manifest_path).set_index("id")["speaker"]
        self.real = bench.train.fit
        self.calls = []

    def __call__(self, train, valid, classes, pooler, pooler_params=None, config=None, seed=0, on_epoch=None):
        self.calls.append(
            {
                "train": set(self.speaker[train.ids]),
                "valid": set(self.speaker[valid.ids]) if valid else set(),
                "config": config,
                "pooler": pooler,
                "pooler_params": dict(pooler_params or {}),
            }
        )
        return self.real(train, valid, classes, pooler, pooler_params, config, seed=seed, on_epoch=on_epoch)
