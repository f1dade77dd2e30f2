"""POST /api/saliency, GET /api/model/layers/{name}/top-patches/{f}, GET /api/model/misclassified."""

from __future__ import annotations

import time

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from engine.atlas import NEAR, atlas_path, compute_atlas, load_atlas, save_atlas
from engine.data import load_mnist
from engine.saliency import saliency
from tests.app.payloads import f32, png_data_url, stroke_image


def pixels() -> list[list[int]]:
    return stroke_image().tolist()


@pytest.mark.parametrize("method", ["gradient", "gradcam"])
def test_saliency_equals_the_engine(client, model, method):
    r = client.post("/api/saliency", json={"pixels": pixels(), "class": 4, "method": method})
    assert r.status_code == 200, r.text
    body = r.json()
    image = f32(body["input"])[None]
    want = saliency(model, image, 4, method)
    assert body["method"] == method and body["class"] == 4 and body["score"] == "logit"
    assert body["prediction"] == want.prediction
    assert body["layer"] == ("conv2" if method == "gradcam" else None)
    np.testing.assert_array_equal(f32(body["saliency"]), want.saliency)
    np.testing.assert_array_equal(f32(body["raw"]), want.raw)
    assert body["raw_min"] == pytest.approx(float(want.raw.min()))
    assert body["raw_max"] == pytest.approx(float(want.raw.max()))
    sal = f32(body["saliency"])
    assert sal.shape == (28, 28) and sal.min() >= 0 and sal.max() == pytest.approx(1.0)


def test_saliency_defaults_to_the_predicted_class_and_the_gradient(client):
    body = client.post("/api/saliency", json={"pixels": pixels()}).json()
    assert body["method"] == "gradient"
    assert body["class"] == body["prediction"] == 1
    assert body["raw_min"] < 0 < body["raw_max"]  # the gradient is signed


def test_saliency_of_a_real_digit_lies_on_the_digit(client, mnist_dir):
    images, labels = load_mnist("test", mnist_dir, download=False)
    digit = images[0]
    r = client.post(
        "/api/saliency", json={"pixels": digit.tolist(), "preprocess": False, "method": "gradcam"}
    )
    body = r.json()
    assert body["class"] == int(labels[0])
    sal = f32(body["saliency"])
    assert sal[digit > 128].mean() > sal[digit == 0].mean()


def drawing(shape: tuple[int, int], top: int, left: int, height: int, width: int) -> np.ndarray:
    """(H, W) uint8 white paper with one black rectangle of ink, like a drawn 1."""
    image = np.full(shape, 255, dtype=np.uint8)
    image[top : top + height, left : left + width] = 0
    return image


def box(top, left, height, width) -> dict:
    return {"top": top, "left": left, "height": height, "width": width}


@pytest.mark.parametrize(
    ("shape", "ink"),
    [
        ((280, 280), (40, 100, 200, 40)),  # the page's pad
        ((2048, 1536), (400, 600, 1200, 200)),  # read at half size: 1024 x 768
    ],
)
def test_saliency_placement_is_the_ink_box_of_the_image_sent(client, shape, ink):
    r = client.post(
        "/api/saliency", json={"image": png_data_url(drawing(shape, *ink)), "method": "gradcam"}
    )
    assert r.status_code == 200, r.text
    placement = r.json()["placement"]
    assert placement["source"] == box(*ink)
    target = placement["target"]
    assert target["height"] == 20 and target["width"] == round(20 * ink[3] / ink[2])
    inked = np.nonzero(f32(r.json()["input"]) > 0.01)
    assert (inked[0].min(), inked[1].min()) == (target["top"], target["left"])


def test_saliency_placement_of_an_odd_sized_large_image(client):
    # 3000 x 1000 is read as 1024 x 341: the box comes back in the sent image's pixels,
    # each edge exact up to one pixel of the copy that was read (about 3 pixels here).
    ink = (600, 300, 1800, 400)
    r = client.post("/api/saliency", json={"image": png_data_url(drawing((3000, 1000), *ink))})
    source = r.json()["placement"]["source"]
    for key, want in box(*ink).items():
        edges = 2 if key in ("height", "width") else 1
        assert source[key] == pytest.approx(want, abs=edges * 3000 / 1024)


