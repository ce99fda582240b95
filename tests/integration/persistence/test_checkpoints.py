"""SQLite's checkpoints (the write-ahead log copied back into the database file) are run by the
process once a transaction has released the writer lock, about every CHECKPOINT_PAGES pages of
log, instead of inside the COMMIT that fills the log, where every other write of the process
waited for them."""
from __future__ import annotations

import sys
import threading

import pytest
from sqlalchemy import text

from ogust.adapters.persistence import database
from ogust.adapters.persistence.database import CHECKPOINT_PAGES, SAFETY_CHECKPOINT_PAGES, make_engine

pytestmark = pytest.mark.integration

PAGE = 4096


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'checkpoints.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB NOT NULL)"))
    yield engine
    engine.dispose()


def _write(engine, pages: int) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO blobs (body) VALUES (randomblob(:size))"), {"size": pages * PAGE})


def _log_frames(engine) -> int:
    """Frames of the log in use, read without touching the log: ``mxFrame`` in the header of the WAL
    index (the ``-shm`` file, native byte order; sqlite.org/walformat.html)."""
    with open(engine.url.database + "-shm", "rb") as shm:
        header = shm.read(20)
    return int.from_bytes(header[16:20], sys.byteorder)


def test_sqlites_own_checkpoint_is_only_a_safety_net(engine):
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == SAFETY_CHECKPOINT_PAGES


def test_the_log_is_copied_back_at_about_checkpoint_pages(engine):
    """12,000 pages written, 40 a transaction: SQLite's safety net alone would let the log reach
    10,000 pages; the process's checkpoints keep it near CHECKPOINT_PAGES."""
    highest = 0
    for _ in range(300):
        _write(engine, 40)
        highest = max(highest, _log_frames(engine))
    assert CHECKPOINT_PAGES / 2 < highest <= 2 * CHECKPOINT_PAGES


def test_the_checkpoint_runs_once_the_writer_lock_is_free(engine, monkeypatch):
    """While a transaction's thread runs the checkpoint, another thread of the process can write."""
    wrote_meanwhile: list[bool] = []
    ended = database._Checkpoints.transaction_ended
    first = threading.Event()

    def transaction_ended(self, dbapi_connection) -> None:
        if not first.is_set():  # the first transaction's turn (not the other thread's, below)
            first.set()
            other = threading.Thread(target=_write, args=(engine, 1), daemon=True)
            other.start()
            other.join(timeout=10)
            wrote_meanwhile.append(not other.is_alive())
        ended(self, dbapi_connection)

    monkeypatch.setattr(database._Checkpoints, "transaction_ended", transaction_ended)
    _write(engine, 1)
    assert wrote_meanwhile == [True]


class ScriptedConnection:
    """A DB-API connection whose checkpoints answer (busy, pages in the log, pages copied) in turn."""

    def __init__(self, *answers: tuple[int, int, int]) -> None:
        self.answers = list(answers)
        self.checkpoints = 0

    def execute(self, sql: str):
        assert sql == "PRAGMA wal_checkpoint(PASSIVE)"
        self.checkpoints += 1
        answer = self.answers.pop(0)
        return type("Cursor", (), {"fetchone": lambda _self: answer})()


def _end(checkpoints, connection, transactions: int) -> None:
    for _ in range(transactions):
        checkpoints.transaction_ended(connection)


def test_the_cadence_follows_the_pages_each_transaction_writes():
    checkpoints = database._Checkpoints()
    connection = ScriptedConnection((0, 1600, 1600), (0, 1000, 1000), (0, 500, 500))
    _end(checkpoints, connection, 31)
    assert connection.checkpoints == 0
    _end(checkpoints, connection, 1)  # 32 transactions wrote 1,600 pages: 50 each
    assert (connection.checkpoints, checkpoints.every) == (1, 20)
    _end(checkpoints, connection, 20)  # 20 × 50 = 1,000 pages, the log copied back
    assert (connection.checkpoints, checkpoints.every) == (2, 20)
    _end(checkpoints, connection, 20)  # lighter transactions: 25 pages each, checkpoints further apart
    assert (connection.checkpoints, checkpoints.every) == (3, 40)


def test_a_log_a_reader_kept_counts_only_its_new_pages():
    checkpoints = database._Checkpoints()
    # the first checkpoint could copy only part of the log (a reader): the log goes on from there
    connection = ScriptedConnection((1, 1000, 600), (0, 2000, 2000))
    _end(checkpoints, connection, 32)
    _end(checkpoints, connection, checkpoints.every)
    assert checkpoints.every == 32  # 1,000 new pages in 32 transactions, not 2,000


def test_no_log_no_change_and_a_failed_checkpoint_waits_for_the_next_turn():
    checkpoints = database._Checkpoints()
    _end(checkpoints, ScriptedConnection((0, -1, -1)), 32)  # not in WAL mode (in memory)
    assert checkpoints.every == 32

    class Failing:
        def execute(self, _sql):
            raise RuntimeError("database is locked")

    _end(checkpoints, Failing(), 32)
    assert checkpoints.every == 32
