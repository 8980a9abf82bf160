"""The `bench` command line: a click group whose commands live in ``bench/commands/``.

Each module there defines one click command named ``command``; it is imported only when that
command runs, so `bench --help` stays fast (no torch import).
"""

from __future__ import annotations

import errno
import ast
import importlib
import importlib.util
import pkgutil
import sys
from pathlib import Path

import click
from click.utils import make_default_short_help

from bench.errors import BenchError

import bench.commands as _commands_pkg


def _command_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(_commands_pkg.__path__) if not m.name.startswith("_"))


class LazyGroup(click.Group):
    """A group that imports ``bench.commands.<name>`` on demand (underscores become dashes)."""

    def list_commands(self, ctx):
        return [m.replace("_", "-") for m in _command_modules()]

    def get_command(self, ctx, name):
        module_name = name.replace("-", "_")
        if module_name not in _command_modules():
            return None
        return importlib.import_module(f"bench.commands.{module_name}").command

    def format_commands(self, ctx, formatter):
        """The command list of ``--help`` from the sources: importing every command (torch, ...) took seconds."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))  # as click.Group.format_commands
        rows = [(name, _short_help(name.replace("-", "_"), limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _short_help(module_name: str, limit: int) -> str:
    """Short help of ``bench.commands.<module_name>.command``, from its docstring in the source file."""
    source = Path(importlib.util.find_spec(f"bench.commands.{module_name}").origin).read_text()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == "command":
            return make_default_short_help(ast.get_docstring(node) or "", limit)
    return ""


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ser-pooling-bench")
def cli():
    """Benchmark pooling of self-supervised speech features for emotion recognition."""


def main(argv=None):
    """Console entry point: user errors (and errors of the file system: missing folders, permissions,
    a full disk) print one ``error:`` line and exit 2, not a traceback."""
    try:
        cli.main(args=argv, prog_name="bench", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except BenchError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except OSError as exc:  # the file system refused: a path, a permission, a full disk
        click.echo(f"error: {os_error_message(exc)}", err=True)
        sys.exit(2)


def os_error_message(exc: OSError) -> str:
    """One line saying which file the system refused, why, and what to do."""
    where = f" {exc.filename}" if exc.filename else ""
    what = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        return (
            f"no space left on the device writing{where}: free some space (or pass another --out / "
            f"--cache-dir), then run the same command again; finished work is kept"
        )
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return f"{what}:{where}; check the path (its folder must exist or be creatable)"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{what}:{where}; choose a path you can write to"
    if exc.errno == errno.EISDIR:
        return f"{where.strip()} is a folder; give a file path, e.g. {Path(exc.filename or '.') / 'manifest.csv'}"
    return f"{what}:{where}"


if __name__ == "__main__":
    main()
