"""/api/runs through HTTP: a tiny run from POST to its last event, and its model put to use."""

from __future__ import annotations

from pathlib import Path

import httpx
import numpy as np
import pytest

from app.config import Settings
from app.main import create_app
from engine.inference import predict
from engine.preprocess import network_input, pixels_to_unit
from engine.serialize import load_model
from tests.app.payloads import stroke_image
from tests.app.runs_helpers import (
    QUICK,
    TINY,
    parse_sse,
    read_events,
    run_status,
    runs_client,
)
from tests.server import serve

PIXELS = stroke_image().tolist()


@pytest.fixture(scope="module")
def runs_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("runs")


@pytest.fixture(scope="module")
def client(runs_dir, mnist_dir):
    with runs_client(runs_dir, mnist_dir) as c:
        yield c


@pytest.fixture(scope="module")
def done_run(client) -> dict:
    """A tiny run trained to its end: (run record, its events)."""
    r = client.post("/api/runs", json=QUICK)
    assert r.status_code == 202, r.text
    run = r.json()
    assert run["status"] in ("queued", "running")
    events = read_events(client, run["id"])
    return {"run": run_status(client, run["id"]), "events": events}


def test_post_answers_202_with_the_run_and_every_default(client, done_run):
    run = done_run["run"]
    assert len(run["id"]) == 16 and int(run["id"], 16) >= 0
    assert run["training"] == {
        "train_images": 1000,
        "epochs": 1,
        "batch_size": 64,
        "optimizer": "adam",
        "learning_rate": 0.005,
        "augment": False,
        "seed": 0,
    }
    assert run["parameter_count"] == 4 * 26 + 10 * 577
    assert run["summary"] == "conv 4@5x5 → maxpool 2x2 → dense 10"
    assert run["architecture"]["layers"][0]["kind"] == "conv2d"
    assert run["status"] == "done" and run["error"] is None
    assert 0 < run["test_accuracy"] <= 1
    assert run["progress"]["step"] == run["metrics"]["step"] == 16
    assert run["probes"] == [3, 2, 1, 18, 4, 8, 11, 0, 61, 7]  # the first test digit of each class


def test_event_stream_runs_from_step_0_to_done(done_run):
    events = done_run["events"]
    ids = [i for i, _ in events]
    assert ids == list(range(1, len(ids) + 1))
    data = [e for _, e in events]
    assert data[0]["type"] == "checkpoint" and data[0]["step"] == 0
    assert data[-1]["type"] == "done" and data[-1]["status"] == "done"
    assert data[-1]["test_accuracy"] == done_run["run"]["test_accuracy"]
    assert {e["type"] for e in data[:-1]} <= {"progress", "checkpoint"}
    steps = [e["step"] for e in data]
    assert steps == sorted(steps)
    for e in data:
        for key in ("step", "images_seen", "loss", "accuracy", "status"):
            assert key in e, (key, e)
    checkpoints = [e for e in data if e["type"] == "checkpoint"]
    assert [e["step"] for e in checkpoints] == [0, 1, 2, 4, 8, 16]
    for e in checkpoints:
        assert np.array(e["kernels"]["conv1"]).shape == (4, 1, 5, 5)
        assert len(e["probes"]["predictions"]) == 10
        assert np.array(e["probes"]["probabilities"]).shape == (10, 10)
        assert 0 <= e["validation_accuracy"] <= 1
    assert checkpoints[-1]["epoch_end"] and len(checkpoints[-1]["confusion_matrix"]) == 10
    assert checkpoints[0]["kernels"] != checkpoints[-1]["kernels"]  # the kernels moved


def test_last_event_id_resumes_without_gaps_and_late_clients_get_everything(client, done_run):
    run_id, events = done_run["run"]["id"], done_run["events"]
    assert read_events(client, run_id) == events
    for last in (0, 1, 4, len(events) - 1):
        assert read_events(client, run_id, last) == events[last:]


def test_checkpoints_list_matches_the_checkpoint_events(client, done_run):
    run_id = done_run["run"]["id"]
    r = client.get(f"/api/runs/{run_id}/checkpoints")
    assert r.status_code == 200
    listed = r.json()["checkpoints"]
    events = [e for _, e in done_run["events"] if e["type"] == "checkpoint"]
    assert [c["step"] for c in listed] == [e["step"] for e in events]
    for c, e in zip(listed, events, strict=True):
        for key in ("images_seen", "loss", "validation_loss", "validation_accuracy"):
            assert c[key] == e[key]


def checkpoint_file(runs_dir: Path, run_id: str, step: int) -> Path:
    return runs_dir / run_id / "checkpoints" / f"step-{step:06d}.npz"


