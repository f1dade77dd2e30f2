"""/api/runs under control and under faults: pause/resume/stop, slots and the queue, restarts,
a killed trainer, retention."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from app.runs.store import RunStore
from tests.app.payloads import stroke_image
from tests.app.runs_helpers import (
    LONG,
    QUICK,
    read_events,
    run_status,
    runs_client,
    wait_for,
    wait_status,
)


def progressed(client, run_id: str, beyond: int = 0):
    """The run's progress once its step is past `beyond`."""
    progress = run_status(client, run_id)["progress"]
    return progress if progress and progress["step"] > beyond else None


def test_pause_resume_stop(tmp_path, mnist_dir):
    with runs_client(tmp_path, mnist_dir) as client:
        run_id = client.post("/api/runs", json=LONG).json()["id"]
        wait_for(lambda: progressed(client, run_id), "the first steps")
        r = client.post(f"/api/runs/{run_id}/pause")
        assert r.status_code == 200 and r.json()["status"] == "paused"
        assert r.json()["control"] == "pause"
        assert client.post(f"/api/runs/{run_id}/pause").status_code == 409  # paused already
        paused_at = wait_for(
            lambda: next(
                (e for _, e in events_so_far(client, run_id) if e.get("status") == "paused"), None
            ),
            "the trainer to report the pause",
        )
        time.sleep(0.5)
        assert run_status(client, run_id)["progress"]["step"] == paused_at["step"]
        r = client.post(f"/api/runs/{run_id}/resume")
        assert r.status_code == 200 and r.json()["status"] == "running"
        assert client.post(f"/api/runs/{run_id}/resume").status_code == 409
        wait_for(lambda: progressed(client, run_id, paused_at["step"]), "steps after resuming")
        assert client.delete(f"/api/runs/{run_id}").status_code == 409  # stop it first
        r = client.post(f"/api/runs/{run_id}/stop")
        assert r.status_code == 200
        run = wait_status(client, run_id, "stopped")
        events = read_events(client, run_id)
        assert events[-1][1]["type"] == "stopped"
        last_step = run["progress"]["step"]
        steps = [
            c["step"] for c in client.get(f"/api/runs/{run_id}/checkpoints").json()["checkpoints"]
        ]
        assert steps[-1] == last_step  # the stop is a checkpoint
        assert run["test_accuracy"] is not None
        assert client.post(f"/api/runs/{run_id}/stop").status_code == 409
        models = [m["id"] for m in client.get("/api/models").json()["models"]]
        assert run_id in models  # a stopped run is a usable model
        assert client.delete(f"/api/runs/{run_id}").status_code == 204


def events_so_far(client, run_id: str) -> list[tuple[int, dict]]:
    """Events logged so far, read from the store (the stream would wait for the end)."""
    store = client.app.state.convlens.supervisor.store
    return [(seq, json.loads(data)) for seq, data in store.events(run_id)]


def test_slots_queue_positions_and_the_429(tmp_path, mnist_dir):
    with runs_client(tmp_path, mnist_dir, runs_slots=1, runs_queue=1) as client:
        first = client.post("/api/runs", json=LONG).json()
        assert first["status"] == "running"
        second = client.post("/api/runs", json=QUICK).json()
        assert second["status"] == "queued" and second["queue_position"] == 1
        r = client.post("/api/runs", json=QUICK)
        assert r.status_code == 429
        assert int(r.headers["Retry-After"]) > 0
        assert "CONVLENS_RUNS_QUEUE" in r.json()["detail"]
        time.sleep(1.0)  # several supervisor ticks: the slot stays taken
        assert run_status(client, second["id"])["status"] == "queued"
        client.post(f"/api/runs/{first['id']}/stop")
        wait_status(client, first["id"], "stopped")
        wait_status(client, second["id"], "running", "done")  # the freed slot goes to it
        assert read_events(client, second["id"])[-1][1]["type"] == "done"


def test_a_queued_run_stops_at_once(tmp_path, mnist_dir):
    with runs_client(tmp_path, mnist_dir, runs_slots=1) as client:
        first = client.post("/api/runs", json=LONG).json()
        queued = client.post("/api/runs", json=QUICK).json()
        r = client.post(f"/api/runs/{queued['id']}/stop")
        assert r.json()["status"] == "stopped"
        assert read_events(client, queued["id"])[-1][1]["type"] == "stopped"
        assert client.post(f"/api/runs/{queued['id']}/pause").status_code == 409
        client.post(f"/api/runs/{first['id']}/stop")
        wait_status(client, first["id"], "stopped")


