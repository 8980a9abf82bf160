"""What the run folder records about its data, for the report's accounting (bench.report.accounting):

    RUN/skipped.csv   id, path, reason, detail: every file extraction skipped (any backbone/VAD)
    RUN/speech.csv    id, vad, backbone, frames, speech_frames: the VAD's decisions on the frame grid

Both are rewritten after extraction, atomically, from the feature stores (masks only: no
feature is read). ``feature_records`` is what config.yaml records of each feature set (``features``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bench.runner.store import atomic_write_text


def skipped_table(stores: dict, manifest: pd.DataFrame) -> pd.DataFrame:
    paths = dict(zip(manifest["id"].astype(str), manifest["path"].astype(str)))
    rows = {}
    for store in stores.values():
        for utt_id, s in store.skipped.items():
            rows.setdefault(
                utt_id, {"id": utt_id, "path": paths.get(utt_id, ""), "reason": s.reason, "detail": s.detail}
            )
    return pd.DataFrame(list(rows.values()), columns=["id", "path", "reason", "detail"])


def speech_table(stores: dict) -> pd.DataFrame:
    """One row per utterance and feature set; ``stores`` maps (backbone, vad, ...) to a FeatureStore."""
    rows = []
    for (backbone, vad, *_), store in stores.items():  # key: (backbone, vad, vad options...)
        for utt_id in store.ids:
            speech = np.load(store.mask_path(utt_id), mmap_mode="r")
            rows.append(
                {
                    "id": utt_id,
                    "vad": vad,
                    "backbone": backbone,
                    "frames": int(speech.shape[0]),
                    "speech_frames": int(np.count_nonzero(speech)),
                }
            )
    return pd.DataFrame(rows, columns=["id", "vad", "backbone", "frames", "speech_frames"])


def write_accounting(run_dir: Path, stores: dict, manifest: pd.DataFrame) -> pd.DataFrame:
    """Write skipped.csv and speech.csv; return the skipped table."""
    skipped = skipped_table(stores, manifest)
    atomic_write_text(Path(run_dir) / "skipped.csv", skipped.to_csv(index=False))
    atomic_write_text(Path(run_dir) / "speech.csv", speech_table(stores).to_csv(index=False))
    return skipped


def feature_records(stores: dict, finetune: bool = False) -> list[dict]:
    """Per feature set (``stores``: (backbone, vad, vad options) -> FeatureStore): the backbone's resolved
    revision (backbones.base.resolved_revision), the hidden states kept, width, dtype and the VAD's
    settings. Fine-tuning caches only masks (made with fbank): its backbone is loaded by each job."""
    from backbones.base import resolved_revision

    out = []
    for (backbone, vad, *_), store in stores.items():
        vad_settings = {k: v for k, v in store.vad_identity.items() if k not in ("name", "rule", "version")}
        entry = {"backbone": backbone, "vad": vad, "vad_settings": vad_settings}
        if finetune:
            entry["revision"] = "loaded by each fine-tuning job: its record's backbone_revision"
        else:
            entry.update(
                revision=resolved_revision(store.backbone_identity),
                layers=list(store.layers),
                hidden_size=int(store.dim),
                dtype=store.backbone_identity.get("dtype"),
            )
        out.append(entry)
    return out
