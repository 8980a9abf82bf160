"""The suite runs against an installed wheel too (CI), where the repository root is not on sys.path:
test modules import their helpers by module name (``from runner_fixtures import ...``), never through
the ``tests`` folder or a conftest."""

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_no_test_module_imports_through_tests_or_a_conftest():
    pattern = re.compile(r"^\s*(from|import)\s+(tests\.|\S*conftest\b)", re.MULTILINE)
    offenders = [str(p.relative_to(TESTS)) for p in TESTS.rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []
