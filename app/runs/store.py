"""The run registry and event log: one SQLite database (WAL) in the runs directory.

Every process (web workers, trainers) opens its own connection per thread; writers serialise
through SQLite's lock (busy_timeout), and slot claims use BEGIN IMMEDIATE so that two workers
never start more trainers than there are slots. Checkpoints are .npz files in <runs>/<id>/.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DB_NAME = "runs.sqlite3"
RUN_ID = re.compile(r"^[0-9a-f]{16}$")
ACTIVE = ("running", "paused")  # statuses that hold a slot
FINISHED = ("done", "stopped", "failed")
STATUSES = ("queued", *ACTIVE, *FINISHED)
BUSY_TIMEOUT_MS = 10_000
HOST = socket.gethostname()
RESTARTED = "server restarted: the run was interrupted; its checkpoints are kept"

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    status TEXT NOT NULL,
    name TEXT NOT NULL,
    summary TEXT NOT NULL,
    spec TEXT NOT NULL,
    training TEXT NOT NULL,
    data_dir TEXT NOT NULL,
    parameter_count INTEGER NOT NULL,
    control TEXT,
    progress TEXT,
    metrics TEXT,
    error TEXT,
    host TEXT,
    pid INTEGER,
    heartbeat REAL,
    started REAL,
    finished REAL,
    test_accuracy REAL,
    probes TEXT
);
CREATE INDEX IF NOT EXISTS runs_status ON runs (status, created);
CREATE TABLE IF NOT EXISTS events (
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
    run_id TEXT NOT NULL,
    step INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    images_seen INTEGER NOT NULL,
    loss REAL,
    accuracy REAL,
    validation_loss REAL NOT NULL,
    validation_accuracy REAL NOT NULL,
    PRIMARY KEY (run_id, step)
) WITHOUT ROWID;
"""
JSON_COLUMNS = ("spec", "training", "progress", "metrics", "probes")
END_TYPES = tuple(f'{{"type":"{t}"' for t in FINISHED)  # how an end event's JSON begins
PROGRESS_DEFAULTS = {"step": 0, "images_seen": 0, "loss": None, "accuracy": None}


class RunNotFound(LookupError):
    """No run with that id (or the id is not a valid run id)."""


class QueueFull(RuntimeError):
    """Too many runs are waiting already."""


def valid_id(run_id: str) -> bool:
    """Whether `run_id` has the form of a run id (checked before any path is built from it)."""
    return bool(RUN_ID.fullmatch(run_id))


def new_id() -> str:
    """A fresh random run id: 16 hex digits."""
    return secrets.token_hex(8)


