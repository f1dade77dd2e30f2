"""GET /api/samples: MNIST test digits, and a 503 with instructions when there are none."""

from __future__ import annotations

import functools
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from engine.data import load_mnist


@pytest.fixture
def samples_client(mnist_dir):
    with TestClient(create_app(Settings(data=mnist_dir, download=False))) as c:
        yield c


@pytest.fixture
def no_data_client(tmp_path):
    with TestClient(create_app(Settings(data=tmp_path, download=False))) as c:
        yield c


@pytest.fixture(scope="module")
def mnist_test(mnist_dir):
    return load_mnist("test", mnist_dir, download=False)


def test_one_sample_by_default(samples_client, mnist_test):
    r = samples_client.get("/api/samples")
    assert r.status_code == 200
    (sample,) = r.json()["samples"]
    images, labels = mnist_test
    assert sample["index"] == 0 and sample["label"] == int(labels[0])
    np.testing.assert_array_equal(np.asarray(sample["pixels"]), images[0])


@pytest.mark.parametrize("digit", [0, 3, 9])
def test_digit_filter(samples_client, mnist_test, digit):
    r = samples_client.get("/api/samples", params={"digit": digit, "count": 5})
    assert r.status_code == 200
    samples = r.json()["samples"]
    images, labels = mnist_test
    want = np.flatnonzero(labels == digit)[:5]
    assert [s["index"] for s in samples] == want.tolist()
    for s in samples:
        assert s["label"] == digit
        pixels = np.asarray(s["pixels"])
        assert pixels.shape == (28, 28) and pixels.min() >= 0 and pixels.max() <= 255
        np.testing.assert_array_equal(pixels, images[s["index"]])


def test_offset_pages_through_matches(samples_client):
    first = samples_client.get("/api/samples", params={"digit": 7, "count": 4}).json()["samples"]
    page = samples_client.get("/api/samples", params={"digit": 7, "count": 2, "offset": 2})
    assert [s["index"] for s in page.json()["samples"]] == [s["index"] for s in first[2:]]


def test_count_is_capped_at_the_configured_max(samples_client):
    r = samples_client.get("/api/samples", params={"count": 1000})
    assert r.status_code == 200
    assert len(r.json()["samples"]) == Settings().max_samples


def test_offset_past_the_end_is_empty(samples_client):
    r = samples_client.get("/api/samples", params={"offset": 10_000})
    assert r.status_code == 200 and r.json()["samples"] == []


def test_samples_predict_right(samples_client, client):
    samples = samples_client.get("/api/samples", params={"count": 10}).json()["samples"]
    right = 0
    for s in samples:
        payload = {"pixels": s["pixels"], "preprocess": False, "layers": ["softmax"]}
        right += client.post("/api/predict", json=payload).json()["prediction"] == s["label"]
    assert right >= 9


@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({"digit": 10}, "less than or equal to 9"),
        ({"digit": -1}, "greater than or equal to 0"),
        ({"digit": "seven"}, "integer"),
        ({"count": 0}, "greater than or equal to 1"),
        ({"offset": -1}, "greater than or equal to 0"),
    ],
)
def test_bad_query_is_422(samples_client, params, word):
    r = samples_client.get("/api/samples", params=params)
    assert r.status_code == 422
    assert word in r.json()["detail"][0]["msg"]
    assert r.json()["detail"][0]["loc"][0] == "query"


def test_missing_mnist_is_503_with_how_to(no_data_client, tmp_path, mnist_dir):
    r = no_data_client.get("/api/samples", params={"digit": 3})
    assert r.status_code == 503
    detail = r.json()["detail"]
    assert "not available" in detail
    assert "CONVLENS_DATA" in detail and "convlens download" in detail
    assert str(tmp_path) not in detail and "/" not in detail  # no server path in answers
    assert "Retry-After" not in r.headers  # nothing is on its way
    assert no_data_client.get("/api/health").status_code == 200
    for path in mnist_dir.glob("t10k-*"):  # a failure is not cached: the files may appear later
        (tmp_path / path.name).symlink_to(path)
    assert no_data_client.get("/api/samples", params={"digit": 3}).status_code == 200


