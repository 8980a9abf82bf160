#!/usr/bin/env python
"""Synthesise the shipped demo corpus: emotional speech rendered by espeak-ng prosody.

Usage (from the repository root, with the project's Python environment)::

    python scripts/synthesize_demo.py                    # writes bench/data/demo/
    python scripts/synthesize_demo.py --out /tmp/demo --seed 7 --jobs 2

Needs ``espeak-ng`` on PATH (Debian/Ubuntu: ``apt-get install espeak-ng``; macOS: ``brew install
espeak-ng``). Resampling and mixing are done in Python (NumPy/SciPy), so sox is not needed.
The output is deterministic given ``--seed`` and the espeak-ng version (recorded in README.txt
in the output folder). See docs/demo.md for the design.

Design in one paragraph: 8 speakers (4 female, 4 male; different espeak-ng voices, variants and
base pitches) paired into 4 sessions of one female and one male speaker, each speaking 8 of 16
lexically neutral sentences in 4 emotions (256 utterances). The emotion is carried by prosody
only (pitch, pitch range, rate, amplitude, inner pause length), each with per-utterance jitter so
that the classes overlap. Leading/trailing silence (0.1-2.5 s, log-uniform), background noise
(white/pink/brown, 10-30 dB below a neutral take's speech level) and a recording gain (+-4 dB) are
drawn once per (speaker, sentence) and shared by its four emotional takes, so they are exactly
balanced across emotions and tell nothing about them: a pooler that averages over silence and noise is penalised, one that pools over voiced
frames only is not.
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from math import gcd
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "bench" / "data" / "demo"
SAMPLE_RATE = 16_000
DEFAULT_SEED = 20_240_611
GLOBAL_GAIN = 0.7  # keeps the loudest (angry, +gain) utterances clear of clipping
# Vorbis at ~47 kb/s: the background noise makes lossless FLAC ~15 MB, over the repository budget.
VORBIS_COMPRESSION = 0.7


@dataclass(frozen=True)
class Speaker:
    id: str
    gender: str  # "F" or "M"
    session: str
    voice: str  # espeak-ng voice+variant
    pitch: int  # espeak-ng -p base (0-99)
    rate: int  # espeak-ng -s base, words per minute


@dataclass(frozen=True)
class EmotionStyle:
    """Prosody of one emotion relative to the speaker's base, and its mean valence/arousal."""

    pitch_shift: float  # espeak-ng -p points
    pitch_range: float  # SSML <prosody range>, percent of the voice's default range
    rate_factor: float  # x speaker's base rate
    amplitude: float  # espeak-ng -a (default 100; above ~100 its output clips, so we stay below)
    pause_factor: float  # x inner break length
    valence: float  # 1-5, IEMOCAP scale
    arousal: float


SPEAKERS = [
    Speaker("S01F", "F", "S01", "en-us+f1", 62, 165),
    Speaker("S01M", "M", "S01", "en-us+m1", 40, 160),
    Speaker("S02F", "F", "S02", "en-gb+f2", 58, 170),
    Speaker("S02M", "M", "S02", "en-gb-x-rp+m3", 36, 170),
    Speaker("S03F", "F", "S03", "en-gb-scotland+f3", 66, 160),
    Speaker("S03M", "M", "S03", "en-gb-scotland+m2", 46, 165),
    Speaker("S04F", "F", "S04", "en-029+f4", 60, 175),
    Speaker("S04M", "M", "S04", "en-029+m4", 42, 155),
]

EMOTIONS = {
    "neutral": EmotionStyle(0, 100, 1.00, 40, 1.00, 3.0, 2.6),
    "happy": EmotionStyle(9, 160, 1.10, 48, 0.90, 4.0, 3.6),
    "angry": EmotionStyle(7, 180, 1.20, 65, 0.80, 1.9, 4.1),
    "sad": EmotionStyle(-9, 45, 0.82, 27, 1.30, 1.9, 2.0),
}

# Per-utterance jitter (standard deviations); large enough that neighbouring classes overlap.
JITTER = {"pitch": 5.0, "range": 0.22, "rate": 0.07, "amplitude": 0.18}

