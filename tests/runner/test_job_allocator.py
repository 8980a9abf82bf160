"""Every job's process keeps the memory it frees, so a training step's large tensors are not
page-faulted anew each step (``bench.runner.allocator``)."""

import platform
import subprocess
import sys
from pathlib import Path

import pytest

from bench.errors import BenchError
from bench.runner import allocator
from bench.runner.executors import JobSettings, keep_freed_memory_wanted

# A child process allocates a 64 MiB tensor, fills it and frees it, ROUNDS times, as training
# steps do, and prints the minor page faults of the rounds after the first WARM_UP (each first touch
# of a fresh 4 KiB page is one). The first rounds may fault with the setting too: a small allocation
# can land in the freed block and make the heap grow once before it settles.
ROUNDS, WARM_UP = 10, 3
CHILD = f"""
import resource, sys, torch
from bench.runner.allocator import keep_freed_memory
if sys.argv[1] == "keep":
    assert keep_freed_memory()
faults = []
for _ in range({ROUNDS}):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    torch.empty(16 * 2**20).fill_(1.0)
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(sum(faults[{WARM_UP}:]))
"""
PAGES = 64 * 2**20 // 4096  # 16384 pages of 4 KiB in 64 MiB
THP = Path("/sys/kernel/mm/transparent_hugepage/enabled")


def _steady_state_faults(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", CHILD, mode], capture_output=True, text=True, check=True)
    return int(out.stdout)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the setting is glibc's (mallopt)")
def test_a_freed_large_tensor_is_reused_without_page_faults():
    # The system default maps fresh pages every round, one fault a page (unless the kernel backs
    # every mapping with 2 MiB pages: 512x fewer faults); with the setting the heap is reused.
    steady_rounds = ROUNDS - WARM_UP
    if not (THP.exists() and "[always]" in THP.read_text()):
        assert _steady_state_faults("default") > steady_rounds * PAGES / 2
    assert _steady_state_faults("keep") < PAGES / 100


def test_the_setting_is_on_by_default_and_can_be_turned_off(monkeypatch):
    monkeypatch.delenv(allocator.ENV, raising=False)
    assert keep_freed_memory_wanted()
    monkeypatch.setenv(allocator.ENV, "0")
    assert not keep_freed_memory_wanted()
    monkeypatch.setenv(allocator.ENV, "yes")
    with pytest.raises(BenchError, match="BENCH_KEEP_FREED_MEMORY='yes': expected 1"):
        keep_freed_memory_wanted()


def test_job_settings_apply_it_before_the_job_only_when_asked(monkeypatch):
    calls = []
    monkeypatch.setattr(allocator, "keep_freed_memory", lambda: calls.append("kept") or True)
    assert JobSettings(lambda item: item * 2, threads=1, keep_freed=False)(3) == 6
    assert calls == []
    assert JobSettings(lambda item: calls.copy(), threads=1, keep_freed=True)(3) == ["kept"]
