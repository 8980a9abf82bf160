"""Grid progress: the pooler-weighted ETA and the plain lines written when stderr is no terminal."""

import io

import pytest

from bench.runner.progress import JobProgress, WeightedEta, clock_text


def simulate(order, seconds, workers=1):
    """A sequential (or evenly parallel) run: (pooler, elapsed wall time, true time left) after each job."""
    total = sum(seconds[p] for p in order)
    done, out = 0.0, []
    for pooler in order:
        done += seconds[pooler]
        out.append((pooler, done / workers, (total - done) / workers))
    return out


@pytest.mark.parametrize("workers", [1, 2])
def test_eta_is_exact_once_every_pooler_has_a_measured_job(workers):
    seconds = {"gap": 1.0, "sap": 10.0, "sr": 12.0}
    order = ["gap", "sap", "sr", "gap", "gap", "sap", "sr", "gap", "sap"]
    eta = WeightedEta(order)
    seen = set()
    for pooler, elapsed, truth in simulate(order, seconds, workers):
        eta.finished(pooler, seconds[pooler])
        seen.add(pooler)
        if seen == set(seconds):
            assert eta.eta(elapsed) == pytest.approx(truth)


def test_eta_weights_jobs_by_pooler_where_a_plain_mean_would_not():
    order = ["gap"] * 4 + ["sap"] * 4
    eta = WeightedEta(order)
    for pooler, took in [("gap", 1.0), ("gap", 1.0), ("sap", 10.0)]:
        eta.finished(pooler, took)
    assert eta.eta(12.0) == pytest.approx(2 * 1.0 + 3 * 10.0)  # the plain mean says 12 / 3 x 5 = 20


def test_eta_uses_the_overall_mean_for_a_pooler_not_seen_yet_and_none_before_any():
    eta = WeightedEta(["gap", "gap", "sap"])
    assert eta.eta(5.0) is None
    eta.finished("gap", 2.0)
    assert eta.eta(2.0) == pytest.approx(2.0 + 2.0)
    eta.finished("sap", None)  # a crashed job: counted as done, no time
    assert eta.eta(2.0) == pytest.approx(2.0)


def test_non_terminal_output_gets_one_line_per_job_with_count_elapsed_and_eta():
    stream, now = io.StringIO(), [0.0]
    progress = JobProgress(["gap", "sap", "sap"], show_epochs=False, stream=stream, clock=lambda: now[0])
    records = [
        {"job": "gap-j", "pooler": "gap", "status": "ok", "ua": 0.5, "wa": 0.6, "epochs": 3, "seconds": 2.0},
        {"job": "sap-j", "pooler": "sap", "status": "ok", "ua": 0.7, "wa": 0.7, "epochs": 4, "seconds": 20.0},
        {"job": "sap-k", "pooler": "sap", "status": "failed", "error": "boom", "seconds": None},
    ]
    for record, at in zip(records, [2.0, 22.0, 23.0]):
        now[0] = at
        progress.finished(record)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert lines == [
        "[1/3 0:02 elapsed, ETA 0:04] gap-j: UA 50.00  WA 60.00  (3 epochs, 2.0 s)",
        "[2/3 0:22 elapsed, ETA 0:20] sap-j: UA 70.00  WA 70.00  (4 epochs, 20.0 s)",
        "[3/3 0:23 elapsed, ETA 0:00] sap-k: FAILED boom",
    ]


def test_clock_text():
    assert [clock_text(s) for s in (None, 0, 61.4, 3600 + 62)] == ["?", "0:00", "1:01", "1:01:02"]
