"""Fold plans as data: which utterances train, validate and test in each fold.

A plan is a DataFrame with one row per (fold, utterance): ``fold, id, speaker, role`` where role
is ``train``, ``valid`` or ``test``. It is written as ``folds.csv`` next to a run and read back
unchanged, so every job of a run (and a later run) uses exactly the same split.

Protocols:
- ``loso``: leave one speaker out (the SAP paper: 8 train / 1 validation / 1 test speakers on
  IEMOCAP). Validation speaker rule ``session`` (default): the other speaker of the test
  speaker's session; where a session has no other speaker (or the corpus has no sessions) the
  next speaker in sorted order is used instead. ``next``: always the next speaker in sorted
  order (cyclic). ``none``: no validation speaker.
- ``loso-session``: leave one session out (SUPERB). Validation ``next`` (default): the next
  session in sorted order (cyclic) validates; ``none``: no validation.
- ``predefined``: the folds of a user-given fold file (``--split-file``, ``bench.split_file``),
  or one fold from the manifest's ``split`` column (train / valid / test; the spellings dev,
  val, validation mean valid).
- ``cross-corpus``: a manifest joined by ``bench.cross_corpus`` (a ``corpus`` column, the training
  corpus first): fold k tests every utterance of the k-th test corpus and trains on the training
  corpus. Validation ``speaker`` (default): the training corpus's first speaker in sorted order
  validates; ``none``: no validation. Utterances of the other test corpora have no row in fold k.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bench.errors import BenchError

PROTOCOLS = ("loso", "loso-session", "predefined", "cross-corpus")
ROLES = ("train", "valid", "test")
VALIDATION_RULES = {
    "loso": ("session", "next", "none"),
    "loso-session": ("next", "none"),
    "predefined": ("split",),
    "cross-corpus": ("speaker", "none"),
}
PLAN_COLUMNS = ["fold", "id", "speaker", "role"]
_SPLIT_NAMES = {
    "train": "train",
    "training": "train",
    "valid": "valid",
    "dev": "valid",
    "val": "valid",
    "validation": "valid",
    "test": "test",
    "eval": "test",
}


def fold_plan(manifest: pd.DataFrame, protocol: str = "loso", validation: str | None = None) -> pd.DataFrame:
    """Build the plan of ``protocol`` over ``manifest`` (columns id, speaker, session[, split])."""
    if protocol not in PROTOCOLS:
        raise BenchError(f"unknown protocol {protocol!r}; valid protocols: {', '.join(PROTOCOLS)}")
    rule = validation or VALIDATION_RULES[protocol][0]
    if rule not in VALIDATION_RULES[protocol]:
        raise BenchError(f"protocol {protocol!r} takes validation rules {VALIDATION_RULES[protocol]}, not {rule!r}")
    if manifest.empty:
        raise BenchError("the manifest is empty: no utterance to split into folds")
    if protocol == "predefined":
        plan = _predefined(manifest)
    elif protocol == "cross-corpus":
        plan = _cross_corpus(manifest, rule)
    else:
        group_col = "speaker" if protocol == "loso" else "session"
        if protocol == "loso-session" and (manifest["session"] == "").any():
            raise BenchError(
                "protocol 'loso-session' needs a session for every utterance; this corpus has none: use --protocol loso"
            )
        plan = _leave_one_group_out(manifest, group_col, rule)
    check_plan(plan, speaker_disjoint=protocol != "predefined")
    return plan


def _cross_corpus(manifest: pd.DataFrame, rule: str) -> pd.DataFrame:
    if "corpus" not in manifest.columns:
        raise BenchError("protocol 'cross-corpus' needs test corpora: give --test ADAPTER=DIR (or a manifest .csv)")
    names = list(dict.fromkeys(manifest["corpus"]))
    if len(names) < 2:
        raise BenchError(f"protocol 'cross-corpus' needs a training corpus and at least one test corpus; found {names}")
    train = manifest[manifest["corpus"] == names[0]]
    speakers = sorted(train["speaker"].unique())
    if len(speakers) < 1 + (rule != "none"):
        raise BenchError(
            f"training corpus {names[0]!r} has {len(speakers)} speaker(s): too few to hold one out for "
            f"validation; use --validation none"
        )
    valid = speakers[0] if rule == "speaker" else None
    train_roles = train["speaker"].map(lambda s: "valid" if s == valid else "train")
    parts = []
    for fold, name in enumerate(names[1:]):
        test = manifest[manifest["corpus"] == name]
        parts.append(
            pd.DataFrame(
                {
                    "fold": fold,
                    "id": pd.concat([train["id"], test["id"]]),
                    "speaker": pd.concat([train["speaker"], test["speaker"]]),
                    "role": pd.concat([train_roles, pd.Series("test", index=test.index)]),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _leave_one_group_out(manifest: pd.DataFrame, group_col: str, rule: str) -> pd.DataFrame:
    groups = sorted(manifest[group_col].unique())
    if len(groups) < 2 + (rule != "none"):
        raise BenchError(
            f"leave-one-{group_col}-out needs at least {2 + (rule != 'none')} {group_col}s, found {len(groups)}"
        )
    parts = []
    for fold, test_group in enumerate(groups):
        valid_group = None if rule == "none" else _validation_group(manifest, groups, test_group, group_col, rule)
        role = manifest[group_col].map(
            lambda g: "test" if g == test_group else "valid" if g == valid_group else "train"
        )
        parts.append(pd.DataFrame({"fold": fold, "id": manifest["id"], "speaker": manifest["speaker"], "role": role}))
    return pd.concat(parts, ignore_index=True)


def _validation_group(manifest, groups, test_group, group_col, rule):
    """The group that validates when ``test_group`` is tested."""
    if rule == "session" and group_col == "speaker":
        session = manifest.loc[manifest["speaker"] == test_group, "session"].iloc[0]
        if session:
            partners = sorted(set(manifest.loc[manifest["session"] == session, "speaker"]) - {test_group})
            if partners:
                return partners[0]
    return groups[(groups.index(test_group) + 1) % len(groups)]


def role_name(text: str) -> str | None:
    """'Dev' -> 'valid', ' TRAIN' -> 'train'; None for a word that names no role."""
    return _SPLIT_NAMES.get(str(text).strip().lower())


def _predefined(manifest: pd.DataFrame) -> pd.DataFrame:
    if "split" not in manifest.columns:
        raise BenchError(
            "protocol 'predefined' needs a fold file (--split-file FILE.csv, the format `bench folds` "
            "writes) or a 'split' column (train/valid/test) in the manifest"
        )
    split = manifest["split"].map(role_name)
    unknown = sorted(set(manifest.loc[split.isna(), "split"].astype(str)))
    if unknown:
        raise BenchError(f"split column holds {unknown}; expected one of train, valid (dev, val, validation), test")
    return pd.DataFrame({"fold": 0, "id": manifest["id"], "speaker": manifest["speaker"], "role": split})


def check_plan(plan: pd.DataFrame, speaker_disjoint: bool = True) -> None:
    """Raise BenchError unless every fold has train and test utterances and, for speaker-independent
    protocols, no speaker has two roles within a fold."""
    missing = [c for c in PLAN_COLUMNS if c not in plan.columns]
    if missing:
        raise BenchError(f"fold plan lacks columns {missing}; expected {PLAN_COLUMNS}")
    bad_roles = set(plan["role"]) - set(ROLES)
    if bad_roles:
        raise BenchError(f"fold plan has roles {sorted(bad_roles)}; expected {ROLES}")
    for fold, rows in plan.groupby("fold"):
        roles = set(rows["role"])
        if not {"train", "test"} <= roles:
            raise BenchError(f"fold {fold} lacks a {'train' if 'train' not in roles else 'test'} set")
        if speaker_disjoint and rows.groupby("speaker")["role"].nunique().max() > 1:
            raise BenchError(f"fold {fold} puts one speaker in two roles: the folds are not speaker-independent")


def write_plan(plan: pd.DataFrame, path: str | Path) -> None:
    """Write a plan as CSV (``folds.csv``)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    plan[PLAN_COLUMNS].to_csv(path, index=False)


