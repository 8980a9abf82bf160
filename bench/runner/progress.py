"""Progress of a grid: one line per finished job (count, elapsed time, ETA), and on a terminal a bar
with the running job's epoch.

The ETA weights every job by the measured time of its pooler: a grid of fast gap jobs and slow sap
jobs is not extrapolated from the gap jobs alone. Lines go to stderr whether or not it is a
terminal, so a log file, CI or Slurm output shows the progress too.
"""

from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict

from tqdm import tqdm


class WeightedEta:
    """Remaining wall time of a grid from the jobs finished so far.

    Each remaining job weighs the mean measured seconds of its pooler (the mean over all finished
    jobs while its pooler has none). ETA = elapsed wall time x remaining weight / finished weight,
    which also holds when several workers run jobs at once."""

    def __init__(self, poolers: list[str]):
        self.remaining = Counter(poolers)
        self.seconds: dict[str, list[float]] = defaultdict(list)

    def finished(self, pooler: str, seconds: float | None) -> None:
        """One job of ``pooler`` finished after ``seconds`` of work (None: unknown, e.g. a crash)."""
        if self.remaining[pooler] > 0:
            self.remaining[pooler] -= 1
        if seconds is not None and seconds > 0:
            self.seconds[pooler].append(float(seconds))

    def eta(self, elapsed: float) -> float | None:
        """Seconds left, or None before any job has a measured time."""
        measured = [s for times in self.seconds.values() for s in times]
        if not measured:
            return None
        overall = sum(measured) / len(measured)
        left = sum(
            n * (sum(self.seconds[p]) / len(self.seconds[p]) if self.seconds[p] else overall)
            for p, n in self.remaining.items()
        )
        return elapsed * left / sum(measured)


def clock_text(seconds: float | None) -> str:
    """``h:mm:ss`` (``m:ss`` under an hour); ``?`` for unknown."""
    if seconds is None:
        return "?"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class JobProgress:
    """``poolers``: the pooler of each job to run, in any order."""

    def __init__(self, poolers: list[str], show_epochs: bool, stream=None, clock=time.monotonic):
        self.stream = stream or sys.stderr
        self.total, self.done = len(poolers), 0
        self.eta = WeightedEta(poolers)
        self.clock, self.started = clock, clock()
        bar_format = "{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}{postfix}]"  # our ETA, not tqdm's unweighted one
        self.bar = tqdm(
            total=self.total, unit="job", dynamic_ncols=True, file=self.stream, disable=None, bar_format=bar_format
        )
        self.show_epochs = show_epochs
        self.eta_text = "ETA ?"

    def wrap(self, run_job):
        """``run_job`` with an ``on_epoch`` callback that shows the current job's epoch on the bar."""

        def run(spec):
            self.bar.set_description(spec.job_id)

            def on_epoch(epoch, row):
                loss = f"{row.get('valid_loss', float('nan')):.3f}"
                self.bar.set_postfix_str(f"{self.eta_text}, epoch={epoch}, valid_loss={loss}", refresh=True)

            return run_job(spec, on_epoch=on_epoch if self.show_epochs else None)

        return run

    def finished(self, record: dict) -> None:
        """Count ``record`` (a results row) and write its line."""
        self.done += 1
        self.eta.finished(record.get("pooler", ""), record.get("seconds"))
        elapsed = self.clock() - self.started
        self.eta_text = f"ETA {clock_text(self.eta.eta(elapsed))}"
        if record["status"] == "ok":
            what = (
                f"UA {100 * record['ua']:.2f}  WA {100 * record['wa']:.2f}  "
                f"({record['epochs']} epochs, {record['seconds']:.1f} s)"
            )
        else:
            what = f"FAILED {record['error']}"
        line = f"[{self.done}/{self.total} {clock_text(elapsed)} elapsed, {self.eta_text}] {record['job']}: {what}"
        if self.bar.disable:  # not a terminal: plain lines, flushed so that a log shows them at once
            print(line, file=self.stream, flush=True)
        else:
            self.bar.write(line, file=self.stream)
            self.bar.set_postfix_str(self.eta_text, refresh=False)
            self.bar.update(1)

    def close(self):
        self.bar.close()
