"""A small hand-made run folder in the layout of docs/architecture.md ("Run folder").

A uniquely named module (not conftest) so that tests can import it in a full-suite run."""

import csv

import numpy as np
import yaml

CELLS = {"fbank|webrtc|gap": "gap", "fbank|webrtc|sap": "sap", "fbank|webrtc|sr": "sr"}
CLASSES = ["angry", "happy", "neutral", "sad"]
FOLDS, SEEDS = range(5), (0, 1)
FAILED = ("fbank|webrtc|sr", 4, 1)  # (cell, fold, seed) of the one failed job
RESULT_COLS = [
    "job",
    "cell",
    "backbone",
    "vad",
    "pooler",
    "protocol",
    "fold",
    "test_speaker",
    "seed",
    "lr",
    "ua",
    "wa",
    "macro_f1",
    "valence_ccc",
    "arousal_ccc",
    "valence_mae",
    "arousal_mae",
    "n_test",
    "epochs",
    "best_epoch",
    "seconds",
    "status",
    "error",
]


def _write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def build_run(root, dataset="iemocap", protocol="loso", expected_jobs=32):
    """Write config.yaml, results.csv, predictions.csv and history.csv under ``root``; return root."""
    rng = np.random.default_rng(123)
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.yaml").write_text(
        yaml.safe_dump(
            {
                "dataset": dataset,
                "protocol": protocol,
                "classes": CLASSES,
                "expected_jobs": expected_jobs,
                "grid": {"poolers": list(CELLS.values()), "seeds": list(SEEDS)},
            }
        )
    )
    results, predictions, history = [], [], []
    for offset, (cell, pooler) in enumerate(CELLS.items()):
        for fold in FOLDS:
            for seed in SEEDS:
                job = f"{cell.replace('|', '-')}-f{fold}-s{seed}"
                failed = (cell, fold, seed) == FAILED
                ua, wa = 0.60 + 0.02 * offset + rng.normal(0, 0.03), 0.62 + 0.02 * offset + rng.normal(0, 0.03)
                metrics = [""] * 7 if failed else [ua, wa, ua - 0.01, 0.4, 0.5, 0.6, 0.7]
                results.append(
                    [
                        job,
                        cell,
                        "fbank",
                        "webrtc",
                        pooler,
                        protocol,
                        fold,
                        f"spk{fold}",
                        seed,
                        0.001,
                        *metrics,
                        8,
                        4,
                        3,
                        1.5,
                        "failed" if failed else "ok",
                        "RuntimeError: CUDA out of memory" if failed else "",
                    ]
                )
                if failed:
                    continue
                for i in range(8):
                    true, pred = CLASSES[i % 4], CLASSES[rng.integers(4)] if rng.random() < 0.4 else CLASSES[i % 4]
                    probs = rng.dirichlet(np.ones(4))
                    predictions.append(
                        [job, cell, fold, seed, f"u{fold}_{i}", f"spk{fold}", true, pred, *probs, 3.0, 3.1, 2.5, 2.4]
                    )
                for epoch in range(1, 4 + seed):
                    history.append([job, cell, fold, seed, epoch, 1.5 / epoch, 1.2 / epoch + 0.05 * offset, ua, 1e-3])
    _write_csv(root / "results.csv", RESULT_COLS, results)
    _write_csv(
        root / "predictions.csv",
        [
            "job",
            "cell",
            "fold",
            "seed",
            "id",
            "speaker",
            "true",
            "pred",
            *[f"prob_{c}" for c in CLASSES],
            "valence_true",
            "valence_pred",
            "arousal_true",
            "arousal_pred",
        ],
        predictions,
    )
    _write_csv(
        root / "history.csv",
        ["job", "cell", "fold", "seed", "epoch", "train_loss", "valid_loss", "valid_ua", "lr"],
        history,
    )
    return root