def test_saliency_placement_of_pixels_and_without_preprocessing(client):
    big = client.post("/api/saliency", json={"pixels": stroke_image(56).tolist()}).json()
    assert big["placement"]["source"] == box(11, 24, 34, 8)
    raw = {"pixels": stroke_image().tolist(), "preprocess": False}
    assert client.post("/api/saliency", json=raw).json()["placement"] is None


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"class": 10}, ["class", "less than or equal to 9"]),
        ({"class": -1}, ["class"]),
        ({"class": "seven"}, ["class"]),
        ({"method": "occlusion"}, ["method", "gradient", "gradcam"]),
    ],
)
def test_saliency_rejects_bad_parameters(client, expect_error, extra, words):
    r = client.post("/api/saliency", json={"pixels": pixels(), **extra})
    expect_error(r, 422, *words)


def test_saliency_needs_an_image(client, expect_error):
    expect_error(client.post("/api/saliency", json={"method": "gradient"}), 422, "exactly one")
    blank = np.zeros((28, 28)).tolist()
    expect_error(client.post("/api/saliency", json={"pixels": blank}), 400, "empty")
    r = client.post("/api/saliency", content=b"{}", headers={"content-type": "text/plain"})
    expect_error(r, 415, "application/json")


@pytest.fixture
def isolated(tmp_path):
    """An app whose data folder (and so its atlas cache) is under tmp_path."""
    settings = Settings(data=tmp_path / "mnist", download=False)
    with TestClient(create_app(settings)) as c:
        yield c, settings


def test_top_patches_503_without_mnist_shows_no_server_path(isolated, model, mnist_dir):
    client, settings = isolated
    r = client.get("/api/model/layers/conv2/top-patches/3")
    assert r.status_code == 503
    detail = r.json()["detail"]
    assert "MNIST test set is not available" in detail and "CONVLENS_DATA" in detail
    assert str(settings.data.parent) not in detail and "/" not in detail
    info = client.get("/api/model").json()
    assert info["atlas_available"] is False
    assert info["atlas_command"] == "convlens atlas"  # no server path

    version = info["version"]
    images = load_mnist("test", mnist_dir, download=False)[0][:60]
    atlas = compute_atlas(model, images)
    save_atlas(atlas, atlas_path(version, settings.data), version)

    assert client.get("/api/model").json()["atlas_available"] is True
    r = client.get("/api/model/layers/conv2/top-patches/3")
    assert r.status_code == 200, r.text
    body = r.json()
    kp = atlas["conv2"][3]
    assert body["layer"] == "conv2" and body["kernel"] == 3 and body["model_version"] == version
    assert body["receptive_field"] == {"size": [8, 8], "jump": [2, 2], "offset": [-3, -3]}
    np.testing.assert_array_equal(f32(body["patches"]), kp.patches)
    np.testing.assert_array_equal(f32(body["activations"]), kp.activations)
    assert body["indices"] == kp.indices.tolist()
    assert body["positions"] == kp.positions.tolist()
    assert body["windows"] == [[2 * i - 3, 2 * j - 3] for i, j in kp.positions.tolist()]
    assert np.array(body["digits"]).shape == (9, 28, 28)
    np.testing.assert_array_equal(body["digits"], images[kp.indices])
    r = client.get("/api/model/layers/conv1/top-patches/7")
    assert r.status_code == 200 and f32(r.json()["patches"]).shape == (9, 3, 3)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/api/model/layers/nope/top-patches/0", ["no layer named", "conv1"]),
        ("/api/model/layers/pool1/top-patches/0", ["maxpool2d", "conv1", "conv2"]),
        ("/api/model/layers/fc1/top-patches/0", ["dense"]),
        ("/api/model/layers/conv1/top-patches/16", ["0..15"]),
        ("/api/model/layers/conv2/top-patches/-1", ["0..31"]),
    ],
)
def test_top_patches_404(client, expect_error, url, words):
    expect_error(client.get(url), 404, *words)


