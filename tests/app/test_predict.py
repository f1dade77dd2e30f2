"""POST /api/predict and /api/predict/upload: the numbers are the engine's, bit for bit."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from engine.data import load_mnist
from engine.encode import decode_layers
from engine.inference import layer_names, predict
from engine.preprocess import network_input, pixels_to_unit
from tests.app.payloads import as_drawing, f32, png_bytes, png_data_url, stroke_image

ALL = ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "flatten", "fc1", "relu3", "fc2"]


@pytest.fixture(scope="module")
def mnist_test(mnist_dir):
    """The first 10 MNIST test digits and labels."""
    images, labels = load_mnist("test", mnist_dir, download=False)
    return images[:10], labels[:10]


def engine_input(pixels, preprocess: bool) -> np.ndarray:
    """What the app should feed the network for a `pixels` request: (1, 28, 28) float32."""
    return network_input(pixels_to_unit(np.asarray(pixels, dtype=np.float64)), preprocess)[None]


def assert_matches_engine(body: dict, model, image: np.ndarray) -> None:
    """Every number in a predict response equals engine.inference.predict on `image`."""
    want = predict(model, image, "all")
    np.testing.assert_array_equal(f32(body["input"]), image[0])
    assert body["prediction"] == want.prediction
    assert body["label"] == str(want.prediction)
    np.testing.assert_array_equal(f32(body["probabilities"]), want.probabilities)
    assert [lay["name"] for lay in body["layers"]] == [lay.name for lay in want.layers]
    for got, lay in zip(body["layers"], want.layers, strict=True):
        assert got["kind"] == lay.kind
        assert got["shape"] == list(lay.shape)
        acts = f32(got["activations"])
        assert acts.shape == lay.shape
        np.testing.assert_array_equal(acts, lay.activations)
        assert got["min"] == pytest.approx(lay.min, rel=1e-6)
        assert got["max"] == pytest.approx(lay.max, rel=1e-6)


@pytest.mark.parametrize("preprocess", [False, True])
def test_pixel_activations_equal_the_engine(client, model, preprocess):
    pixels = stroke_image().tolist()
    r = client.post("/api/predict", json={"pixels": pixels, "preprocess": preprocess})
    assert r.status_code == 200
    assert_matches_engine(r.json(), model, engine_input(pixels, preprocess))


def test_activations_equal_model_trace(client, model, rng):
    pixels = rng.random((28, 28)).round(3)
    r = client.post("/api/predict", json={"pixels": pixels.tolist(), "preprocess": False})
    assert r.status_code == 200
    traces = model.trace(engine_input(pixels, False)[None])
    layers = {lay["name"]: lay for lay in r.json()["layers"]}
    assert list(layers) == [t.name for t in traces]
    for t in traces:
        np.testing.assert_array_equal(f32(layers[t.name]["activations"]), t.output[0])


def test_all_layers_in_network_order_then_softmax(client):
    body = client.post("/api/predict", json={"pixels": stroke_image().tolist()}).json()
    assert [lay["name"] for lay in body["layers"]] == [*ALL, "softmax"]
    kinds = {lay["name"]: lay["kind"] for lay in body["layers"]}
    assert kinds["conv1"] == "conv2d" and kinds["pool1"] == "maxpool2d"
    assert kinds["fc1"] == "dense" and kinds["softmax"] == "softmax"
    shapes = {lay["name"]: lay["shape"] for lay in body["layers"]}
    assert shapes["conv1"] == [16, 28, 28] and shapes["pool2"] == [32, 7, 7]
    assert shapes["softmax"] == [10]
    np.testing.assert_array_equal(
        f32(body["layers"][-1]["activations"]), f32(body["probabilities"])
    )
    assert sum(body["probabilities"]) == pytest.approx(1.0, abs=1e-5)


def test_pixels_0_1_and_0_255_are_the_same_image(client):
    img = stroke_image()
    a = client.post("/api/predict", json={"pixels": img.tolist(), "layers": ["conv1"]}).json()
    b = client.post(
        "/api/predict", json={"pixels": (img / 255).tolist(), "layers": ["conv1"]}
    ).json()
    assert a == b


def test_layers_filter_returns_named_layers_in_network_order(client, model):
    pixels = stroke_image().tolist()
    r = client.post(
        "/api/predict", json={"pixels": pixels, "layers": ["softmax", "pool2", "conv1"]}
    )
    assert r.status_code == 200
    body = r.json()
    assert [lay["name"] for lay in body["layers"]] == ["conv1", "pool2", "softmax"]
    assert_matches_filtered(body, model, engine_input(pixels, True), ["conv1", "pool2", "softmax"])


def assert_matches_filtered(body: dict, model, image: np.ndarray, names: list[str]) -> None:
    want = predict(model, image, names)
    assert body["prediction"] == want.prediction
    for got, lay in zip(body["layers"], want.layers, strict=True):
        np.testing.assert_array_equal(f32(got["activations"]), lay.activations)


def test_layer_names_match_the_engine(client, model):
    body = client.post("/api/predict", json={"pixels": stroke_image().tolist()}).json()
    assert [lay["name"] for lay in body["layers"]] == layer_names(model)


def test_mnist_digits_as_pixels(client, mnist_test):
    images, labels = mnist_test
    right = 0
    for img, label in zip(images, labels, strict=True):
        r = client.post(
            "/api/predict",
            json={"pixels": img.tolist(), "preprocess": False, "layers": ["softmax"]},
        )
        assert r.status_code == 200
        right += r.json()["prediction"] == int(label)
    assert right >= 9


def test_mnist_digits_as_png_data_urls(client, mnist_test):
    images, labels = mnist_test
    right = 0
    for img, label in zip(images, labels, strict=True):
        url = png_data_url(as_drawing(img))
        r = client.post("/api/predict", json={"image": url, "layers": ["softmax"]})
        assert r.status_code == 200
        right += r.json()["prediction"] == int(label)
    assert right >= 9


def test_plain_base64_equals_data_url(client):
    url = png_data_url(as_drawing(stroke_image()))
    plain = url.split(",", 1)[1]
    a = client.post("/api/predict", json={"image": url, "layers": ["pool1"]}).json()
    b = client.post("/api/predict", json={"image": plain, "layers": ["pool1"]}).json()
    assert a == b


def test_dark_on_light_and_light_on_dark_agree(client):
    light_on_dark = stroke_image(140)
    a = client.post("/api/predict", json={"image": png_data_url(light_on_dark)}).json()
    b = client.post("/api/predict", json={"image": png_data_url(255 - light_on_dark)}).json()
    np.testing.assert_array_equal(f32(a["input"]), f32(b["input"]))
    assert a["prediction"] == b["prediction"]


def test_transparent_png_reads_alpha_as_background(client):
    drawing = np.zeros((140, 140, 4), dtype=np.uint8)
    drawing[..., 3] = np.kron(stroke_image(), np.ones((5, 5), dtype=np.uint8))  # ink where opaque
    r = client.post("/api/predict", json={"image": png_data_url(drawing), "layers": ["softmax"]})
    assert r.status_code == 200
    assert r.json()["prediction"] == 1


def test_upload_png_equals_json_route(client):
    drawing = as_drawing(stroke_image())
    files = {"file": ("digit.png", png_bytes(drawing), "image/png")}
    up = client.post("/api/predict/upload", files=files)
    assert up.status_code == 200
    js = client.post("/api/predict", json={"image": png_data_url(drawing)})
    assert up.json() == js.json()


def test_upload_form_fields_filter_layers_and_preprocess(client, model):
    digit = stroke_image()
    files = {"file": ("digit.png", png_bytes(digit), "image/png")}
    data = {"preprocess": "false", "layers": "relu2, conv1"}
    r = client.post("/api/predict/upload", files=files, data=data)
    assert r.status_code == 200
    body = r.json()
    assert [lay["name"] for lay in body["layers"]] == ["conv1", "relu2"]
    image = network_input(digit, False)[None]
    np.testing.assert_array_equal(f32(body["input"]), image[0])
    assert_matches_filtered(body, model, image, ["conv1", "relu2"])


def test_upload_octet_stream_is_accepted(client):
    files = {"file": ("digit", png_bytes(as_drawing(stroke_image())), "application/octet-stream")}
    assert client.post("/api/predict/upload", files=files).status_code == 200


def test_predict_is_deterministic(client):
    payload = {"pixels": stroke_image().tolist(), "layers": ["fc1"]}
    assert (
        client.post("/api/predict", json=payload).json()
        == client.post("/api/predict", json=payload).json()
    )


# ---- errors: each with its status, a useful message, and the app still healthy afterwards ----

JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def bomb_png() -> bytes:
    """A 20000 x 20000 black PNG: ~400 KB on the wire, 400 megapixels decoded."""
    buf = io.BytesIO()
    Image.new("L", (20000, 20000)).save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("raw", "word"),
    [
        (b'{"pixels": [[NaN]]}', "finite"),
        (b'{"pixels": [[0, Infinity], [0, 1]]}', "finite"),
        (b'{"pixels": [[-Infinity, 0]]}', "finite"),
    ],
)
def test_non_finite_pixels_are_422(client, expect_error, raw, word):
    body = expect_error(client.post("/api/predict", content=raw, headers=JSON), 422, word)
    assert body["detail"][0]["loc"][:2] == ["body", "pixels"]


@pytest.mark.parametrize(
    ("pixels", "words"),
    [
        ([[0, 300], [0, 0]], ["less than or equal to 255"]),
        ([[-1, 0], [0, 0]], ["greater than or equal to 0"]),
        ([], ["at least 1 item"]),
        ([[]], ["at least 1 item"]),
        ([[0, "ink"]], ["number"]),
        ([0, 1, 2], ["list"]),
    ],
)
def test_bad_pixels_are_422_in_fastapi_format(client, expect_error, pixels, words):
    body = expect_error(client.post("/api/predict", json={"pixels": pixels}), 422, *words)
    for err in body["detail"]:
        assert {"type", "loc", "msg"} <= set(err)


@pytest.mark.parametrize(
    ("payload", "word"),
    [
        ({}, "exactly one"),
        ({"pixels": [[1]], "image": "aGk="}, "exactly one"),
        ({"pixels": [[1]], "layers": "some"}, "all"),
        ({"pixels": [[1]], "preprocess": "maybe"}, "boolean"),
    ],
)
def test_bad_request_shapes_are_422(client, expect_error, payload, word):
    expect_error(client.post("/api/predict", json=payload), 422, word)


def test_malformed_json_is_422(client, expect_error):
    r = client.post("/api/predict", content=b'{"pixels": [[0]]', headers=JSON)
    expect_error(r, 422, "json")


@pytest.mark.parametrize(
    ("image", "words"),
    [
        ("!!! not base64 !!!", ["base64"]),
        ("  ", ["empty"]),
        ("data:image/png;base64,", ["empty"]),
        ("data:image/png,rawbytes", ["base64"]),
        ("aGVsbG8gd29ybGQ=", ["not an image"]),  # "hello world"
        (base64.b64encode(png_bytes(stroke_image(280))[:300]).decode(), ["damaged", "whole"]),
    ],
)
def test_undecodable_images_are_400(client, expect_error, image, words):
    expect_error(client.post("/api/predict", json={"image": image}), 400, *words)


def test_blank_drawing_is_400(client, expect_error):
    blank = np.full((280, 280), 255, dtype=np.uint8)
    r = client.post("/api/predict", json={"image": png_data_url(blank)})
    expect_error(r, 400, "empty", "draw")
    r = client.post("/api/predict", json={"pixels": np.zeros((28, 28)).tolist()})
    expect_error(r, 400, "empty")


def test_wrong_size_without_preprocessing_is_400(client, expect_error):
    r = client.post("/api/predict", json={"pixels": stroke_image(20).tolist(), "preprocess": False})
    expect_error(r, 400, "28 x 28", "preprocess")


def test_data_url_of_text_is_415(client, expect_error):
    r = client.post("/api/predict", json={"image": "data:text/plain;base64,aGVsbG8="})
    expect_error(r, 415, "text/plain", "png")


def test_tiff_is_415(client, expect_error):
    buf = io.BytesIO()
    Image.fromarray(stroke_image()).save(buf, "TIFF")
    r = client.post("/api/predict", json={"image": base64.b64encode(buf.getvalue()).decode()})
    expect_error(r, 415, "tiff", "png")


def test_text_plain_body_is_415(client, expect_error):
    r = client.post("/api/predict", content=b"pixels=1", headers={"content-type": "text/plain"})
    expect_error(r, 415, "application/json", "text/plain")


def test_missing_content_type_is_415(client, expect_error):
    r = client.post("/api/predict", content=b'{"pixels": [[1]]}')
    expect_error(r, 415, "application/json")


def test_body_over_2_mib_is_413(client, expect_error):
    r = client.post("/api/predict", content=b" " * (2 * 1024 * 1024 + 1), headers=JSON)
    expect_error(r, 413, "larger", "2097152")


def test_streamed_body_over_2_mib_is_413(client, expect_error):
    def chunks():
        for _ in range(3):
            yield b" " * (1024 * 1024)

    r = client.post("/api/predict", content=chunks(), headers=JSON)  # no Content-Length
    expect_error(r, 413, "larger")


def test_pixels_over_side_limit_are_413(client, expect_error):
    r = client.post("/api/predict", json={"pixels": [[0] * 513] * 2})
    expect_error(r, 413, "513", "512")


@pytest.mark.slow  # bomb_png encodes a 400-megapixel PNG
def test_decompression_bomb_is_413(client, expect_error, bomb_png):
    assert len(bomb_png) < 1_000_000
    r = client.post("/api/predict", json={"image": base64.b64encode(bomb_png).decode()})
    expect_error(r, 413, "too large")


@pytest.mark.slow
def test_decompression_bomb_upload_is_413(client, expect_error, bomb_png):
    files = {"file": ("bomb.png", bomb_png, "image/png")}
    expect_error(client.post("/api/predict/upload", files=files), 413, "too large")


def test_image_over_pixel_limit_is_413(client, expect_error):
    buf = io.BytesIO()
    Image.new("L", (5000, 4000), 255).save(buf, "PNG")  # 20 MP: over the 4 MP limit
    r = client.post("/api/predict/upload", files={"file": ("big.png", buf.getvalue(), "image/png")})
    expect_error(r, 413, "pixels")


@pytest.mark.parametrize("layers", [["conv9"], ["conv1", "nope"]])
def test_unknown_layer_is_404(client, expect_error, layers):
    r = client.post("/api/predict", json={"pixels": stroke_image().tolist(), "layers": layers})
    expect_error(r, 404, "unknown layer", "conv1")


def test_upload_unknown_layer_is_404(client, expect_error):
    files = {"file": ("d.png", png_bytes(as_drawing(stroke_image())), "image/png")}
    r = client.post("/api/predict/upload", files=files, data={"layers": "conv1,zzz"})
    expect_error(r, 404, "zzz")


def test_upload_text_file_is_415(client, expect_error):
    files = {"file": ("notes.txt", b"hello", "text/plain")}
    expect_error(client.post("/api/predict/upload", files=files), 415, "text/plain", "png")


@pytest.mark.parametrize(("data", "word"), [(b"", "empty"), (b"hello", "not an image")])
def test_upload_unusable_file_is_400(client, expect_error, data, word):
    files = {"file": ("d.png", data, "image/png")}
    expect_error(client.post("/api/predict/upload", files=files), 400, word)


def test_upload_without_file_is_422(client, expect_error):
    body = expect_error(client.post("/api/predict/upload", data={"layers": "all"}), 422, "file")
    assert body["detail"][0]["loc"] == ["body", "file"]


def test_upload_json_body_is_422(client, expect_error):
    expect_error(client.post("/api/predict/upload", json={"pixels": [[1]]}), 422, "file")


def test_predict_and_upload_report_the_placement(client):
    image = np.full((300, 200), 255, dtype=np.uint8)
    image[50:250, 80:120] = 0  # a bar 200 tall, 40 wide
    want = {"top": 50, "left": 80, "height": 200, "width": 40}
    body = client.post("/api/predict", json={"image": png_data_url(image), "layers": []}).json()
    assert body["placement"]["source"] == want
    assert body["placement"]["target"]["height"] == 20
    files = {"file": ("bar.png", png_bytes(image), "image/png")}
    upload = client.post("/api/predict/upload", files=files, data={"layers": "fc2"}).json()
    assert upload["placement"] == body["placement"]
    raw = {"pixels": stroke_image().tolist(), "preprocess": False, "layers": []}
    assert client.post("/api/predict", json=raw).json()["placement"] is None


def test_f16_encoding_decodes_to_the_lists_rounded_to_float16(client, model):
    """encoding "f16" carries exactly the float16 rounding of every value the lists carry; a
    ReLU whose input layer is sent too comes as a reference to it, which reads the same."""
    body = {"pixels": stroke_image().tolist(), "layers": "all"}
    lists = client.post("/api/predict", json=body).json()
    packed = client.post("/api/predict", json={**body, "encoding": "f16"}).json()
    assert packed["prediction"] == lists["prediction"]
    assert packed["probabilities"] == lists["probabilities"]
    assert packed["input"] == lists["input"]
    decoded = decode_layers(packed["layers"])
    references = {}
    for plain, small in zip(lists["layers"], packed["layers"], strict=True):
        values = small["activations"]
        assert values["dtype"] == "float16"
        assert values["shape"] == plain["shape"]
        want = f32(plain["activations"]).astype(np.float16)
        if "data" in values:
            raw = np.frombuffer(base64.b64decode(values["data"]), dtype="<f2")
            np.testing.assert_array_equal(raw.reshape(plain["shape"]), want)
        else:
            references[small["name"]] = values["relu_of"]
        np.testing.assert_array_equal(decoded[small["name"]], want.astype(np.float32))
        assert (small["min"], small["max"]) == (plain["min"], plain["max"])
    kinds = {layer["name"]: layer["kind"] for layer in lists["layers"]}
    relus = [name for name, kind in kinds.items() if kind == "relu"]
    assert references and set(references) == set(relus)
    names = list(kinds)
    for relu, source in references.items():
        assert names.index(source) == names.index(relu) - 1


def test_a_relu_without_its_input_layer_is_sent_whole(client):
    """Asked for a ReLU alone, the f16 answer carries its values (nothing to refer to)."""
    body = {"pixels": stroke_image().tolist(), "layers": ["relu1"], "encoding": "f16"}
    lists = client.post("/api/predict", json={**body, "encoding": "lists"}).json()
    (layer,) = client.post("/api/predict", json=body).json()["layers"]
    assert "relu_of" not in layer["activations"]
    np.testing.assert_array_equal(
        decode_layers([layer])["relu1"],
        f32(lists["layers"][0]["activations"]).astype(np.float16).astype(np.float32),
    )


def test_f16_answers_are_a_third_of_the_lists(client):
    """The compact form is what it is for: far fewer bytes than the nested lists."""
    body = {"pixels": stroke_image().tolist(), "layers": "all"}
    lists = client.post("/api/predict", json=body).content
    packed = client.post("/api/predict", json={**body, "encoding": "f16"}).content
    assert len(packed) < len(lists) / 4


def test_unknown_encoding_is_a_422(client):
    """Only "lists" and "f16" exist."""
    answer = client.post("/api/predict", json={"pixels": [[0, 1]], "encoding": "f32"})
    assert answer.status_code == 422
    assert "f16" in answer.text
