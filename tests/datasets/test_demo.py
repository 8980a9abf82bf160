"""The shipped demo corpus: counts, balance, labels, audio format, size, and the pause design.

The pause design is what makes the demo exercise voice-activity-aware pooling, so it is
measured from the audio: leading silence must not tell the emotion, speech loudness must.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.stats import kruskal

from bench import datasets
from bench.audio import FRAME_HOP, FRAME_WINDOW, SAMPLE_RATE, load_audio
from bench.datasets.demo import packaged_demo_dir
from bench.errors import LayoutError

REPO = Path(__file__).resolve().parents[2]
EMOTIONS = {"neutral", "happy", "angry", "sad"}


@pytest.fixture(scope="module")
def demo():
    return datasets.prepare_dataset("demo")


@pytest.fixture(scope="module")
def measured(demo):
    """Per utterance: measured leading silence (s) and speech-frame level (dB)."""
    table = demo.manifest[["id", "speaker", "label"]].copy()
    lead, level = zip(*(measure(load_audio(p)) for p in demo.manifest["path"]))
    table["lead"], table["speech_db"] = lead, level
    return table


def frame_db(wave: np.ndarray) -> np.ndarray:
    n = 1 + (len(wave) - FRAME_WINDOW) // FRAME_HOP
    idx = np.arange(FRAME_WINDOW)[None, :] + FRAME_HOP * np.arange(n)[:, None]
    return 10 * np.log10((wave[idx] ** 2).mean(axis=1) + 1e-12)


def measure(wave: np.ndarray) -> tuple[float, float]:
    """Leading silence: time to the first of 3 frames in a row 8 dB above the noise floor."""
    db = frame_db(wave)
    loud = db > np.percentile(db, 10) + 8
    runs = loud[:-2] & loud[1:-1] & loud[2:]
    first = int(np.argmax(runs)) if runs.any() else len(db)
    speech = db[loud]
    return first * FRAME_HOP / SAMPLE_RATE, float(10 * np.log10(np.mean(10 ** (speech / 10))))


def test_demo_is_registered_and_needs_no_data_dir():
    adapter = datasets.create("demo")
    assert adapter.needs_data_dir is False
    assert adapter.default_data_dir() == packaged_demo_dir()
    assert adapter.default_class_set == "4class"
    assert set(adapter.class_sets) == {"4class", "all"}


def test_counts_speakers_genders_and_balance(demo):
    m = demo.manifest
    assert len(m) >= 192 and not demo.skipped
    assert m["speaker"].nunique() >= 6
    assert set(m["gender"]) == {"F", "M"}
    counts = m["label"].value_counts()
    assert set(counts.index) == EMOTIONS and counts.nunique() == 1
    per_speaker = m.groupby(["speaker", "label"]).size()
    assert per_speaker.min() >= 8


def test_sessions_pair_one_female_with_one_male(demo):
    for session, rows in demo.manifest.groupby("session"):
        genders = rows.groupby("speaker")["gender"].first()
        assert sorted(genders) == ["F", "M"], session


def test_valence_arousal_present_and_in_range(demo):
    m = demo.manifest
    for col in ("valence", "arousal"):
        assert m[col].notna().all()
        assert m[col].between(1, 5).all()
    means = m.groupby("label")[["valence", "arousal"]].mean()
    assert means.loc["happy", "valence"] > means.loc["neutral", "valence"] > means.loc["sad", "valence"]
    assert means.loc["angry", "arousal"] > means.loc["neutral", "arousal"] > means.loc["sad", "arousal"]


def test_audio_is_16k_mono_with_absolute_paths(demo):
    m = demo.manifest
    assert (m["sample_rate"] == SAMPLE_RATE).all()
    assert all(Path(p).is_absolute() for p in m["path"])
    for path in m["path"].iloc[::32]:
        info = sf.info(path)
        assert info.channels == 1 and info.samplerate == SAMPLE_RATE


def test_corpus_fits_the_size_budget():
    size = sum(f.stat().st_size for f in packaged_demo_dir().rglob("*") if f.is_file())
    assert size <= 10 * 1024**2


def test_leading_silence_does_not_tell_the_emotion(measured, demo):
    planned = demo.manifest.set_index("id")["lead_silence"].astype(float)
    error = np.abs(measured.set_index("id")["lead"] - planned)
    assert error.median() < 0.05  # the detector finds the planned pauses
    means = measured.groupby("label")["lead"].mean()
    assert means.max() - means.min() < 0.35
    assert kruskal(*[g["lead"] for _, g in measured.groupby("label")]).pvalue > 0.01


def test_speech_loudness_tells_the_emotion(measured):
    level = measured.groupby("label")["speech_db"].mean()
    assert level["angry"] > level["happy"] > level["sad"] + 3
    assert level["angry"] - level["sad"] > 6


def test_explicit_data_dir_and_bad_manifest(tmp_path):
    shutil.copytree(packaged_demo_dir() / "audio" / "S01F", tmp_path / "audio" / "S01F")
    rows = (packaged_demo_dir() / "manifest.csv").read_text().splitlines()
    keep = [rows[0]] + [r for r in rows[1:] if r.startswith("S01F_")]
    (tmp_path / "manifest.csv").write_text("\n".join(keep) + "\n")
    prep = datasets.prepare_dataset("demo", tmp_path)
    assert len(prep.manifest) == len(keep) - 1
    assert all(p.startswith(str(tmp_path.resolve())) for p in prep.manifest["path"])
    (tmp_path / "manifest.csv").write_text("id,path,speaker\nx,audio/x.ogg,S01F\n")
    with pytest.raises(LayoutError, match="lacks the columns"):
        datasets.prepare_dataset("demo", tmp_path)


def load_synthesis_script():
    spec = importlib.util.spec_from_file_location("synthesize_demo", REPO / "scripts" / "synthesize_demo.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(sys.modules[spec.name])
    return sys.modules[spec.name]


def test_synthesis_plan_is_deterministic_and_matches_the_shipped_manifest(demo):
    synth = load_synthesis_script()
    plans = synth.plan_corpus(synth.DEFAULT_SEED, "ogg")
    assert plans == synth.plan_corpus(synth.DEFAULT_SEED, "ogg")
    assert [p.id for p in plans] == list(demo.manifest["id"])
    assert np.allclose([p.arousal for p in plans], demo.manifest["arousal"])
    assert {p.id for p in synth.plan_corpus(1, "ogg")} != {p.id for p in plans}


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_synthesis_renders_speech_with_the_planned_silence():
    synth = load_synthesis_script()
    utt = synth.plan_corpus(synth.DEFAULT_SEED, "ogg")[0]
    wave = synth.render(utt)
    lead, _ = measure(wave)
    assert abs(lead - utt.lead_silence) < 0.1
    assert len(wave) / SAMPLE_RATE > utt.lead_silence + utt.trail_silence + 1.0
