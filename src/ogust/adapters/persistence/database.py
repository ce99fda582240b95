"""Engines and sessions: SQLite (WAL, busy timeout, foreign keys, BEGIN IMMEDIATE) or PostgreSQL
(psycopg 3); and the schema migration to the latest revision with Alembic."""
from __future__ import annotations

import os
import threading
from importlib.resources import files
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import sessionmaker

from ogust.adapters.persistence.mappers import bump_versions, map_tables

DEFAULT_DATABASE_URL = "sqlite:///var/ogust.db"
BUSY_TIMEOUT_SECONDS = 30
_WRITER = "ogust_sqlite_writer"  # how many times this connection holds the process's writer lock
# SQLite copies its write-ahead log back into the database file (a checkpoint) inside the COMMIT that
# takes the log past 1,000 pages: 20–60 ms here (the pages, two fsyncs), under our writer lock, so
# every other write of the process waited for it. The process runs its checkpoints itself, after
# releasing the lock, at about the same size of log (_Checkpoints); SQLite's own stays as a safety net
# for a much longer log (another process, or checkpoints that could not finish).
CHECKPOINT_PAGES = 1_000
SAFETY_CHECKPOINT_PAGES = 10_000


class MigrationRefused(RuntimeError):
    """A migration found rows that break the rule it installs: it lists them and changes nothing."""


def database_url() -> str:
    """``OGUST_DATABASE_URL``, or an SQLite file ``var/ogust.db`` under the current directory."""
    return os.environ.get("OGUST_DATABASE_URL") or DEFAULT_DATABASE_URL


def normalise_url(url: str | URL) -> URL:
    """``postgresql://`` and ``postgres://`` mean PostgreSQL through psycopg 3."""
    if isinstance(url, str) and url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | URL | None = None, **kwargs: Any) -> Engine:
    parsed = normalise_url(url or database_url())
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, **kwargs)
    return create_engine(parsed, pool_pre_ping=True, **kwargs)


def _sqlite_engine(url: URL, **kwargs: Any) -> Engine:
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False}
    connect_args.update(kwargs.pop("connect_args", {}))
    engine = create_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # we emit BEGIN ourselves (below): pysqlite's own transaction handling is switched off
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA wal_autocheckpoint={SAFETY_CHECKPOINT_PAGES}")
        cursor.close()

    # The threads of this process take turns on a lock of our own before BEGIN IMMEDIATE: a thread
    # waiting for it is woken the moment the lock is free, whereas SQLite's busy handler sleeps up
    # to 100 ms between tries — with a few concurrent requests, most of the time went in sleeps.
    # The lock is held until the connection goes back to the pool (after COMMIT or ROLLBACK).
    # Other processes still meet SQLite's own lock and busy timeout.
    writer = threading.RLock()
    checkpoints = _Checkpoints()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if writer.acquire(timeout=BUSY_TIMEOUT_SECONDS):
            connection.info[_WRITER] = connection.info.get(_WRITER, 0) + 1
        try:
            # take the write lock up front: a deferred transaction that reads, then writes, fails
            # at once with "database is locked" when another writer got in between (no busy wait)
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(connection.info)
            raise

    def _release(info: dict) -> bool:
        held = info.pop(_WRITER, 0)
        for _ in range(held):
            try:
                writer.release()
            except RuntimeError:  # released by another thread than the one that took it (GC)
                pass
        return held > 0

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection: Any, record: Any) -> None:
        if _release(record.info) and dbapi_connection is not None:
            checkpoints.transaction_ended(dbapi_connection)

    event.listen(engine, "invalidate", lambda _dbapi, record, _error: _release(record.info))
    return engine


class _Checkpoints:
    """Checkpoints of one engine's database, run by the thread that has just ended a transaction,
    once the writer lock is released: every ``every`` transactions, a number adjusted after each
    checkpoint (from the pages written to the log since the one before) to come back at about
    CHECKPOINT_PAGES."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.every = 32  # transactions between two checkpoints, until the first one measures them
        self._since = 0
        self._pages = 0  # pages of the log the last checkpoint left in it (0: it copied them all)

    def transaction_ended(self, dbapi_connection: Any) -> None:
        with self._lock:
            self._since += 1
            if self._since < self.every:
                return
            transactions, self._since = self._since, 0
        try:  # PASSIVE: copies what no reader still needs, while the next writer goes on
            _busy, pages, copied = dbapi_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except Exception:  # noqa: BLE001 — a checkpoint not run now is run at the next turn
            return
        if pages <= 0:  # -1: not in WAL mode (an in-memory database); 0: nothing written
            return
        # a log wholly copied starts again from its beginning at the next write (unless a reader is on it)
        written = pages - self._pages if pages > self._pages else pages
        self._pages = 0 if copied == pages else pages
        self.every = min(max(round(CHECKPOINT_PAGES * transactions / written), 1), 10 * CHECKPOINT_PAGES)


def make_session_factory(engine: Engine) -> sessionmaker:
    """One session per unit of work; objects stay readable after commit (``expire_on_commit=False``)."""
    map_tables()
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    event.listen(factory, "before_flush", bump_versions)
    return factory


def alembic_config(url: str | URL | None = None) -> Any:
    """The Alembic configuration shipped in the package, pointed at ``url``."""
    from alembic.config import Config

    package = files("ogust.adapters.persistence")
    config = Config(str(package / "alembic.ini"))
    config.set_main_option("script_location", str(package / "alembic"))
    rendered = normalise_url(url or database_url()).render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


def upgrade_database(url: str | URL | None = None, revision: str = "head") -> None:
    """Bring the database at ``url`` to the latest schema (``alembic upgrade head``)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)
