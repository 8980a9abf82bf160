"""The git commit a run records is the checkout bench was imported from, and only that."""

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

import bench.runner.environment as environment

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def _git(repo: Path, *args: str) -> str:
    cmd = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()


def _commit_seen_from(package_root: Path) -> str | None:
    """_git_commit() of a copy of environment.py placed at package_root/bench/runner/."""
    target = package_root / "bench" / "runner" / "environment.py"
    target.parent.mkdir(parents=True)
    shutil.copy(environment.__file__, target)
    spec = importlib.util.spec_from_file_location("copied_environment", target)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._git_commit()


def _repo_with_a_commit(path: Path) -> str:
    path.mkdir()
    _git(path, "init", "-q")
    (path / "README").write_text("x")
    _git(path, "add", "README")
    _git(path, "commit", "-q", "-m", "one")
    return _git(path, "rev-parse", "HEAD")


def test_a_source_checkout_records_its_head(tmp_path):
    head = _repo_with_a_commit(tmp_path / "checkout")
    assert _commit_seen_from(tmp_path / "checkout") == head


def test_a_wheel_inside_another_repository_records_no_commit(tmp_path):
    # a user's project with its venv inside: site-packages is not that project's source
    _repo_with_a_commit(tmp_path / "project")
    site_packages = tmp_path / "project" / ".venv" / "lib" / "python3.11" / "site-packages"
    assert _commit_seen_from(site_packages) is None


def test_no_repository_records_no_commit(tmp_path):
    assert _commit_seen_from(tmp_path / "site-packages") is None
