"""How long a mistyped `bench run` takes to fail, against a bare `import torch`, side by side.

    .venv/bin/python benchmarks/plan_failure.py [--repeats 5]

Runs, alternately and in fresh interpreters, ``bench run --grid poolers=gap,sapp`` on the demo
corpus (the planning step refuses it: nothing is written, no audio read) and
``python -c "import torch"``, and prints the median wall time of each and their ratio. The
ratio is what to compare across machines: on a loaded machine both grow together.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _seconds(argv: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True)
    return time.perf_counter() - started, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp()) / "run"
    bench_run = [sys.executable, "-m", "bench", "run", "--grid", "poolers=gap,sapp", "--out", str(out)]
    torch_import = [sys.executable, "-c", "import torch"]
    refused, imports = [], []
    for _ in range(args.repeats):
        seconds, rc = _seconds(bench_run)
        if rc != 2 or out.exists():
            raise SystemExit(f"expected the plan to refuse the run (rc 2, no folder); got rc {rc}")
        refused.append(seconds)
        imports.append(_seconds(torch_import)[0])
    a, b = statistics.median(refused), statistics.median(imports)
    print(
        f"| mistyped bench run (rc 2) | import torch | ratio |\n|---|---|---|\n| {a:.2f} s | {b:.2f} s | {a / b:.2f} |"
    )


if __name__ == "__main__":
    main()
