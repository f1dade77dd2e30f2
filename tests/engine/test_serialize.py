"""Saving and loading models, and a clear ModelFileError for every way a file can be broken."""

from __future__ import annotations

import json
import struct
import zipfile

import numpy as np
import pytest

from engine.architecture import mnist_cnn
from engine.serialize import FORMAT_VERSION, ModelFileError, json_path_for, load_model, save_model
from engine.train import to_input


@pytest.fixture
def saved(tmp_path):
    """A randomly initialised MNIST CNN saved to tmp_path; returns (model, weights path)."""
    model = mnist_cnn(seed=7)
    for _, key, p in model.parameters():
        if key == "b":
            p[...] = np.random.default_rng(1).standard_normal(p.shape) * 0.1
    path = save_model(model, tmp_path / "sub" / "model.npz", {"test_accuracy": 0.5, "note": "x"})
    return model, path


def test_round_trip_gives_identical_predictions_and_metadata(saved, rng):
    model, path = saved
    assert path.is_file()
    assert json_path_for(path) == path.with_suffix(".json")
    loaded, metadata = load_model(path)
    assert metadata == {"test_accuracy": 0.5, "note": "x"}
    assert loaded.describe() == model.describe()
    assert loaded.class_names == model.class_names
    for (n1, k1, p1), (n2, k2, p2) in zip(model.parameters(), loaded.parameters(), strict=True):
        assert (n1, k1) == (n2, k2)
        assert p2.dtype == np.float32
        np.testing.assert_array_equal(p1, p2)
    x = to_input(rng.integers(0, 256, (5, 28, 28), dtype=np.uint8))
    np.testing.assert_array_equal(model.forward(x), loaded.forward(x))


def test_saved_json_says_what_it_is(saved):
    _, path = saved
    doc = json.loads(json_path_for(path).read_text())
    assert doc["format"] == "convlens-model"
    assert doc["format_version"] == FORMAT_VERSION
    assert [layer["name"] for layer in doc["architecture"]["layers"]][0] == "conv1"


def test_missing_json(saved):
    _, path = saved
    json_path_for(path).unlink()
    with pytest.raises(ModelFileError, match="missing architecture file"):
        load_model(path)


def test_missing_npz(saved):
    _, path = saved
    path.unlink()
    with pytest.raises(ModelFileError, match="missing weights file"):
        load_model(path)


def test_missing_both_files(tmp_path):
    with pytest.raises(ModelFileError, match="missing"):
        load_model(tmp_path / "nothing.npz")


def test_bad_json(saved):
    _, path = saved
    json_path_for(path).write_text('{"format": "convlens-model", ')
    with pytest.raises(ModelFileError, match="not valid JSON"):
        load_model(path)


def test_json_of_something_else(saved):
    _, path = saved
    json_path_for(path).write_text("[1, 2, 3]")
    with pytest.raises(ModelFileError, match="not a ConvLens model description"):
        load_model(path)


def test_wrong_format_version(saved):
    _, path = saved
    doc = json.loads(json_path_for(path).read_text())
    doc["format_version"] = FORMAT_VERSION + 1
    json_path_for(path).write_text(json.dumps(doc))
    with pytest.raises(ModelFileError, match=f"format version {FORMAT_VERSION + 1}"):
        load_model(path)


def test_architecture_that_cannot_be_built(saved):
    _, path = saved
    doc = json.loads(json_path_for(path).read_text())
    doc["architecture"]["layers"][0]["kind"] = "conv9d"
    json_path_for(path).write_text(json.dumps(doc))
    with pytest.raises(ModelFileError, match="describes no valid model"):
        load_model(path)


def rewrite_npz(path, change):
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    change(arrays)
    np.savez(path, **arrays)


def test_npz_missing_a_key(saved):
    _, path = saved
    rewrite_npz(path, lambda a: a.pop("fc2.b"))
    with pytest.raises(ModelFileError, match=r"missing \['fc2.b'\]"):
        load_model(path)


def test_npz_with_an_unexpected_key(saved):
    _, path = saved
    rewrite_npz(path, lambda a: a.update(extra=np.zeros(3)))
    with pytest.raises(ModelFileError, match=r"unexpected \['extra'\]"):
        load_model(path)


def test_npz_with_a_wrong_shape(saved):
    _, path = saved
    rewrite_npz(path, lambda a: a.update({"conv1.W": np.zeros((8, 1, 5, 5), np.float32)}))
    with pytest.raises(ModelFileError, match=r"conv1.W has shape \(8, 1, 5, 5\)"):
        load_model(path)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_npz_with_non_finite_weights(saved, bad):
    _, path = saved

    def poison(arrays):
        arrays["fc1.W"][3, 4] = bad

    rewrite_npz(path, poison)
    with pytest.raises(ModelFileError, match="fc1.W contains NaN or infinite"):
        load_model(path)


@pytest.mark.parametrize("keep", [0, 10, 1000, "half"])
def test_truncated_npz(saved, keep):
    _, path = saved
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if keep == "half" else data[:keep])
    with pytest.raises(ModelFileError, match="not a readable .npz"):
        load_model(path)


def test_npz_that_is_not_a_zip(saved):
    _, path = saved
    path.write_bytes(b"this is not a zip file at all" * 20)
    with pytest.raises(ModelFileError, match="not a readable .npz"):
        load_model(path)


def test_corrupt_member_inside_the_npz(saved):
    # Flip bytes in the middle of the compressed data: the zip directory is intact.
    _, path = saved
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid : mid + 64] = bytes(64)
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError):
        load_model(path)


def test_failed_load_leaves_no_half_model(saved):
    # A shape error in a late layer must surface as ModelFileError, not a partly loaded model.
    _, path = saved
    rewrite_npz(path, lambda a: a.update({"fc2.W": np.zeros((10, 127), np.float32)}))
    with pytest.raises(ModelFileError):
        load_model(path)


def test_invalid_deflate_block_inside_the_npz(saved):
    # An invalid deflate block type makes zlib itself fail (zlib.error, not BadZipFile).
    _, path = saved
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("fc1.W.npy")
    data = bytearray(path.read_bytes())
    name_len, extra_len = struct.unpack(
        "<HH", data[info.header_offset + 26 : info.header_offset + 30]
    )
    start = info.header_offset + 30 + name_len + extra_len
    data[start] = 0xFF  # BTYPE = 11: reserved, invalid
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="not a readable .npz"):
        load_model(path)
