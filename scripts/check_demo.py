#!/usr/bin/env python
"""Measure the demo corpus and check that it is what docs/demo.md says it is.

Usage::

    python scripts/check_demo.py                 # checks bench/data/demo
    python scripts/check_demo.py --corpus /tmp/demo

Prints, per emotion: speech-frame level, whole-file level, median F0 and its interquartile range
(semitones), speaking time, measured
leading/trailing silence; a Kruskal-Wallis test of silence length against emotion; and the
leave-one-speaker-out accuracy of a logistic regression on mean log-mel features pooled over all
frames (GAP-like) and over energy-detected speech frames only (SAP-like). Needs scikit-learn.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import kruskal

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.audio import load_audio  # noqa: E402

HOP, WIN, SR = 320, 400, 16_000


def frames(wave: np.ndarray) -> np.ndarray:
    """[T, 400] frames on the project's 25 ms / 20 ms grid."""
    n = 1 + (len(wave) - WIN) // HOP
    idx = np.arange(WIN)[None, :] + HOP * np.arange(n)[:, None]
    return wave[idx]


def frame_db(wave: np.ndarray) -> np.ndarray:
    return 10 * np.log10((frames(wave) ** 2).mean(axis=1) + 1e-12)


def energy_speech_mask(wave: np.ndarray, margin_db: float = 8.0, min_run: int = 3) -> np.ndarray:
    """Frames louder than the noise floor (10th percentile) by ``margin_db``, in runs of >= ``min_run``."""
    db = frame_db(wave)
    loud = db > np.percentile(db, 10) + margin_db
    mask = np.zeros_like(loud)
    start = None
    for i, on in enumerate(np.append(loud, False)):
        if on and start is None:
            start = i
        elif not on and start is not None:
            if i - start >= min_run:
                mask[start:i] = True
            start = None
    return mask


def edge_silences(mask: np.ndarray) -> tuple[float, float]:
    """Seconds before the first and after the last speech frame."""
    on = np.flatnonzero(mask)
    if not len(on):
        return len(mask) * HOP / SR, 0.0
    return on[0] * HOP / SR, (len(mask) - 1 - on[-1]) * HOP / SR


def f0_track(wave: np.ndarray, mask: np.ndarray, fmin: float = 60.0, fmax: float = 400.0) -> np.ndarray:
    """F0 (Hz) of the speech frames whose normalised autocorrelation peak exceeds 0.6."""
    lags = np.arange(int(SR / fmax), int(SR / fmin))
    f0s = []
    for frame in frames(wave)[mask]:
        x = frame - frame.mean()
        energy = np.cumsum(x**2)
        head, tail = energy[WIN - 1 - lags], energy[-1] - energy[lags - 1]
        r = np.array([x[: WIN - k] @ x[k:] for k in lags]) / np.sqrt(head * tail + 1e-12)
        best = int(np.argmax(r))
        if r[best] > 0.6:
            f0s.append(SR / lags[best])
    return np.array(f0s)