def test_misclassified_matches_the_confusion_matrix(mnist_client, mnist_dir):
    client = mnist_client
    confusion = client.get("/api/model").json()["metadata"]["confusion_matrix"]
    _, labels = load_mnist("test", mnist_dir, download=False)
    r = client.get("/api/model/misclassified", params={"true": 9, "predicted": 4, "count": 3})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["true"] == 9 and body["predicted"] == 4
    assert body["total"] == confusion[9][4]
    assert len(body["samples"]) == min(3, confusion[9][4])
    indices = [s["index"] for s in body["samples"]]
    assert indices == sorted(indices)
    for s in body["samples"]:
        assert s["label"] == 9 == labels[s["index"]] and s["prediction"] == 4
        assert np.asarray(s["pixels"]).shape == (28, 28)
    r = client.get("/api/model/misclassified", params={"true": 3, "predicted": 3, "count": 100})
    assert r.json()["total"] == confusion[3][3] and len(r.json()["samples"]) == 64
    empty = client.get("/api/model/misclassified", params={"true": 0, "predicted": 1}).json()
    assert empty["total"] == confusion[0][1] == 0 and empty["samples"] == []


@pytest.mark.parametrize(
    "params", [{"true": 10, "predicted": 0}, {"true": 1}, {"true": 1, "predicted": 2, "count": 0}]
)
def test_misclassified_rejects_bad_queries(mnist_client, expect_error, params):
    expect_error(mnist_client.get("/api/model/misclassified", params=params), 422)


def test_top_patches_are_computed_in_the_background_once(tmp_path, mnist_dir):
    """No command to run: the first request starts the atlas (202 + Retry-After), then 200."""
    data = tmp_path / "mnist"
    data.mkdir()
    for path in mnist_dir.glob("t10k-*"):
        (data / path.name).symlink_to(path.resolve())
    with TestClient(create_app(Settings(data=data, download=False))) as client:
        version = client.get("/api/model").json()["version"]
        first = client.get("/api/model/layers/conv2/top-patches/3")
        assert first.status_code == 202, first.text
        assert int(first.headers["Retry-After"]) > 0
        assert "being computed" in first.json()["detail"]
        assert client.get("/api/health").status_code == 200
        deadline = time.monotonic() + 300  # a bound on the wait, not a timing assertion
        while (r := client.get("/api/model/layers/conv2/top-patches/3")).status_code == 202:
            assert time.monotonic() < deadline, "the atlas was never computed"
            time.sleep(0.2)
        assert r.status_code == 200, r.text
        path = atlas_path(version, data)
        kp = load_atlas(path)["conv2"][3]
        assert r.json()["indices"] == kp.indices.tolist()
        np.testing.assert_array_equal(f32(r.json()["patches"]), kp.patches)
        assert client.get("/api/model").json()["atlas_available"] is True
        assert sorted(p.name for p in path.parent.iterdir()) == [f".{version}.lock", path.name]
        # the whole test set: nine distinct shapes per conv1 kernel, each inside its source digit
        images = load_mnist("test", mnist_dir, download=False)[0]
        for f in range(8):
            body = client.get(f"/api/model/layers/conv1/top-patches/{f}").json()
            assert len(set(body["indices"])) == 9
            if max(body["activations"]) <= 0:
                continue  # a dead kernel (negative everywhere) answers to no shape
            patches = f32(body["patches"]).reshape(9, -1)
            norms = np.linalg.norm(patches, axis=1, keepdims=True)
            unit = np.divide(patches, norms, out=np.zeros_like(patches), where=norms > 0)
            gaps = np.linalg.norm(unit[:, None] - unit[None], axis=2)[np.triu_indices(9, 1)]
            assert gaps.min() >= NEAR - 1e-6, (f, gaps.min())
            digits = np.array(body["digits"])
            np.testing.assert_array_equal(digits, images[body["indices"]])
            rows = zip(digits, body["patches"], body["windows"], strict=True)
            for digit, patch, (top, left) in rows:
                window = np.pad(digit, 1)[top + 1 : top + 4, left + 1 : left + 4] / 255
                np.testing.assert_allclose(window, patch, atol=1e-6)


def test_misclassified_503_without_mnist(isolated):
    client, _ = isolated
    r = client.get("/api/model/misclassified", params={"true": 9, "predicted": 4})
    assert r.status_code == 503 and "MNIST" in r.json()["detail"]


def test_openapi_documents_the_insight_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    post = paths["/api/saliency"]["post"]
    assert {"400", "413", "415", "422"} <= set(post["responses"])
    get = paths["/api/model/layers/{name}/top-patches/{f}"]["get"]
    assert {"202", "404", "503"} <= set(get["responses"])
    assert "Retry-After" in get["responses"]["202"]["headers"]
    assert "503" in paths["/api/model/misclassified"]["get"]["responses"]