# Lexically neutral sentences; "|" marks a phrase boundary where a <break> goes.
SENTENCES = [
    "The meeting moved to room four | and it starts at nine tomorrow.",
    "I put the blue folder on the desk | next to the printer.",
    "We drove along the coast road | and stopped at the old harbour.",
    "The train to the city | leaves every twenty minutes.",
    "She told me the package | would arrive on Thursday.",
    "They painted the kitchen wall | a pale shade of green.",
    "My brother called last night | to talk about the weekend.",
    "The shop on the corner | closes early on Sundays.",
    "He left his keys in the car | and walked back to the house.",
    "The results came in this morning | just before lunch.",
    "We need to answer the letter | by the end of the month.",
    "The dog waited by the door | for the whole afternoon.",
    "You can find the recipe | in the second drawer | under the napkins.",
    "The school is planning a trip | to the museum in May.",
    "Our neighbours bought a new car | last week.",
    "The report is on the table | and the copies | are in the box.",
]
SENTENCES_PER_SPEAKER = 8
EDGE_SILENCE = (0.1, 2.5)  # seconds, log-uniform, independent of the emotion
INNER_BREAK = (0.1, 0.8)  # seconds, log-uniform, then x the emotion's pause_factor
EXTRA_BREAK_PROB = 0.3  # chance of one more break at a random word boundary
SNR_DB = (10.0, 30.0)
NOISE_COLOURS = ("white", "pink", "brown")
MAX_AMPLITUDE = 90  # espeak-ng -a cap: louder saturates its 16-bit output
GAIN_DB = 4.0  # recording gain uniform in +-GAIN_DB, independent of the emotion


@dataclass
class Utterance:
    """Everything drawn for one utterance; written to manifest.csv."""

    id: str
    path: str  # relative to the corpus folder
    speaker: str
    session: str
    gender: str
    label: str
    valence: float
    arousal: float
    sentence: int
    text: str
    voice: str
    pitch: int
    pitch_range: int
    rate: int
    amplitude: int
    breaks_ms: str  # inner break lengths, ";"-separated
    lead_silence: float
    trail_silence: float
    noise: str
    snr_db: float
    gain_db: float
    noise_seed: int


def log_uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def utterance_rng(seed: int, speaker_index: int, emotion_index: int, sentence: int) -> np.random.Generator:
    """An independent generator per utterance, so plans do not depend on iteration order."""
    return np.random.default_rng([seed, speaker_index, emotion_index, sentence])


def place_breaks(text: str, style: EmotionStyle, rng: np.random.Generator) -> tuple[list[str], list[int]]:
    """Split ``text`` into chunks at "|" (plus maybe one random word boundary); draw break lengths (ms)."""
    phrases = [p.strip() for p in text.split("|")]
    if rng.random() < EXTRA_BREAK_PROB:
        i = int(rng.integers(len(phrases)))
        words = phrases[i].split()
        if len(words) >= 4:
            cut = int(rng.integers(2, len(words) - 1))
            phrases[i : i + 1] = [" ".join(words[:cut]), " ".join(words[cut:])]
    breaks = [int(round(1000 * log_uniform(rng, *INNER_BREAK) * style.pause_factor)) for _ in phrases[1:]]
    return phrases, breaks


def draw_valence_arousal(style: EmotionStyle, z: dict[str, float], rng: np.random.Generator) -> tuple[float, float]:
    """Dimensional labels: the emotion's mean, moved by the rendered prosody's jitter, plus rater noise."""
    arousal = style.arousal + 0.25 * z["amplitude"] + 0.20 * z["rate"] + 0.10 * z["range"] + rng.normal(0, 0.2)
    valence = style.valence + 0.15 * z["pitch"] + 0.05 * z["range"] + rng.normal(0, 0.25)
    return round(float(np.clip(valence, 1, 5)), 2), round(float(np.clip(arousal, 1, 5)), 2)


@dataclass(frozen=True)
class Recording:
    """The recording set-up of one sentence of one speaker, shared by its four emotional takes."""

    lead_silence: float
    trail_silence: float
    noise: str
    snr_db: float
    gain_db: float


def draw_recording(seed: int, si: int, sentence: int) -> Recording:
    """Silences, noise and gain: drawn once per (speaker, sentence), so every emotion gets the same set."""
    rng = np.random.default_rng([seed, si, sentence, 1])
    return Recording(
        lead_silence=round(log_uniform(rng, *EDGE_SILENCE), 3),
        trail_silence=round(log_uniform(rng, *EDGE_SILENCE), 3),
        noise=NOISE_COLOURS[int(rng.integers(len(NOISE_COLOURS)))],
        snr_db=round(float(rng.uniform(*SNR_DB)), 2),
        gain_db=round(float(rng.uniform(-GAIN_DB, GAIN_DB)), 2),
    )