def f0_summary(wave: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    """Median F0 (Hz) and its interquartile range in semitones (a robust pitch-range measure)."""
    f0 = f0_track(wave, mask)
    if len(f0) < 4:
        return float("nan"), float("nan")
    q1, q3 = np.percentile(12 * np.log2(f0), [25, 75])
    return float(np.median(f0)), float(q3 - q1)


def mel_filterbank(n_mels: int = 40, n_fft: int = 512) -> np.ndarray:
    """[n_mels, n_fft // 2 + 1] triangular filters on the HTK mel scale."""
    mel = lambda f: 2595 * np.log10(1 + f / 700)  # noqa: E731
    hz = lambda m: 700 * (10 ** (m / 2595) - 1)  # noqa: E731
    edges = hz(np.linspace(mel(20), mel(SR / 2), n_mels + 2))
    bins = np.fft.rfftfreq(n_fft, 1 / SR)
    up = (bins[None, :] - edges[:-2, None]) / (edges[1:-1, None] - edges[:-2, None])
    down = (edges[2:, None] - bins[None, :]) / (edges[2:, None] - edges[1:-1, None])
    return np.clip(np.minimum(up, down), 0, None)


def log_mel(wave: np.ndarray, bank: np.ndarray) -> np.ndarray:
    spec = np.abs(np.fft.rfft(frames(wave) * np.hanning(WIN), 512)) ** 2
    return np.log(spec @ bank.T + 1e-8)


def measure(corpus: Path) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Per-utterance measurements, plus GAP-like and speech-only mean log-mel vectors."""
    manifest = pd.read_csv(corpus / "manifest.csv")
    bank = mel_filterbank()
    rows, gap, sap = [], [], []
    for utt in manifest.itertuples():
        wave = load_audio(corpus / utt.path)
        mask = energy_speech_mask(wave)
        db = frame_db(wave)
        lead, trail = edge_silences(mask)
        f0, f0_iqr = f0_summary(wave, mask)
        feats = log_mel(wave, bank)
        gap.append(feats.mean(axis=0))
        sap.append(feats[mask].mean(axis=0) if mask.any() else feats.mean(axis=0))
        rows.append(
            {
                "id": utt.id,
                "speaker": utt.speaker,
                "gender": utt.gender,
                "label": utt.label,
                "duration": len(wave) / SR,
                "speech_s": mask.sum() * HOP / SR,
                "speech_db": 10 * np.log10(np.mean(10 ** (db[mask] / 10))) if mask.any() else np.nan,
                "file_db": 10 * np.log10(np.mean(wave**2)),
                "f0": f0,
                "f0_iqr_st": f0_iqr,
                "lead": lead,
                "trail": trail,
                "lead_planned": utt.lead_silence,
                "trail_planned": utt.trail_silence,
            }
        )
    return pd.DataFrame(rows), np.array(gap), np.array(sap)


def loso_accuracy(x: np.ndarray, labels: pd.Series, speakers: pd.Series) -> float:
    """Unweighted accuracy of a standardised logistic regression, leave one speaker out."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pred = pd.Series(index=labels.index, dtype=object)
    for spk in speakers.unique():
        test = speakers == spk
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=0.1))
        model.fit(x[~test.values], labels[~test])
        pred[test] = model.predict(x[test.values])
    return balanced_accuracy_score(labels, pred.astype(str))


def report(corpus: Path) -> None:
    table, gap, sap = measure(corpus)
    size = sum(f.stat().st_size for f in corpus.rglob("*") if f.is_file())
    print(
        f"{corpus}: {len(table)} utterances, {table.speaker.nunique()} speakers, "
        f"{table.duration.sum() / 60:.1f} min, {size / 1e6:.2f} MB"
    )
    cols = ["speech_db", "file_db", "f0_iqr_st", "speech_s", "lead", "trail"]
    print(table.groupby("label")[cols].mean().round(2).to_string())
    print("median F0 (Hz) by gender and emotion:")
    print(table.pivot_table(index="gender", columns="label", values="f0", aggfunc="median").round(0).to_string())
    err = np.abs(np.r_[table.lead - table.lead_planned, table.trail - table.trail_planned])
    print(
        f"measured vs planned edge silence: median |error| {np.median(err):.3f} s, 95th pct {np.percentile(err, 95):.3f} s"
    )
    for col in ("lead", "trail"):
        groups = [g[col].values for _, g in table.groupby("label")]
        print(f"Kruskal-Wallis {col} silence ~ emotion: p = {kruskal(*groups).pvalue:.3f}")
    print(f"speech frames with non-silent middle: {(table.speech_s > 0.5).mean():.0%} of files have > 0.5 s speech")
    print(
        f"LOSO UA, logistic regression on mean log-mel: all frames (GAP-like) {loso_accuracy(gap, table.label, table.speaker):.3f}, "
        f"speech frames (SAP-like) {loso_accuracy(sap, table.label, table.speaker):.3f}, chance 0.250"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Measure the demo corpus.")
    parser.add_argument("--corpus", type=Path, default=REPO / "bench" / "data" / "demo")
    report(parser.parse_args().corpus)


if __name__ == "__main__":
    main()