def test_predict_with_model_and_checkpoint_is_the_engine_on_that_file(client, done_run, runs_dir):
    run_id = done_run["run"]["id"]
    image = network_input(pixels_to_unit(np.array(PIXELS)))[None]  # (1, 28, 28)
    for checkpoint, path in (
        (4, checkpoint_file(runs_dir, run_id, 4)),
        (None, runs_dir / run_id / "model.npz"),
    ):
        body = {"pixels": PIXELS, "model": run_id, "layers": ["conv1"]}
        if checkpoint is not None:
            body["checkpoint"] = checkpoint
        r = client.post("/api/predict", json=body)
        assert r.status_code == 200, r.text
        expected = predict(load_model(path)[0], image, ["conv1"]).as_dict()
        assert r.json()["probabilities"] == pytest.approx(
            [float(p) for p in expected["probabilities"]], abs=1e-7
        )
    bundled = client.post("/api/predict", json={"pixels": PIXELS}).json()
    chosen = client.post("/api/predict", json={"pixels": PIXELS, "model": run_id}).json()
    assert len(bundled["layers"]) == 11 and len(chosen["layers"]) == 6


def test_every_model_endpoint_takes_the_model(client, done_run):
    run_id = done_run["run"]["id"]
    model = client.get(f"/api/model?model={run_id}&checkpoint=2").json()
    assert [lay["name"] for lay in model["layers"]] == ["conv1", "relu1", "pool1", "flatten", "fc1"]
    kernels = client.get(f"/api/model/layers/conv1/kernels?model={run_id}").json()
    assert kernels["shape"] == [4, 1, 5, 5]
    unit = {"layer": "pool1", "channel": 1, "row": 2, "col": 3}
    r = client.post("/api/explain", json={"pixels": PIXELS, "model": run_id, **unit})
    assert r.status_code == 200 and r.json()["kind"] == "maxpool2d"
    r = client.post("/api/saliency", json={"pixels": PIXELS, "model": run_id, "checkpoint": 16})
    assert r.status_code == 200
    bundled = client.get("/api/model").json()  # default: the bundled model
    assert bundled["parameter_count"] == load_model()[0].parameter_count()


def test_unknown_models_and_checkpoints_are_404s_saying_what_exists(client, done_run, expect_error):
    run_id = done_run["run"]["id"]
    r = client.post("/api/predict", json={"pixels": PIXELS, "model": run_id, "checkpoint": 3})
    expect_error(r, 404, "no checkpoint at step 3", "[0, 1, 2, 4, 8, 16]")
    expect_error(client.get("/api/model?model=0123456789abcdef"), 404, "GET /api/runs")
    expect_error(client.get("/api/model?model=../../etc"), 404, "/api/models")
    expect_error(client.get("/api/model?checkpoint=2"), 404, "bundled model has no checkpoints")
    r = client.post(
        "/api/explain",
        json={
            "pixels": PIXELS,
            "model": "nope",
            **{"layer": "conv1", "channel": 0, "row": 0, "col": 0},
        },
    )
    expect_error(r, 404, "no model")


def test_models_lists_bundled_then_finished_runs(client, done_run):
    models = client.get("/api/models").json()["models"]
    assert models[0]["id"] == "bundled" and models[0]["test_accuracy"] > 0.98
    entry = next(m for m in models if m["id"] == done_run["run"]["id"])
    assert entry["kind"] == "run" and entry["checkpoints"] == [0, 1, 2, 4, 8, 16]
    assert entry["test_accuracy"] == done_run["run"]["test_accuracy"]
    listed = client.get("/api/runs").json()["runs"]
    assert done_run["run"]["id"] in [r["id"] for r in listed]


def test_weights_download_loads_with_convlens_weights(client, done_run, tmp_path):
    run_id = done_run["run"]["id"]
    r = client.get(f"/api/runs/{run_id}/weights")
    assert r.status_code == 200 and r.headers["content-type"] == "application/octet-stream"
    (tmp_path / "mine.npz").write_bytes(r.content)
    doc = client.get(f"/api/runs/{run_id}/architecture")
    assert doc.status_code == 200 and doc.json()["format"] == "convlens-model"
    (tmp_path / "mine.json").write_bytes(doc.content)
    model, metadata = load_model(tmp_path / "mine.npz")
    assert metadata["test_accuracy"] == done_run["run"]["test_accuracy"]
    app = create_app(Settings(weights=tmp_path / "mine.npz", runs=tmp_path / "runs"))
    from fastapi.testclient import TestClient

    with TestClient(app) as other:
        assert other.get("/api/model").json()["parameter_count"] == model.parameter_count()
    step = client.get(f"/api/runs/{run_id}/weights?checkpoint=8")
    assert step.status_code == 200 and step.content != r.content
    assert client.get(f"/api/runs/{run_id}/weights?checkpoint=9").status_code == 404


