"""Wall time of the demo grid as `make demo` runs it, from an empty feature cache.

    .venv/bin/python benchmarks/demo_wall.py [--workers 2] [--repeats 1]

Runs ``bench run --grid poolers=gap,sap,sr --executor processes --workers N`` (the Makefile's
demo command) into a fresh run folder with a fresh feature cache, so extraction is included, and
prints the wall time of each repeat, the load average before it, and the jobs' own seconds per
pooler (from results.csv). The report step of `make demo` (a few seconds) is not included.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

BENCH = Path(sys.executable).with_name("bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    for repeat in range(args.repeats):
        with tempfile.TemporaryDirectory(prefix="bench-demo-wall-") as tmp:
            load = os.getloadavg()[0]
            command = [
                str(BENCH),
                "run",
                "--grid",
                "poolers=gap,sap,sr",
                "--executor",
                "processes",
                "--workers",
                str(args.workers),
                "--cache-dir",
                f"{tmp}/cache",
                "--out",
                f"{tmp}/run",
            ]
            started = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            wall = time.perf_counter() - started
            results = pd.read_csv(f"{tmp}/run/results.csv")
            per_pooler = results.groupby("pooler")["seconds"].sum().round(1).to_dict()
            print(
                f"repeat {repeat}: wall {wall:.1f} s ({wall / 60:.2f} min), load average before {load:.1f} "
                f"on {os.cpu_count()} CPUs, {len(results)} jobs, job seconds {results['seconds'].sum():.0f} "
                f"(per pooler: {per_pooler})",
                flush=True,
            )


if __name__ == "__main__":
    main()