def read_plan(path: str | Path) -> pd.DataFrame:
    """Read a plan written by ``write_plan`` and check it."""
    path = Path(path)
    if not path.is_file():
        raise BenchError(f"fold plan not found: {path}")
    # keep_default_na=False: ids and speakers such as "NA", "nan" or "None" stay strings
    plan = pd.read_csv(path, dtype={"id": str, "speaker": str, "role": str}, keep_default_na=False)
    check_plan(plan, speaker_disjoint=False)
    return plan


def fold_summary(plan: pd.DataFrame) -> pd.DataFrame:
    """One row per fold: the test and validation speakers and the utterance count per role."""
    rows = []
    for fold, part in plan.groupby("fold"):
        speakers = {r: sorted(part.loc[part["role"] == r, "speaker"].unique()) for r in ROLES}
        counts = part["role"].value_counts()
        rows.append(
            {
                "fold": fold,
                "test_speakers": " ".join(speakers["test"]),
                "valid_speakers": " ".join(speakers["valid"]),
                **{f"n_{r}": int(counts.get(r, 0)) for r in ROLES},
            }
        )
    return pd.DataFrame(rows)


def split_ids(plan: pd.DataFrame, fold: int) -> dict[str, list[str]]:
    """{role: [utterance ids]} of one fold."""
    part = plan[plan["fold"] == fold]
    return {r: part.loc[part["role"] == r, "id"].tolist() for r in ROLES}