def test_validate_previews_shapes_formulas_and_parameters(client, done_run):
    r = client.post("/api/runs/validate", json={"architecture": {"layers": TINY}})
    assert r.status_code == 200
    body = r.json()
    assert [lay["output_shape"] for lay in body["layers"]] == [
        [4, 24, 24],
        [4, 24, 24],
        [4, 12, 12],
        [576],
        [10],
    ]
    assert body["layers"][0]["formula"] == "floor((28 - 5 + 2*0) / 1) + 1 = 24"
    assert body["parameter_count"] == 5874
    assert body["multiply_adds"] == 4 * 24 * 24 * 25 + 576 * 10
    assert body["estimated_seconds"] > 0  # from the finished run's measured speed


@pytest.mark.parametrize(
    ("layers", "index", "words"),
    [
        (
            [*TINY[:3], *[{"kind": "maxpool2d", "hyperparameters": {"size": 4}}] * 2, *TINY[3:]],
            4,
            ["layer 5 (maxpool2d)", "3x3 input is smaller than the 4x4 window"],
        ),
        ([{"kind": "conv3d"}, *TINY[3:]], 0, ["layer 1", "unknown kind"]),
        (
            [TINY[0], TINY[3], {"kind": "dense", "hyperparameters": {"out_features": 7}}],
            2,
            ["needs 10"],
        ),
    ],
)
def test_bad_specs_are_422s_naming_the_layer_and_start_nothing(client, layers, index, words):
    before = client.get("/api/runs").json()["runs"]
    for path in ("/api/runs", "/api/runs/validate"):
        r = client.post(path, json={"architecture": {"layers": layers}})
        assert r.status_code == 422, r.text
        assert r.json()["layer"] == index
        for word in words:
            assert word in r.json()["detail"]
    assert client.get("/api/runs").json()["runs"] == before


def test_out_of_range_training_settings_are_422s(client):
    for training in (
        {"train_images": 999},
        {"epochs": 6},
        {"optimizer": "rmsprop"},
        {"learning_rate": 0},
        {"batch_size": "64"},
    ):
        r = client.post("/api/runs", json={"architecture": {"layers": TINY}, "training": training})
        assert r.status_code == 422, training


@pytest.mark.parametrize(
    "bad",
    ["..", "..%2F..%2Fetc", "ABCDEF0123456789", "0123456789abcdef0", "runs.sqlite3", "cache"],
)
def test_bad_run_ids_are_404s_and_reach_no_path(client, bad, expect_error):
    for suffix in ("", "/events", "/checkpoints", "/weights", "/architecture"):
        r = client.get(f"/api/runs/{bad}{suffix}")
        assert r.status_code == 404, (bad, suffix, r.status_code)
    assert client.post(f"/api/runs/{bad}/stop").status_code == 404
    assert client.delete(f"/api/runs/{bad}").status_code == 404


def test_without_mnist_post_is_a_503_saying_what_to_do(tmp_path, expect_error):
    empty = tmp_path / "no-data"
    empty.mkdir()
    with runs_client(tmp_path / "runs", empty) as c:
        r = c.post("/api/runs", json=QUICK)
        expect_error(r, 503, "convlens download", "CONVLENS_DATA")
        assert c.get("/api/runs").json()["runs"] == []


def test_the_stream_is_served_live_by_uvicorn(runs_dir, mnist_dir):
    """Through a real server with httpx: events arrive one by one while the run trains."""
    app = create_app(Settings(runs=runs_dir, data=mnist_dir, download=False))
    with serve(app) as url, httpx.Client(base_url=url, timeout=60) as http:
        run_id = http.post("/api/runs", json=QUICK).json()["id"]
        chunks = []
        with http.stream("GET", f"/api/runs/{run_id}/events") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            for chunk in stream.iter_text():
                chunks.append(chunk)
        events = parse_sse("".join(chunks))
        assert len(chunks) > 2  # not one buffered body
        assert events[-1][1]["type"] == "done"
        assert http.delete(f"/api/runs/{run_id}").status_code == 204
        assert http.get(f"/api/runs/{run_id}").status_code == 404
        assert not (runs_dir / run_id).exists()


def test_a_runs_folder_that_cannot_be_made_is_a_503(tmp_path, mnist_dir, expect_error):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with runs_client(blocker / "runs", mnist_dir) as c:
        expect_error(c.post("/api/runs", json=QUICK), 503, "CONVLENS_RUNS")