def pid_alive(pid: int | None) -> bool:
    """Whether a process with this pid exists on this machine and is not a zombie."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


class RunStore:
    """The runs directory: SQLite registry + event log, and one folder of checkpoints per run."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.db_path = self.root / DB_NAME
        self._local = threading.local()

    def exists(self) -> bool:
        """Whether the database has been created (the runs directory is made on first use)."""
        return self.db_path.is_file()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (made, with the schema, on first use)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.root.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                self.db_path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
            )
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.executescript(SCHEMA)
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self, immediate: bool = False) -> Iterator[sqlite3.Connection]:
        """BEGIN (IMMEDIATE: take the write lock now) ... COMMIT, or ROLLBACK on error."""
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def run_dir(self, run_id: str) -> Path:
        """<runs>/<id>; RunNotFound for anything that is not a run id."""
        if not valid_id(run_id):
            raise RunNotFound(run_id)
        return self.root / run_id

    # ---- runs -----------------------------------------------------------------------------

    def create(
        self,
        spec: dict[str, Any],
        training: dict[str, Any],
        data_dir: str,
        parameter_count: int,
        name: str,
        summary: str,
        slots: int,
        queue_limit: int,
    ) -> str:
        """Register a queued run; QueueFull when every slot is taken and `queue_limit` runs
        wait already."""
        run_id = new_id()
        with self.transaction(immediate=True) as conn:
            (waiting,) = conn.execute(
                "SELECT COUNT(*) FROM runs WHERE status = 'queued'"
            ).fetchone()
            (active,) = conn.execute(
                f"SELECT COUNT(*) FROM runs WHERE status IN {ACTIVE}"
            ).fetchone()
            if waiting >= queue_limit and active >= slots:
                raise QueueFull(waiting)
            conn.execute(
                "INSERT INTO runs (id, created, status, name, summary, spec, training, data_dir, "
                "parameter_count) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    time.time(),
                    name,
                    summary,
                    json.dumps(spec),
                    json.dumps(training),
                    data_dir,
                    parameter_count,
                ),
            )
        return run_id

    def get(self, run_id: str) -> dict[str, Any]:
        """One run as a dict (JSON columns decoded, queue position added); RunNotFound."""
        if not valid_id(run_id):
            raise RunNotFound(run_id)
        row = self.connection().execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise RunNotFound(run_id)
        return self._decode(row)

    def has_run(self, run_id: str) -> bool:
        """Whether the run exists."""
        row = self.connection().execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone()
        return row is not None

    def list(self, limit: int = 1000) -> list[dict[str, Any]]:
        """Every run, newest first."""
        rows = self.connection().execute(
            "SELECT * FROM runs ORDER BY created DESC, id LIMIT ?", (limit,)
        )
        return [self._decode(r) for r in rows]

    def _decode(self, row: sqlite3.Row) -> dict[str, Any]:
        run = dict(row)
        for key in JSON_COLUMNS:
            run[key] = json.loads(run[key]) if run[key] else None
        run["queue_position"] = None
        if run["status"] == "queued":
            (ahead,) = (
                self.connection()
                .execute(
                    "SELECT COUNT(*) FROM runs WHERE status = 'queued' AND "
                    "(created < ? OR (created = ? AND id < ?))",
                    (run["created"], run["created"], run["id"]),
                )
                .fetchone()
            )
            run["queue_position"] = ahead + 1
        return run

    def set_control(
        self, run_id: str, control: str | None, allowed: tuple[str, ...], status: str | None = None
    ) -> bool:
        """Set the control flag (and the status) if the run's status is one of `allowed`;
        whether it was."""
        with self.transaction(immediate=True) as conn:
            cur = conn.execute(
                "UPDATE runs SET control = ?, status = COALESCE(?, status) "
                f"WHERE id = ? AND status IN ({', '.join('?' * len(allowed))})",
                (control, status, run_id, *allowed),
            )
            return cur.rowcount == 1

    def update(self, run_id: str, **fields: Any) -> None:
        """Set columns of one run (dicts are stored as JSON)."""
        if not fields:
            return
        values = [json.dumps(v) if k in JSON_COLUMNS else v for k, v in fields.items()]
        assignments = ", ".join(f"{k} = ?" for k in fields)
        with self.transaction() as conn:
            conn.execute(f"UPDATE runs SET {assignments} WHERE id = ?", (*values, run_id))

    def finish(
        self,
        run_id: str,
        status: str,
        error: str | None = None,
        event: dict[str, Any] | None = None,
        **fields: Any,
    ) -> bool:
        """Mark an unfinished run finished (its slot freed) and log its end event (default:
        type = status, with the last progress); False if it had finished already."""
        values = [json.dumps(v) if k in JSON_COLUMNS else v for k, v in fields.items()]
        extra = "".join(f", {k} = ?" for k in fields)
        with self.transaction(immediate=True) as conn:
            row = conn.execute("SELECT progress FROM runs WHERE id = ?", (run_id,)).fetchone()
            cur = conn.execute(
                f"UPDATE runs SET status = ?, error = ?, finished = ?, control = NULL{extra} "
                f"WHERE id = ? AND status NOT IN {FINISHED}",
                (status, error, time.time(), *values, run_id),
            )
            if cur.rowcount != 1:
                return False
            last = json.loads(row["progress"]) if row["progress"] else {}
            end = {**PROGRESS_DEFAULTS, **last, "type": status, "status": status, "error": error}
            self._append(conn, run_id, {**end, **(event or {})})
        return True

    def delete(self, run_id: str) -> None:
        """Remove a run, its events, checkpoints and folder."""
        folder = self.run_dir(run_id)
        with self.transaction(immediate=True) as conn:
            for table, column in (("events", "run_id"), ("checkpoints", "run_id"), ("runs", "id")):
                conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (run_id,))
        shutil.rmtree(folder, ignore_errors=True)

    # ---- slots ----------------------------------------------------------------------------

    def claim(self, slots: int) -> list[dict[str, Any]]:
        """Move the oldest queued runs into free slots (at most `slots` active in all); the
        caller starts their trainers. One transaction, so concurrent callers never overfill."""
        with self.transaction(immediate=True) as conn:
            (active,) = conn.execute(
                f"SELECT COUNT(*) FROM runs WHERE status IN {ACTIVE}"
            ).fetchone()
            free = max(0, slots - active)
            rows = conn.execute(
                "SELECT id FROM runs WHERE status = 'queued' ORDER BY created, id LIMIT ?", (free,)
            ).fetchall()
            now = time.time()
            for (run_id,) in rows:
                conn.execute(
                    "UPDATE runs SET status = 'running', host = ?, heartbeat = ?, started = ? "
                    "WHERE id = ?",
                    (HOST, now, now, run_id),
                )
        return [self.get(run_id) for (run_id,) in rows]

    def reap(self, heartbeat_timeout: float, reason: str) -> list[str]:
        """Fail active runs whose trainer is gone: a dead pid on this host, or no heartbeat for
        `heartbeat_timeout` s (other hosts, or a trainer that never started). Their ids."""
        now = time.time()
        rows = (
            self.connection()
            .execute(f"SELECT id, host, pid, heartbeat FROM runs WHERE status IN {ACTIVE}")
            .fetchall()
        )
        dead = []
        for row in rows:
            local_dead = row["host"] == HOST and row["pid"] and not pid_alive(row["pid"])
            silent = (row["heartbeat"] or 0) < now - heartbeat_timeout
            if (local_dead or silent) and self.finish(row["id"], "failed", reason):
                dead.append(row["id"])
        return dead

    # ---- events and checkpoints -----------------------------------------------------------

    @staticmethod
    def _append(conn: sqlite3.Connection, run_id: str, event: dict[str, Any]) -> int:
        (last,) = conn.execute(
            "SELECT COALESCE(MAX(seq), 0) FROM events WHERE run_id = ?", (run_id,)
        ).fetchone()
        conn.execute(
            "INSERT INTO events (run_id, seq, data) VALUES (?, ?, ?)",
            (run_id, last + 1, json.dumps({"type": event["type"], **event}, separators=(",", ":"))),
        )
        return last + 1

    def append(self, run_id: str, event: dict[str, Any], **fields: Any) -> int:
        """Add one event (its seq is the next number) and set run columns, atomically."""
        values = [json.dumps(v) if k in JSON_COLUMNS else v for k, v in fields.items()]
        with self.transaction(immediate=True) as conn:
            seq = self._append(conn, run_id, event)
            if fields:
                assignments = ", ".join(f"{k} = ?" for k in fields)
                conn.execute(f"UPDATE runs SET {assignments} WHERE id = ?", (*values, run_id))
        return seq

    def events(self, run_id: str, after: int = 0, limit: int = 500) -> list[tuple[int, str]]:
        """(seq, JSON text) of the run's events after `after`, in order."""
        return (
            self.connection()
            .execute(
                "SELECT seq, data FROM events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                (run_id, after, limit),
            )
            .fetchall()
        )

    def add_checkpoint(self, run_id: str, row: dict[str, Any]) -> None:
        """Record a checkpoint (its .npz is written by the trainer beforehand)."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO checkpoints (run_id, step, epoch, images_seen, loss, "
                "accuracy, validation_loss, validation_accuracy) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    row["step"],
                    row["epoch"],
                    row["images_seen"],
                    row["loss"],
                    row["accuracy"],
                    row["validation_loss"],
                    row["validation_accuracy"],
                ),
            )

    def checkpoints(self, run_id: str) -> list[dict[str, Any]]:
        """The run's checkpoints in step order."""
        rows = self.connection().execute(
            "SELECT step, epoch, images_seen, loss, accuracy, validation_loss, "
            "validation_accuracy FROM checkpoints WHERE run_id = ? ORDER BY step",
            (run_id,),
        )
        return [dict(r) for r in rows]

    # ---- retention ------------------------------------------------------------------------

    def disk_bytes(self, run_id: str) -> int:
        """Bytes of the run's folder."""
        folder = self.run_dir(run_id)
        return (
            sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
            if folder.is_dir()
            else 0
        )

    def prune(self, keep: int, max_bytes: int) -> list[str]:
        """Delete the oldest finished runs until at most `keep` runs remain and the folders use
        at most `max_bytes`; runs not finished are never deleted. The deleted ids."""
        runs = self.list(limit=100_000)  # newest first
        sizes = {r["id"]: self.disk_bytes(r["id"]) for r in runs}
        total, count = sum(sizes.values()), len(runs)
        deleted = []
        for run in reversed(runs):  # oldest first
            if count <= keep and total <= max_bytes:
                break
            if run["status"] not in FINISHED:
                continue
            self.delete(run["id"])
            deleted.append(run["id"])
            total -= sizes[run["id"]]
            count -= 1
        return deleted