def test_missing_mnist_does_not_break_predict(no_data_client):
    assert no_data_client.get("/api/samples").status_code == 503
    r = no_data_client.post("/api/predict", json={"pixels": [[0, 255, 255, 0]] * 4})
    assert r.status_code == 200


def test_each_app_has_its_own_test_set(mnist_dir, tmp_path):
    """Two apps in one process with different data folders: no cache is shared between them."""
    with (
        TestClient(create_app(Settings(data=tmp_path, download=False))) as empty,
        TestClient(create_app(Settings(data=mnist_dir, download=False))) as full,
    ):
        assert full.get("/api/samples").status_code == 200
        assert empty.get("/api/samples").status_code == 503
        assert full.get("/api/samples").status_code == 200


class GatedHandler(SimpleHTTPRequestHandler):
    """Serves files only once the test opens the gate (a mirror as slow as the test wants)."""

    gate: threading.Event
    fetched: list[str]

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.fetched.append(self.path)
        self.gate.wait(timeout=60)
        super().do_GET()


@pytest.fixture
def slow_mirror(mnist_dir, tmp_path, monkeypatch):
    """A local mirror of the MNIST test files whose answers wait for `gate`; yields the handler."""
    root = tmp_path / "www"
    root.mkdir()
    for path in mnist_dir.glob("t10k-*.gz"):
        (root / path.name).symlink_to(path.resolve())
    handler = type("Handler", (GatedHandler,), {"gate": threading.Event(), "fetched": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    monkeypatch.setenv("CONVLENS_MNIST_MIRRORS", f"http://127.0.0.1:{server.server_address[1]}/")
    yield handler
    handler.gate.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_a_download_in_progress_is_503_with_retry_after_and_blocks_nothing(
    slow_mirror, tmp_path: Path
):
    """The first use downloads MNIST once, in the background; everything else keeps answering."""
    settings = Settings(data=tmp_path / "cache", download=True)
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/samples").status_code == 503
        deadline = time.monotonic() + 60  # a bound on the wait, not a timing assertion
        while not slow_mirror.fetched:  # the background download reaches the mirror
            assert time.monotonic() < deadline, "the download never started"
            time.sleep(0.05)
        for _ in range(5):
            r = client.get("/api/samples")
            assert r.status_code == 503, r.text
            assert int(r.headers["Retry-After"]) > 0
            assert "being downloaded" in r.json()["detail"]
            r = client.get("/api/model/misclassified", params={"true": 1, "predicted": 1})
            assert r.status_code == 503 and "Retry-After" in r.headers
            assert client.get("/api/health").status_code == 200
            r = client.post("/api/predict", json={"pixels": [[0, 255, 255, 0]] * 4})
            assert r.status_code == 200
        assert len(slow_mirror.fetched) == 1  # one download under way, not one per request
        slow_mirror.gate.set()
        deadline = time.monotonic() + 60  # a bound on the wait, not a timing assertion
        while (r := client.get("/api/samples")).status_code == 503:
            assert "Retry-After" in r.headers, r.text
            assert time.monotonic() < deadline, "the download never finished"
            time.sleep(0.1)
        assert r.status_code == 200 and r.json()["samples"][0]["index"] == 0
    assert sorted(slow_mirror.fetched) == [
        "/t10k-images-idx3-ubyte.gz",
        "/t10k-labels-idx1-ubyte.gz",
    ]


@pytest.mark.parametrize("path", ["/api/samples", "/api/model/misclassified?true=1&predicted=1"])
def test_an_uncreatable_data_folder_is_503_without_server_paths(tmp_path, path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings = Settings(data=blocker / "mnist", download=True)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        r = client.get(path)  # known at once: no download is started
    assert r.status_code == 503, r.text
    assert "Retry-After" not in r.headers
    detail = r.json()["detail"]
    assert "not available" in detail and "CONVLENS_DATA" in detail
    assert str(tmp_path) not in detail and "/" not in detail
