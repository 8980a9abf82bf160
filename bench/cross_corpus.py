"""Cross-corpus data: one training corpus and test corpora joined into one manifest over shared classes.

    bench run --dataset iemocap --data-dir A --test emodb=B --test ravdess=C [--class-map map.yaml]

A test corpus is ``ADAPTER=DIR`` (``bench list datasets``), ``ADAPTER`` alone for one that needs
no folder (the demo), or a manifest CSV. A corpus is named by its adapter, by its folder's name
for the ``csv`` adapter, and by the file's stem for a manifest; ids, speakers and sessions get
``NAME/`` in front so that corpora never share one, and the ``corpus`` column says which is which.
The fold plan (``bench.folds``, protocol ``cross-corpus``) then tests one corpus per fold.

Classes: by default the class names every corpus shares (at least 2, else refused). A class map
(YAML) renames and merges instead; one mapping per corpus name, labels it leaves out are dropped::

    iemocap: {neutral: neutral, happy: happy, excited: happy, angry: angry, sad: sad}
    emodb:   {neutral: neutral, happy: happy, angry: angry, sad: sad}

Every test corpus's mapped classes must be classes of the training corpus (a head cannot predict a
class it never saw); the map itself is recorded in config.yaml.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bench.errors import BenchError

PREFIXED = ("id", "speaker", "session")


def corpus_name(dataset: str | None, data_dir: str | None = None, manifest: str | None = None) -> str:
    """The name a corpus goes by in ids, the class map and the results."""
    if manifest:
        return Path(manifest).stem
    if dataset == "csv" and data_dir:
        return Path(data_dir).expanduser().resolve().name
    return str(dataset)


def parse_test(spec: str) -> dict:
    """'emodb=~/EmoDB' -> {dataset, data_dir, manifest}; a path ending in .csv is a manifest."""
    spec = str(spec).strip()
    if spec.lower().endswith(".csv") and "=" not in spec:
        return {"dataset": None, "data_dir": None, "manifest": spec}
    dataset, _, data_dir = spec.partition("=")
    if not dataset:
        raise BenchError(
            f"--test {spec!r}: expected ADAPTER=DIR (e.g. emodb=~/corpora/EmoDB), ADAPTER, or a manifest .csv"
        )
    return {"dataset": dataset.strip(), "data_dir": data_dir.strip() or None, "manifest": None}


def load_test_manifest(spec: str) -> tuple[str, pd.DataFrame]:
    """(name, manifest) of one --test corpus, prepared with its default class set."""
    from bench.datasets import prepare_dataset
    from bench.manifest import read_manifest

    where = parse_test(spec)
    name = corpus_name(**where)
    try:
        if where["manifest"]:
            return name, read_manifest(where["manifest"])
        return name, prepare_dataset(where["dataset"], where["data_dir"], None).manifest
    except BenchError as exc:
        raise BenchError(
            f"--test {spec}: {exc}\n(a test corpus is ADAPTER=DIR, e.g. emodb=~/corpora/EmoDB, or a manifest .csv)"
        ) from exc


def _mapped(name: str, manifest: pd.DataFrame, class_map: dict | None) -> pd.DataFrame:
    if class_map is None:
        return manifest
    if name not in class_map or not isinstance(class_map[name], dict):
        raise BenchError(
            f"the class map has no mapping for corpus {name!r} (it maps {', '.join(map(str, class_map))}); "
            f"add `{name}: {{LABEL: CLASS, ...}}` with the labels {sorted(set(manifest['label']))}"
        )
    mapping = {str(k): str(v) for k, v in class_map[name].items()}
    unknown = sorted(set(mapping) - set(manifest["label"]))
    if unknown:
        raise BenchError(
            f"the class map's {name!r} entry maps labels {unknown} that corpus does not have; "
            f"its labels: {sorted(set(manifest['label']))}"
        )
    kept = manifest[manifest["label"].isin(mapping)]
    return kept.assign(label=kept["label"].map(mapping))


def _shared_classes(labels: dict[str, set], class_map: dict | None) -> list[str]:
    """The classes of the joined corpora: the training corpus's (first) when every test corpus's
    classes are among them (class map), else the names all corpora share (default)."""
    names = list(labels)
    train, tests = labels[names[0]], names[1:]
    if class_map is not None:
        for name in tests:
            unseen = sorted(labels[name] - train)
            if unseen:
                raise BenchError(
                    f"the class map gives test corpus {name!r} classes {unseen} that the training corpus "
                    f"{names[0]!r} lacks (it has {sorted(train)}); map them onto its classes or drop them"
                )
        classes = sorted(train)
    else:
        classes = sorted(set.intersection(*labels.values()))
    if len(classes) < 2:
        found = "; ".join(f"{n}: {', '.join(sorted(v))}" for n, v in labels.items())
        raise BenchError(
            f"the corpora share {len(classes)} class(es) ({', '.join(classes) or 'none'}); cross-corpus "
            f"evaluation needs at least 2. Their classes: {found}. Give a class map (--class-map "
            f"FILE.yaml) that maps each corpus's labels onto shared classes (docs/cross-corpus.md)"
        )
    return classes


def combined_manifest(corpora: list[tuple[str, pd.DataFrame]], class_map: dict | None = None) -> pd.DataFrame:
    """One manifest of ``corpora`` ([(name, manifest)], the training corpus first) over their
    shared classes: a ``corpus`` column, ``NAME/`` before ids, speakers and sessions."""
    names = [n for n, _ in corpora]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise BenchError(
            f"corpus {twice[0]!r} is named twice (training corpus: {names[0]!r}, test corpora: "
            f"{', '.join(names[1:])}); each corpus of a cross-corpus run must be a different one "
            f"(within one corpus use --protocol loso)"
        )
    mapped = [(n, _mapped(n, m, class_map)) for n, m in corpora]
    classes = _shared_classes({n: set(m["label"]) for n, m in mapped}, class_map)
    parts = []
    for name, manifest in mapped:
        kept = manifest[manifest["label"].isin(classes)]
        if kept.empty:
            raise BenchError(f"corpus {name!r} has no utterance of the classes {', '.join(classes)}")
        prefixed = {c: (name + "/" + kept[c].astype(str)).where(kept[c].astype(str) != "", "") for c in PREFIXED}
        parts.append(kept.assign(**prefixed, corpus=name))
    return pd.concat(parts, ignore_index=True)
