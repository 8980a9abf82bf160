"""Inputs that used to end a call or poison its output: NaN audio, a truncated wav, and a file
longer than memory allows (under a lowered address-space limit in a child process, so the
allocation really fails). Each is skipped with its reason; everything else is still done."""

import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from bench.cache import extract_corpus
from bench.manifest import make_manifest, write_manifest
from tests.cache.conftest import voiced
from tests.model.test_predict_command import _trained_model

LIMIT_GB = 2.5  # tiny-wavlm needs ~7 GB of attention scores for 10 minutes, ~1 MB for a second
SEPARATOR = "=== next command ==="
# One child (imports cost more than the work): lower its memory limit, run each bench command in turn.
CHILD = f"""
import json, resource, sys
limit = int({LIMIT_GB} * 2**30)
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from bench.cli import main
for argv in json.loads(sys.argv[1]):
    main(argv)
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
    rows = [{"id": n, "path": str(folder / f"{n}.wav"), "speaker": "s", "label": "neutral", "duration": d,
             "sample_rate": 16_000} for n, d in [("good", 1.0), ("long", 600.0), ("nan", 1.0), ("good2", 0.7)]]
    write_manifest(make_manifest(rows), folder / "m.csv")
    model_dir = _trained_model(folder)
    commands = {
        "extract": ["extract", "--manifest", folder / "m.csv", "--backbone", "tiny-wavlm", "--vad", "energy",
                    "--cache-dir", folder / "cache"],
        "predict": ["predict", "--model", model_dir, "--json",
                    *[folder / n for n in ("good.wav", "nan.wav", "truncated.wav", "long.wav", "good2.wav")]],
    }
    argv = json.dumps([[str(a) for a in c] for c in commands.values()])
    done = subprocess.run([sys.executable, "-c", CHILD, argv], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    out, err = done.stdout.split(SEPARATOR), done.stderr.split(SEPARATOR)
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
    store = extract_corpus(folder / "m.csv", "tiny-wavlm", vad="energy", cache_dir=folder / "cache", progress=False,
                           max_duration=20.0)  # the hint works: truncated, the long file fits
    assert store.ids == ["good", "long", "good2"] and store.load("long")[0].shape[1] == 999
