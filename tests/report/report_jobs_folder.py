"""A run folder as `bench run` leaves it while running or after an interruption: config.yaml,
manifest.csv, folds.csv and jobs/<job>.json records (written with the runner's own ResultsStore),
but no results.csv. Records carry the convergence columns of issue 10 and probe cells.

Cells (backbone fbank, vad webrtc, 5 LOSO folds, seed 0):
    gap, sr          trained to convergence (UA near the probe)
    sap              one epoch at a 1-epoch limit, still improving: far below probe-sap-noattn
    probe-gap, probe-sap-noattn, probe-stats   the convex reference probes (epochs 0, no history)
"""

import numpy as np
import pandas as pd
import yaml

from bench.runner.store import ResultsStore

CLASSES = ["angry", "happy", "neutral", "sad"]
SPEAKERS = [f"spk{i}" for i in range(5)]
UA = {"gap": 0.60, "sap": 0.35, "sr": 0.63, "probe-gap": 0.61, "probe-sap-noattn": 0.62, "probe-stats": 0.58}
STEPS = {"gap": 400, "sap": 3, "sr": 400}
PER_SPEAKER = 8  # utterances per test speaker, 2 per class
LAYERS = 4


def manifest() -> pd.DataFrame:
    rows = [
        {
            "id": f"{s}_{i}",
            "path": f"audio/{s}_{i}.wav",
            "speaker": s,
            "session": s,
            "label": CLASSES[i % 4],
            "valence": 3.0,
            "arousal": 3.0,
            "duration": 2.0,
            "sample_rate": 16000,
        }
        for s in SPEAKERS
        for i in range(PER_SPEAKER)
    ]
    return pd.DataFrame(rows)


def folds() -> pd.DataFrame:
    """One row per (fold, utterance) with its role, in bench.folds' plan layout."""
    rows = []
    for fold, test in enumerate(SPEAKERS):
        valid = SPEAKERS[(fold + 1) % len(SPEAKERS)]
        for s in SPEAKERS:
            role = "test" if s == test else "valid" if s == valid else "train"
            rows += [{"fold": fold, "id": f"{s}_{i}", "speaker": s, "role": role} for i in range(PER_SPEAKER)]
    return pd.DataFrame(rows)


def _predictions(job, cell, fold, ua, rng) -> pd.DataFrame:
    """Test predictions of one job: each true class is recognised with probability ``ua``."""
    rows = []
    for i in range(PER_SPEAKER):
        true = CLASSES[i % 4]
        pred = true if rng.random() < ua else CLASSES[(i + 1) % 4]
        rows.append(
            {
                "job": job,
                "cell": cell,
                "fold": fold,
                "seed": 0,
                "id": f"{SPEAKERS[fold]}_{i}",
                "speaker": SPEAKERS[fold],
                "true": true,
                "pred": pred,
            }
        )
    return pd.DataFrame(rows)


def record(pooler, fold, rng, extra=None) -> dict:
    cell = f"fbank|webrtc|{pooler}"
    job = f"{pooler}-fbank-webrtc-s0-f{fold:02d}-{abs(hash(cell)) % 10**8:08d}"
    probe = pooler.startswith("probe-")
    undertrained = pooler == "sap"
    epochs = 0 if probe else 1 if undertrained else 30
    ua = UA[pooler] + rng.normal(0, 0.01)
    rec = {
        "job": job,
        "cell": cell,
        "backbone": "fbank",
        "vad": "webrtc",
        "pooler": pooler,
        "protocol": "loso",
        "fold": fold,
        "test_speaker": SPEAKERS[fold],
        "seed": 0,
        "ua": ua,
        "wa": ua + 0.01,
        "macro_f1": ua - 0.02,
        "n_test": PER_SPEAKER,
        "train_ua": 0.3 if undertrained else 0.9,
        "train_loss": 1.3 if undertrained else 0.4,
        "epochs": epochs,
        "best_epoch": epochs,
        "max_epochs": 0 if probe else 1 if undertrained else 60,
        "steps": 0 if probe else STEPS[pooler],
        "still_improving": undertrained,
        "status": "ok",
        "error": None,
        "seconds": 1.0,
        "history": []
        if probe
        else [
            {"epoch": e, "train_loss": 1.4 / e, "valid_loss": 1.3 / e + 0.1, "valid_ua": ua, "lr": 1e-3}
            for e in range(1, epochs + 1 - fold % 2)
        ],
    }
    if not probe:
        weights = rng.dirichlet(np.ones(LAYERS))
        rec["layer_weights"] = [float(w) for w in weights]
    rec.update(extra or {})
    return rec


def build_jobs_run(root, expected_jobs=None, skip=(), config_extra=None):
    """Write the folder under ``root`` and return it. skip: (pooler, fold) pairs not written (not finished yet)."""
    rng = np.random.default_rng(7)
    root.mkdir(parents=True, exist_ok=True)
    cells = list(UA)
    config = {
        "dataset": "demo",
        "protocol": "loso",
        "validation": None,
        "backbone": "fbank",
        "vad": "webrtc",
        "vad_options": {},
        "grid": {"pooler": ["gap", "sap", "sr"]},
        "train": {"epochs": 1},
        "params": {},
        "pooler_params": {},
        "classes": CLASSES,
        "expected_jobs": expected_jobs or len(cells) * len(SPEAKERS),
        "environment": {"python": "3.11.7", "packages": {"torch": "2.13.0+cpu", "scikit-learn": "1.9.1"}},
    }
    config.update(config_extra or {})
    (root / "config.yaml").write_text(yaml.safe_dump(config))
    manifest().to_csv(root / "manifest.csv", index=False)
    folds().to_csv(root / "folds.csv", index=False)
    store = ResultsStore(root)
    for pooler in cells:
        for fold in range(len(SPEAKERS)):
            if (pooler, fold) in skip:
                continue
            rec = record(pooler, fold, rng)
            store.write(rec, _predictions(rec["job"], rec["cell"], fold, rec["ua"], rng))
    return root


def console_summary(root, monkeypatch) -> str:
    """What `bench run`'s end-of-run summary prints for the run folder ``root`` (click.echo captured)."""
    import click

    from bench.report import load_run
    from bench.runner.summary import print_summary

    lines = []
    monkeypatch.setattr(click, "echo", lambda text="": lines.append(str(text)))
    print_summary(load_run(root).results, root)
    return "\n".join(lines)
