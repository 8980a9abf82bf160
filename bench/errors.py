"""Errors a user can act on. Each message says what was expected, what was found, what to do."""


class BenchError(Exception):
    """Base class for errors shown to the user without a traceback by the CLI."""


class LayoutError(BenchError):
    """A corpus folder does not have the layout its adapter expects."""


class AudioError(BenchError):
    """An audio file is missing, unreadable, empty, truncated or too short."""


class DiskFull(BenchError):
    """No space left on a device: the run stops (it is no job's fault) and resumes when rerun."""


class UnknownNameError(BenchError, KeyError):
    """A registry lookup failed; the message lists the valid names."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


def unknown_name(kind: str, name: str, valid) -> UnknownNameError:
    """Build the error for an unknown registry name, listing the valid ones."""
    valid = sorted(valid)
    return UnknownNameError(f"unknown {kind} {name!r}; valid {kind}s: {', '.join(valid)}")
