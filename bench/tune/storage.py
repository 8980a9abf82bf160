"""Optuna storages and studies: SQLite in the output folder by default, any RDB URL, or a journal file.

make_storage(url) -> optuna storage
    sqlite:///PATH, postgresql://..., mysql://...  -> RDBStorage with a heartbeat, so trials of a
                                                     killed worker are marked FAILED by the others
    journal:PATH                                    -> JournalStorage(JournalFileBackend(PATH))
open_study(storage, name, direction, sampler_seed, pruner) -> optuna.Study (created or loaded)
"""

from __future__ import annotations

import time
from pathlib import Path

from bench.errors import BenchError

HEARTBEAT_S = 60  # a RUNNING trial whose worker sent no heartbeat for GRACE_S is failed
GRACE_S = 180
PRUNERS = ("median", "none")


def default_storage(out: Path) -> str:
    return f"sqlite:///{Path(out).resolve() / 'optuna.db'}"


SECRET_QUERY_KEYS = ("password", "passwd", "pwd", "secret", "token", "sslpassword", "api_key")


def redact(url: str) -> str:
    """The URL without a password, for summaries and logs (SQLAlchemy parses and renders it).

    The user-info password is rendered as ``***`` by ``URL.render_as_string(hide_password=True)``;
    query parameters that carry secrets (``?password=...``) are replaced by ``***`` too. A URL
    SQLAlchemy cannot parse is shown only up to its scheme.
    """
    if url.startswith("journal:"):
        return url
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return url.split("://", 1)[0] + "://***" if "://" in url else "***"
    secrets = {k: "***" for k in parsed.query if k.lower() in SECRET_QUERY_KEYS}
    shown = parsed.update_query_dict(secrets).render_as_string(hide_password=True)
    return shown.replace("=%2A%2A%2A", "=***")  # the query value is percent-encoded on rendering


def make_storage(url: str):
    import optuna

    if url.startswith("journal:"):
        path = Path(url[len("journal:") :])
        if not str(path):
            raise BenchError("--storage journal:PATH needs a file path, e.g. journal:/shared/tune/sr.log")
        path.parent.mkdir(parents=True, exist_ok=True)
        from optuna.storages.journal import JournalFileBackend

        return optuna.storages.JournalStorage(JournalFileBackend(str(path)))
    if "://" not in url:
        raise BenchError(
            f"--storage {url!r}: expected an SQLAlchemy URL (sqlite:///tune.db, postgresql://user:pw@host/db, "
            f"mysql://...) or journal:PATH"
        )
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    try:
        return _retry_races(
            lambda: optuna.storages.RDBStorage(
                url,
                heartbeat_interval=HEARTBEAT_S,
                grace_period=GRACE_S,
                engine_kwargs={"connect_args": {"timeout": 60}} if url.startswith("sqlite") else None,
            )
        )
    except ImportError as exc:
        raise BenchError(
            f"--storage {redact(url)}: the database driver is missing ({exc}); install it (e.g. psycopg2, pymysql)"
        ) from exc


def _retry_races(make, attempts: int = 6):
    """Run ``make()``, retrying when a worker starting at the same moment won a database race.

    Two processes initialising one fresh database (tables, version row) or creating one study
    can collide with an IntegrityError/OperationalError; the loser succeeds on a retry, as the
    database then exists.
    """
    from sqlalchemy.exc import SQLAlchemyError

    for attempt in range(attempts):
        try:
            return make()
        except SQLAlchemyError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def make_pruner(name: str, startup_trials: int, warmup_epochs: int):
    import optuna

    if name == "none":
        return optuna.pruners.NopPruner()
    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=startup_trials, n_warmup_steps=warmup_epochs)
    raise BenchError(f"unknown pruner {name!r}; use one of {', '.join(PRUNERS)}")


def open_study(storage, name: str, direction: str, sampler_seed: int | None, pruner):
    """Create the study or join it (many workers may call this at once)."""
    import optuna

    sampler = optuna.samplers.TPESampler(seed=sampler_seed, n_startup_trials=5)
    study = _retry_races(
        lambda: optuna.create_study(
            storage=storage, study_name=name, direction=direction, sampler=sampler, pruner=pruner, load_if_exists=True
        )
    )
    if study.direction.name.lower() != direction:
        raise BenchError(
            f"study {name!r} in this storage optimises {study.direction.name.lower()}, not {direction}: "
            f"use the same --objective as the workers before, or another --study name"
        )
    return study
