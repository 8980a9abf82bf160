"""Cross-corpus results: each (cell, training corpus, test corpus) with a 95% t interval over TEST SPEAKERS.

In a cross-corpus run (protocol ``cross-corpus``, ``bench.cross_corpus``) fold k tests the k-th
test corpus, so an interval over folds would mix corpora. Here each test speaker is one
observation: their UA (over the classes they have) is averaged over seeds, then
``mean ± t * s / sqrt(n)`` over the n test speakers. ``ua_pooled``: UA of all the pair's test
utterances together (mean over seeds), the number most cross-corpus papers report.

    pair_names(run_dir) -> {fold: (train, test)}
    speaker_scores(predictions) -> one row per (cell, fold, speaker)
    pair_table(predictions, pairs) -> one row per (cell, train, test)
    write_pair_table(run_dir) -> RUN/cross_corpus.csv (written by `bench run` at the end)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

PROTOCOL = "cross-corpus"
PAIR_FILE = "cross_corpus.csv"
PAIR_COLUMNS = ["cell", "train", "test", "n_speakers", "ua_mean", "ua_low", "ua_high", "ua_pooled"]


def pair_names(run_dir: Path) -> dict[int, tuple[str, str]]:
    """{fold: (training corpus, test corpus)} from the run's manifest.csv (its corpus column) and folds.csv."""
    from bench.folds import read_plan
    from bench.manifest import read_manifest

    run_dir = Path(run_dir)
    corpus = read_manifest(run_dir / "manifest.csv").set_index("id")["corpus"]
    plan = read_plan(run_dir / "folds.csv")
    out = {}
    for fold, part in plan.groupby("fold"):
        name = {r: sorted(set(corpus.loc[part.loc[part["role"] == r, "id"]])) for r in ("train", "test")}
        out[int(fold)] = (", ".join(name["train"]), ", ".join(name["test"]))
    return out


def speaker_scores(predictions: pd.DataFrame) -> pd.DataFrame:
    """UA per (cell, fold, speaker), mean over seeds: columns cell, fold, speaker, ua, n_utterances."""
    from bench.stats import unweighted_accuracy

    rows = [
        {
            "cell": cell,
            "fold": fold,
            "speaker": speaker,
            "seed": seed,
            "n_utterances": len(part),
            "ua": unweighted_accuracy(part["true"].astype(str), part["pred"].astype(str)),
        }
        for (cell, fold, speaker, seed), part in predictions.groupby(["cell", "fold", "speaker", "seed"])
    ]
    per_seed = pd.DataFrame(rows, columns=["cell", "fold", "speaker", "seed", "n_utterances", "ua"])
    return per_seed.groupby(["cell", "fold", "speaker"], as_index=False).agg(
        ua=("ua", "mean"), n_utterances=("n_utterances", "first")
    )


def pair_table(predictions: pd.DataFrame, pairs: dict[int, tuple[str, str]], confidence: float = 0.95) -> pd.DataFrame:
    """One row per (cell, train, test): ``PAIR_COLUMNS``, UA in percent, interval over test speakers."""
    from bench.stats import unweighted_accuracy
    from bench.stats.intervals import t_ci

    speakers = speaker_scores(predictions)
    rows = []
    for (cell, fold), part in speakers.groupby(["cell", "fold"], sort=False):
        ci = t_ci(part["ua"].to_numpy() * 100, confidence)
        tested = predictions[(predictions["cell"] == cell) & (predictions["fold"] == fold)]
        pooled = (
            tested.groupby("seed")
            .apply(lambda p: unweighted_accuracy(p["true"].astype(str), p["pred"].astype(str)), include_groups=False)
            .mean()
        )
        train, test = pairs.get(int(fold), ("?", "?"))
        rows.append([cell, train, test, ci.n, ci.estimate, ci.low, ci.high, 100 * pooled])
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def display(table: pd.DataFrame, level: str = "95% CI") -> pd.DataFrame:
    """The pair table as shown: UA % (CI) over test speakers and the pooled UA."""

    def interval(r):
        return f"{r.ua_mean:.2f} (n/a)" if pd.isna(r.ua_low) else f"{r.ua_mean:.2f} ({r.ua_low:.2f}, {r.ua_high:.2f})"

    return pd.DataFrame(
        {
            "cell": table["cell"],
            "train": table["train"],
            "test": table["test"],
            "test speakers": table["n_speakers"],
            f"UA % ({level} over test speakers)": [interval(r) for r in table.itertuples()],
            "UA % (all test utterances)": table["ua_pooled"].map(lambda v: f"{v:.2f}"),
        }
    )


CAPTION = (
    "Cross-corpus: UA of each (cell, training corpus, test corpus); mean and 95% t interval over the test "
    "corpus's speakers (each speaker's UA over the classes they have, averaged over seeds), and UA over all "
    "the test utterances (mean over seeds)"
)


def run_pair_table(run_dir: Path, results: pd.DataFrame) -> pd.DataFrame:
    """The pair table of a run folder's finished jobs (from predictions.csv)."""
    run_dir = Path(run_dir)
    predictions = pd.read_csv(
        run_dir / "predictions.csv", dtype={"id": str, "speaker": str, "true": str, "pred": str}, keep_default_na=False
    )
    ok = set(results.loc[results["status"] == "ok", "job"])
    return pair_table(predictions[predictions["job"].isin(ok)], pair_names(run_dir))


def write_pair_table(run_dir: Path, results: pd.DataFrame) -> pd.DataFrame:
    from bench.runner.store import atomic_write_text

    table = run_pair_table(run_dir, results)
    atomic_write_text(Path(run_dir) / PAIR_FILE, table.to_csv(index=False))
    return table
