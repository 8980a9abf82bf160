"""requirements/lock.txt agrees with pyproject.toml: every dependency locked within its range, no CUDA
package, torch at its public version (the build is chosen at install time: docs/install.md)."""

import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"
PYPROJECT = ROOT / "pyproject.toml"
pytestmark = pytest.mark.skipif(
    not LOCK.is_file() or not PYPROJECT.is_file(), reason="needs the source tree (the lock is not part of the wheel)"
)


def locked() -> dict[str, list[str]]:
    """{canonical name: [version, ...]} (several when environment markers split a package)."""
    pins: dict[str, list[str]] = {}
    for line in LOCK.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line)
        if match:
            pins.setdefault(canonicalize_name(match.group(1)), []).append(match.group(2))
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    extras = [r for group in project.get("optional-dependencies", {}).values() for r in group]
    return [Requirement(r) for r in project["dependencies"] + extras]


def test_every_dependency_is_locked_within_its_range():
    pins = locked()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is in pyproject.toml but not in the lock: run `make lock`"
        for version in pins[name]:
            assert requirement.specifier.contains(version, prereleases=True), f"{name}=={version} vs {requirement}"


def test_lock_holds_no_cuda_package_and_torch_at_a_public_version():
    pins = locked()
    assert not [n for n in pins if n.startswith(("nvidia-", "cuda-")) or n == "triton"]
    assert len(pins["torch"]) == 1 and "+" not in pins["torch"][0]


def test_constraints_hold_in_the_lock():
    pins = locked()
    for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            assert pins[canonicalize_name(requirement.name)] == [str(next(iter(requirement.specifier)).version)]