def test_a_killed_trainer_fails_its_run_and_frees_the_slot(tmp_path, mnist_dir):
    with runs_client(tmp_path, mnist_dir, runs_slots=1) as client:
        run_id = client.post("/api/runs", json=LONG).json()["id"]
        wait_for(lambda: progressed(client, run_id), "the first steps")
        store = client.app.state.convlens.supervisor.store
        pid = store.get(run_id)["pid"]
        os.kill(pid, signal.SIGKILL)
        run = wait_status(client, run_id, "failed")
        assert "signal 9" in run["error"] and "checkpoints are kept" in run["error"]
        events = read_events(client, run_id)
        assert events[-1][1]["type"] == "failed" and "signal 9" in events[-1][1]["error"]
        checkpoints = client.get(f"/api/runs/{run_id}/checkpoints").json()["checkpoints"]
        assert checkpoints and (tmp_path / run_id / "checkpoints").is_dir()
        r = client.post(
            "/api/predict",
            json={
                "pixels": stroke_image().tolist(),
                "model": run_id,
                "checkpoint": checkpoints[0]["step"],
            },
        )
        assert r.status_code == 200
        quick = client.post("/api/runs", json=QUICK).json()
        assert quick["status"] == "running"  # the slot is free again
        wait_status(client, quick["id"], "done")


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_runs_survive_a_restart_and_interrupted_ones_fail(tmp_path, mnist_dir):
    with runs_client(tmp_path, mnist_dir) as client:
        done_id = client.post("/api/runs", json=QUICK).json()["id"]
        events = read_events(client, done_id)
        long_id = client.post("/api/runs", json=LONG).json()["id"]
        wait_for(lambda: progressed(client, long_id), "the first steps")
    # The app stopped: its trainer was stopped with it and the run is failed, checkpoints kept.
    store = RunStore(tmp_path)
    orphan = store.create(LONG["architecture"], LONG["training"], str(mnist_dir), 1, "x", "x", 1, 9)
    store.update(
        orphan, status="running", host=os.uname().nodename, pid=dead_pid(), heartbeat=time.time()
    )
    with runs_client(tmp_path, mnist_dir) as client:
        assert run_status(client, done_id)["status"] == "done"
        assert read_events(client, done_id) == events
        for run_id in (long_id, orphan):
            run = run_status(client, run_id)
            assert run["status"] == "failed" and "server restarted" in run["error"], run
        assert client.get(f"/api/runs/{long_id}/checkpoints").json()["checkpoints"]
        assert read_events(client, long_id)[-1][1]["type"] == "failed"


def test_a_silent_trainer_on_another_machine_is_failed_after_the_heartbeat_timeout(
    tmp_path, mnist_dir
):
    store = RunStore(tmp_path)
    run_id = store.create(
        QUICK["architecture"], QUICK["training"], str(mnist_dir), 1, "x", "x", 1, 9
    )
    store.update(run_id, status="running", host="elsewhere", pid=1, heartbeat=time.time())
    with runs_client(tmp_path, mnist_dir, runs_heartbeat_timeout=1.0) as client:
        run = wait_status(client, run_id, "failed")
        assert "no heartbeat" in run["error"]


def test_retention_deletes_the_oldest_finished_runs(tmp_path, mnist_dir):
    with runs_client(tmp_path, mnist_dir, runs_keep=2) as client:
        ids = []
        for _ in range(3):
            ids.append(client.post("/api/runs", json=QUICK).json()["id"])
            wait_status(client, ids[-1], "done")
        wait_for(lambda: client.get(f"/api/runs/{ids[0]}").status_code == 404, "the oldest to go")
        assert not (tmp_path / ids[0]).exists()
        assert [r["id"] for r in client.get("/api/runs").json()["runs"]] == ids[:0:-1]


def test_retention_never_deletes_a_run_that_trains(tmp_path, mnist_dir):
    store = RunStore(tmp_path)
    with runs_client(tmp_path, mnist_dir, runs_keep=1, runs_max_mb=1) as client:
        long_id = client.post("/api/runs", json=LONG).json()["id"]
        wait_for(lambda: progressed(client, long_id), "the first steps")
        assert store.prune(keep=1, max_bytes=0) == []
        assert run_status(client, long_id)["status"] == "running"
        client.post(f"/api/runs/{long_id}/stop")
        wait_status(client, long_id, "stopped")


def test_controls_of_a_finished_run_are_409s(tmp_path, mnist_dir):
    with runs_client(tmp_path, mnist_dir) as client:
        run_id = client.post("/api/runs", json=QUICK).json()["id"]
        wait_status(client, run_id, "done")
        for action in ("pause", "resume", "stop"):
            r = client.post(f"/api/runs/{run_id}/{action}")
            assert r.status_code == 409 and "done" in r.json()["detail"]
