"""Progress of a grid: a bar over jobs with ETA, the running job's epoch, a line per finished job."""

from __future__ import annotations

import sys

from tqdm import tqdm


class JobProgress:
    def __init__(self, total: int, show_epochs: bool):
        self.bar = tqdm(total=total, unit="job", dynamic_ncols=True, file=sys.stderr, disable=None)
        self.show_epochs = show_epochs

    def wrap(self, run_job):
        """``run_job`` with an ``on_epoch`` callback that shows the current job's epoch on the bar."""

        def run(spec):
            self.bar.set_description(spec.job_id)

            def on_epoch(epoch, row):
                self.bar.set_postfix(epoch=epoch, valid_loss=f"{row.get('valid_loss', float('nan')):.3f}", refresh=True)

            return run_job(spec, on_epoch=on_epoch if self.show_epochs else None)

        return run

    def finished(self, record: dict) -> None:
        if record["status"] == "ok":
            line = f"{record['job']}: UA {100 * record['ua']:.2f}  WA {100 * record['wa']:.2f}  ({record['epochs']} epochs, {record['seconds']:.1f} s)"
        else:
            line = f"{record['job']}: FAILED {record['error']}"
        self.bar.write(line, file=sys.stderr)
        self.bar.update(1)

    def close(self):
        self.bar.close()
