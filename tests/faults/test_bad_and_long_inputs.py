"""Inputs that used to end a call or poison its output: NaN audio, a truncated wav, and a file
longer than memory allows (a child process caps its address space a little above what it holds
after a warm-up, so the long file's allocations really fail). Each is skipped with its reason;
everything else is still done."""

import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from bench.cache import FeatureRequest, extract_corpus
from bench.manifest import make_manifest, write_manifest
from cache_audio import voiced
from test_predict_command import _trained_model

HEADROOM_MB = 300  # above the child's size after warming up: far more than a second of audio needs
SEPARATOR = "=== next command ==="
# One child (imports cost more than the work): warm up (imports, one short extraction and
# prediction), then cap its address space a little above what it holds, and run each command.
CHILD = f"""
import json, resource, sys
from bench.cli import main
commands = json.loads(sys.argv[1])
for command in commands["warm_up"]:
    main(command)
pages = int(open("/proc/self/statm").read().split()[0])  # the address space in use now
limit = pages * resource.getpagesize() + {HEADROOM_MB} * 2**20
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
print({SEPARATOR!r}, flush=True); print({SEPARATOR!r}, file=sys.stderr, flush=True)
for command in commands["run"]:
    main(command)
    print({SEPARATOR!r}, flush=True); print({SEPARATOR!r}, file=sys.stderr, flush=True)
"""


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """{command: (stdout, stderr)} of `bench extract` and `bench predict` run under the limit."""
    folder = tmp_path_factory.mktemp("inputs")
    sf.write(folder / "good.wav", voiced(1.0, 0), 16_000)
    sf.write(folder / "good2.wav", voiced(0.7, 1), 16_000)
    nan = voiced(1.0, 2)
    nan[100:200] = np.nan
    sf.write(folder / "nan.wav", nan, 16_000, subtype="FLOAT")
    sf.write(folder / "full.wav", voiced(1.0, 3), 16_000)
    (folder / "truncated.wav").write_bytes((folder / "full.wav").read_bytes()[:20_000])
    sf.write(folder / "long.wav", voiced(600.0, 4), 16_000, subtype="PCM_16")
    rows = [
        {
            "id": n,
            "path": str(folder / f"{n}.wav"),
            "speaker": "s",
            "label": "neutral",
            "duration": d,
            "sample_rate": 16_000,
        }
        for n, d in [("good", 1.0), ("long", 600.0), ("nan", 1.0), ("good2", 0.7)]
    ]
    write_manifest(make_manifest(rows), folder / "m.csv")
    write_manifest(make_manifest(rows[:1]), folder / "warm.csv")
    model_dir = _trained_model(folder)
    warm_up = [
        [
            "extract",
            "--manifest",
            folder / "warm.csv",
            "--backbone",
            "tiny-wavlm",
            "--vad",
            "energy",
            "--cache-dir",
            folder / "warm-cache",
        ],
        ["predict", "--model", model_dir, folder / "good.wav"],
    ]
    commands = {
        "extract": [
            "extract",
            "--manifest",
            folder / "m.csv",
            "--backbone",
            "tiny-wavlm",
            "--vad",
            "energy",
            "--cache-dir",
            folder / "cache",
        ],
        "predict": [
            "predict",
            "--model",
            model_dir,
            "--json",
            *[folder / n for n in ("good.wav", "nan.wav", "truncated.wav", "long.wav", "good2.wav")],
        ],
    }
    argv = json.dumps(
        {"warm_up": [[str(a) for a in c] for c in warm_up], "run": [[str(a) for a in c] for c in commands.values()]}
    )
    done = subprocess.run([sys.executable, "-c", CHILD, argv], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    out, err = done.stdout.split(SEPARATOR)[1:], done.stderr.split(SEPARATOR)[1:]
    return folder, {name: (out[i], err[i]) for i, name in enumerate(commands)}


def _no_bare_nan(text):
    def refuse(constant):
        raise AssertionError(f"bare {constant} in JSON output")

    return json.loads(text, parse_constant=refuse)


def test_predict_reports_each_bad_file_and_predicts_the_others(outputs):
    stdout, _ = outputs[1]["predict"]
    rows = {r["file"].rsplit("/", 1)[-1]: r for r in _no_bare_nan(stdout)}
    for good in ("good.wav", "good2.wav"):
        assert abs(sum(rows[good]["probabilities"].values()) - 1) < 1e-6
    assert "non-finite" in rows["nan.wav"]["error"] and "prediction" not in rows["nan.wav"]
    assert "truncated" in rows["truncated.wav"]["error"]
    assert "out of memory" in rows["long.wav"]["error"] and "--max-duration" in rows["long.wav"]["error"]


def test_extraction_skips_the_file_that_does_not_fit_and_keeps_the_rest(outputs):
    folder, results = outputs
    stdout, stderr = results["extract"]
    assert "skipped long (out of memory)" in stderr and "--max-duration" in stderr
    assert "skipped nan (non-finite audio)" in stderr
    assert "4 utterances: 2 extracted" in stdout
    request = FeatureRequest("tiny-wavlm", vad="energy", cache_dir=folder / "cache", max_duration=20.0)
    store = extract_corpus(folder / "m.csv", request, progress=False)  # the hint works: truncated, the long file fits
    assert store.ids == ["good", "long", "good2"] and store.load("long")[0].shape[1] == 999
