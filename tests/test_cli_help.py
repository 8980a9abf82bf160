"""`bench --help` lists every command with its short help and imports none of them (no torch)."""

import subprocess
import sys

from click.testing import CliRunner

from bench.cli import _command_modules, cli

PROBE = """
import sys
from click.testing import CliRunner
from bench.cli import cli
result = CliRunner().invoke(cli, ["--help"])
assert result.exit_code == 0, result.output
heavy = sorted(m for m in ("torch", "transformers", "pandas", "bench.commands.run", "bench.datasets") if m in sys.modules)
print(",".join(heavy))
"""


def test_help_imports_no_command_module_and_no_torch():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""


def test_help_short_texts_are_the_commands_own():
    listed = CliRunner().invoke(cli, ["--help"]).output
    for module in _command_modules():
        name = module.replace("_", "-")
        command = cli.get_command(None, name)
        first_words = " ".join(command.get_short_help_str(limit=300).split()[:3])
        line = next(line for line in listed.splitlines() if line.strip().startswith(name + " "))
        assert first_words in line, (name, line)