def plan_utterance(seed: int, si: int, speaker: Speaker, ei: int, emotion: str, sentence: int, ext: str) -> Utterance:
    """Draw every random choice of one utterance: prosody jitter, breaks, labels, noise realisation."""
    rng = utterance_rng(seed, si, ei, sentence)
    style = EMOTIONS[emotion]
    z = {k: float(rng.standard_normal()) for k in ("pitch", "range", "rate", "amplitude")}
    phrases, breaks = place_breaks(SENTENCES[sentence], style, rng)
    valence, arousal = draw_valence_arousal(style, z, rng)
    uid = f"{speaker.id}_{emotion}_{sentence:02d}"
    return Utterance(
        id=uid,
        path=f"audio/{speaker.id}/{uid}.{ext}",
        speaker=speaker.id,
        session=speaker.session,
        gender=speaker.gender,
        label=emotion,
        valence=valence,
        arousal=arousal,
        sentence=sentence,
        text=" | ".join(phrases),
        voice=speaker.voice,
        pitch=int(np.clip(round(speaker.pitch + style.pitch_shift + JITTER["pitch"] * z["pitch"]), 5, 95)),
        pitch_range=int(max(15, round(style.pitch_range * (1 + JITTER["range"] * z["range"])))),
        rate=int(round(speaker.rate * style.rate_factor * (1 + JITTER["rate"] * z["rate"]))),
        amplitude=int(
            np.clip(round(style.amplitude * np.exp(JITTER["amplitude"] * z["amplitude"])), 10, MAX_AMPLITUDE)
        ),
        breaks_ms=";".join(str(b) for b in breaks),
        **asdict(draw_recording(seed, si, sentence)),
        noise_seed=int(rng.integers(2**31)),
    )


def plan_corpus(seed: int, ext: str) -> list[Utterance]:
    """All utterances: each speaker draws 8 of the 16 sentences and says each in every emotion."""
    plans = []
    for si, speaker in enumerate(SPEAKERS):
        chosen = np.random.default_rng([seed, si]).choice(len(SENTENCES), SENTENCES_PER_SPEAKER, replace=False)
        for ei, emotion in enumerate(EMOTIONS):
            for sentence in sorted(int(s) for s in chosen):
                plans.append(plan_utterance(seed, si, speaker, ei, emotion, sentence, ext))
    return plans


def ssml(utt: Utterance) -> str:
    """The SSML espeak-ng reads: pitch range as <prosody>, inner pauses as <break>."""
    phrases = utt.text.split(" | ")
    breaks = [int(b) for b in utt.breaks_ms.split(";")] if utt.breaks_ms else []
    body = phrases[0]
    for phrase, ms in zip(phrases[1:], breaks):
        body += f' <break time="{ms}ms"/> {phrase}'
    return f'<speak><prosody range="{utt.pitch_range}%">{body}</prosody></speak>'


def espeak(utt: Utterance) -> np.ndarray:
    """Run espeak-ng; return its speech as 16 kHz mono float32 (trimmed of espeak's own edge silence)."""
    cmd = [
        "espeak-ng",
        "-m",
        "-v",
        utt.voice,
        "-p",
        str(utt.pitch),
        "-s",
        str(utt.rate),
        "-a",
        str(utt.amplitude),
        "--stdout",
        ssml(utt),
    ]
    out = subprocess.run(cmd, check=True, capture_output=True).stdout
    wave, rate = sf.read(io.BytesIO(out), dtype="float32")
    if np.abs(wave).max() >= 0.999:
        raise RuntimeError(
            f"espeak-ng clipped {utt.id} (amplitude {utt.amplitude}); lower the emotion amplitudes or MAX_AMPLITUDE"
        )
    g = gcd(SAMPLE_RATE, rate)
    wave = resample_poly(wave, SAMPLE_RATE // g, rate // g)
    return trim_edges(wave.astype(np.float32))


def trim_edges(wave: np.ndarray, threshold: float = 1e-3) -> np.ndarray:
    """Drop leading/trailing samples below ``threshold`` (espeak-ng output is digitally silent there)."""
    loud = np.flatnonzero(np.abs(wave) > threshold)
    return wave[loud[0] : loud[-1] + 1] if len(loud) else wave


def active_rms(wave: np.ndarray, frame: int = 320) -> float:
    """RMS over the frames within 30 dB of the loudest one (speech, not inner pauses)."""
    n = len(wave) // frame
    energy = (wave[: n * frame].reshape(n, frame) ** 2).mean(axis=1)
    return float(np.sqrt(energy[energy > energy.max() * 1e-3].mean()))


def coloured_noise(colour: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Unit-RMS white, pink (1/f power) or brown (1/f^2 power, flat below 20 Hz) noise."""
    white = rng.standard_normal(n)
    if colour != "white":
        spectrum = np.fft.rfft(white)
        freqs = np.maximum(np.fft.rfftfreq(n, 1 / SAMPLE_RATE), 20.0)
        spectrum /= np.sqrt(freqs) if colour == "pink" else freqs
        white = np.fft.irfft(spectrum, n)
    return white / np.sqrt(np.mean(white**2))


def render(utt: Utterance) -> np.ndarray:
    """Speech padded with the planned edge silences, plus noise, times the recording gain.

    The noise level is set from the speech level this utterance would have at the neutral
    amplitude (espeak-ng's -a is linear), so the noise floor does not depend on the emotion:
    ``snr_db`` is the SNR of a neutral take; louder emotions get a higher effective SNR.
    """
    speech = espeak(utt)
    lead, trail = (int(round(s * SAMPLE_RATE)) for s in (utt.lead_silence, utt.trail_silence))
    wave = np.concatenate([np.zeros(lead), speech, np.zeros(trail)])
    reference_rms = active_rms(speech) * EMOTIONS["neutral"].amplitude / utt.amplitude
    noise = coloured_noise(utt.noise, len(wave), np.random.default_rng(utt.noise_seed))
    wave = wave + noise * reference_rms / 10 ** (utt.snr_db / 20)
    return (wave * GLOBAL_GAIN * 10 ** (utt.gain_db / 20)).astype(np.float32)


def write_audio(path: Path, wave: np.ndarray, fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if np.abs(wave).max() >= 1.0:
        raise RuntimeError(f"{path.name} would clip (peak {np.abs(wave).max():.2f}); lower GLOBAL_GAIN")
    if fmt == "flac":
        sf.write(path, wave, SAMPLE_RATE, format="FLAC", subtype="PCM_16")
    else:
        sf.write(path, wave, SAMPLE_RATE, format="OGG", subtype="VORBIS", compression_level=VORBIS_COMPRESSION)


def write_manifest(plans: list[Utterance], path: Path) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(asdict(plans[0])))
        writer.writeheader()
        writer.writerows(asdict(p) for p in plans)


def espeak_version() -> str:
    out = subprocess.run(["espeak-ng", "--version"], check=True, capture_output=True, text=True).stdout
    return out.split("  Data at")[0].strip()


def require_espeak() -> None:
    if shutil.which("espeak-ng") is None:
        sys.exit(
            "synthesize_demo: espeak-ng is not on PATH. Install it (Debian/Ubuntu: `apt-get install espeak-ng`, "
            "macOS: `brew install espeak-ng`) and run this script again."
        )


def write_readme(out: Path, seed: int, fmt: str, plans: list[Utterance]) -> None:
    (out / "README.txt").write_text(
        "Synthetic emotional speech for the offline demo of ser-pooling-bench (see docs/demo.md).\n"
        f"Made by: python scripts/synthesize_demo.py --seed {seed} --format {fmt}\n"
        f"With: {espeak_version()}\n"
        f"{len(plans)} utterances, {len(SPEAKERS)} speakers, {len(EMOTIONS)} emotions, 16 kHz mono.\n"
        "Licence: generated data, CC0.\n"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: bench/data/demo)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--format", choices=["ogg", "flac"], default="ogg", help="ogg: Vorbis, ~5 MB (shipped); flac: lossless, ~15 MB"
    )
    parser.add_argument("--jobs", type=int, default=2, help="espeak-ng processes at once")
    args = parser.parse_args(argv)
    require_espeak()
    plans = plan_corpus(args.seed, args.format)
    if (args.out / "audio").exists():
        shutil.rmtree(args.out / "audio")
    args.out.mkdir(parents=True, exist_ok=True)

    def one(utt: Utterance) -> None:
        write_audio(args.out / utt.path, render(utt), args.format)

    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        list(pool.map(one, plans))
    write_manifest(plans, args.out / "manifest.csv")
    write_readme(args.out, args.seed, args.format, plans)
    size = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    print(f"wrote {len(plans)} utterances to {args.out} ({size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
