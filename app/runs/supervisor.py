"""Starting trainers in free slots, noticing dead ones, and keeping the runs directory in bounds.

Each web worker runs one Supervisor (its lifespan calls tick() every WATCH_EVERY seconds): it
claims queued runs into free slots through the database (so the slot limit holds across workers),
starts a trainer process for each, fails runs whose trainer died, and prunes old runs.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from app.runs.store import RESTARTED, RunStore

log = logging.getLogger("convlens")
WATCH_EVERY = 0.5  # seconds between ticks
TRAINER_DIED = "the trainer process ended unexpectedly ({how}); its checkpoints are kept"


def default_slots() -> int:
    """Runs that may train at once by default: one per core but one, at least one."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, (cores or 1) - 1)


class Supervisor:
    """This worker's trainers, started in free slots and watched."""

    def __init__(
        self,
        store: RunStore,
        slots: int,
        heartbeat_timeout: float,
        keep: int,
        max_bytes: int,
    ) -> None:
        self.store, self.slots, self.heartbeat_timeout = store, slots, heartbeat_timeout
        self.keep, self.max_bytes = keep, max_bytes
        self.children: dict[str, subprocess.Popen] = {}
        self._lock = threading.Lock()

    def recover(self) -> None:
        """At start-up: runs whose trainer is gone (a dead server's) are failed, "server
        restarted"; nothing is created when the runs directory has never been used."""
        if self.store.exists():
            self.store.reap(self.heartbeat_timeout, RESTARTED)

    def tick(self) -> None:
        """Fail runs whose trainer died, start trainers in free slots, prune old runs."""
        if not self.store.exists():
            return
        with self._lock:
            ended = False
            for run_id, child in list(self.children.items()):
                code = child.poll()
                if code is None:
                    continue
                del self.children[run_id]
                ended = True
                if code != 0:
                    how = f"signal {-code}" if code < 0 else f"exit code {code}"
                    self.store.finish(run_id, "failed", TRAINER_DIED.format(how=how))
            ended |= bool(
                self.store.reap(self.heartbeat_timeout, TRAINER_DIED.format(how="no heartbeat"))
            )
            for run in self.store.claim(self.slots):
                self.spawn(run["id"], run["data_dir"])
            if ended:
                self.store.prune(self.keep, self.max_bytes)

    def spawn(self, run_id: str, data_dir: str) -> None:
        """Start the trainer process of a claimed run."""
        folder = self.store.run_dir(run_id)
        folder.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        }
        with open(folder / "trainer.log", "ab") as out:
            child = subprocess.Popen(
                [sys.executable, "-m", "app.runs.trainer", str(self.store.root), run_id, data_dir],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=Path(__file__).resolve().parents[2],
                start_new_session=True,  # a Ctrl-C in the server's terminal is the server's
            )
        self.children[run_id] = child
        self.store.update(run_id, pid=child.pid)
        log.info("run %s: trainer started (pid %d)", run_id, child.pid)

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop this worker's trainers; their runs are failed, "server restarted"."""
        with self._lock:
            for child in self.children.values():
                child.terminate()
            for run_id, child in self.children.items():
                try:
                    child.wait(timeout)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
                self.store.finish(run_id, "failed", RESTARTED)
            self.children.clear()


async def watch(supervisor: Supervisor) -> None:
    """Tick every WATCH_EVERY seconds until cancelled; a failed tick is logged, not fatal."""
    while True:
        try:
            await run_in_threadpool(supervisor.tick)
        except Exception:  # noqa: BLE001 - e.g. a database busy beyond its timeout
            log.exception("runs: supervisor tick failed")
        await asyncio.sleep(WATCH_EVERY)
