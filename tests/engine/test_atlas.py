"""The filter atlas: receptive fields, top units, patches that reproduce the activation, cache."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import engine.atlas
from engine.atlas import (
    FORMAT_VERSION,
    NEAR,
    AtlasMissing,
    atlas_command,
    atlas_path,
    compute_atlas,
    conv_layers,
    ensure_atlas,
    extract_patches,
    layer_receptive_field,
    load_atlas,
    pick_distinct,
    save_atlas,
)
from engine.data import load_mnist
from engine.model import Sequential
from engine.serialize import BUNDLED_WEIGHTS, load_model, model_version
from engine.shapes import receptive_field


@pytest.fixture(scope="module")
def model() -> Sequential:
    return load_model()[0]


@pytest.fixture(scope="module")
def images(mnist_dir) -> np.ndarray:
    """A small slice of the MNIST test set (read at test time, never stored in the repo)."""
    return load_mnist("test", mnist_dir, download=False)[0][:120]


@pytest.fixture(scope="module")
def atlas(model, images):
    return compute_atlas(model, images, batch_size=50)


def test_receptive_field_arithmetic():
    assert receptive_field([]) == {"size": (1, 1), "jump": (1, 1), "offset": (0, 0)}
    conv3 = ((3, 3), (1, 1), (1, 1))
    pool2 = ((2, 2), (2, 2), (0, 0))
    assert receptive_field([conv3]) == {"size": (3, 3), "jump": (1, 1), "offset": (-1, -1)}
    assert receptive_field([conv3, pool2, conv3]) == {
        "size": (8, 8),
        "jump": (2, 2),
        "offset": (-3, -3),
    }
    strided = ((5, 3), (2, 1), (0, 1))
    assert receptive_field([strided]) == {"size": (5, 3), "jump": (2, 1), "offset": (0, -1)}


def test_receptive_field_of_the_bundled_layers(model):
    assert conv_layers(model) == ["conv1", "conv2"]
    assert layer_receptive_field(model, "conv1")["size"] == (3, 3)
    assert layer_receptive_field(model, "conv2") == {
        "size": (8, 8),
        "jump": (2, 2),
        "offset": (-3, -3),
    }


def test_receptive_field_is_exactly_what_a_conv2_unit_depends_on(model, rng):
    """Changing pixels outside the window leaves the unit alone; inside, some pixel moves it."""
    x = rng.random((1, 1, 28, 28)).astype(np.float32)
    k = model.index("conv2")
    rf = layer_receptive_field(model, "conv2")
    i, j = 5, 9
    top, left = rf["offset"][0] + i * rf["jump"][0], rf["offset"][1] + j * rf["jump"][1]
    inside = np.zeros((28, 28), dtype=bool)
    inside[max(top, 0) : top + 8, max(left, 0) : left + 8] = True
    base = model.trace(x)[k].output[0, :, i, j]
    outside = x.copy()
    outside[0, 0][~inside] = rng.random(int((~inside).sum()))
    np.testing.assert_array_equal(model.trace(outside)[k].output[0, :, i, j], base)
    changed = x.copy()
    changed[0, 0][inside] = rng.random(int(inside.sum()))
    assert not np.allclose(model.trace(changed)[k].output[0, :, i, j], base)


def unit_rows(patches: np.ndarray) -> np.ndarray:
    flat = patches.reshape(len(patches), -1).astype(np.float64)
    norms = np.linalg.norm(flat, axis=1, keepdims=True)
    return np.divide(flat, norms, out=np.zeros_like(flat), where=norms > 0)


def test_top_units_are_sorted_distinct_and_the_strongest_distinct_ones(model, images, atlas):
    maps = model.trace(images[:, None].astype(np.float32) / 255)[model.index("conv2")].output
    strongest = maps.max(axis=(2, 3))  # (N, F)
    assert len(atlas["conv2"]) == 32 and len(atlas["conv1"]) == 16
    for kp in atlas["conv2"]:
        assert kp.patches.shape == (9, 8, 8)
        assert np.all(np.diff(kp.activations) <= 0)
        assert len(set(kp.indices.tolist())) == 9  # one unit per image
        np.testing.assert_allclose(kp.activations, strongest[kp.indices, kp.kernel], rtol=1e-6)
        for n, (i, j), a in zip(kp.indices, kp.positions, kp.activations, strict=True):
            assert maps[n, kp.kernel, i, j] == pytest.approx(a, rel=1e-6)
        assert kp.indices[0] == int(np.argmax(strongest[:, kp.kernel]))  # the strongest stays


def test_no_two_top_patches_are_near_duplicates(atlas):
    """Nine distinct shapes per kernel that fires at all: unit-normalised patches at least NEAR
    apart (a dead kernel, negative everywhere, has no shape it answers to)."""
    for name in ("conv1", "conv2"):
        for kp in atlas[name]:
            if kp.activations.max() <= 0:
                continue
            unit = unit_rows(kp.patches)
            gaps = np.linalg.norm(unit[:, None] - unit[None], axis=2)[np.triu_indices(9, 1)]
            assert gaps.min() >= NEAR, (name, kp.kernel, gaps.min())


def test_a_skipped_patch_is_a_near_duplicate_of_a_stronger_kept_one():
    """Solid squares of any brightness are one shape: only the strongest is kept."""
    solid = [np.full((3, 3), v) for v in (1.0, 0.9, 0.8)]
    corner = np.ones((3, 3))
    corner[0, 0] = 0
    candidates = np.stack([*solid, corner, np.eye(3), np.zeros((3, 3))])
    chosen, complete = pick_distinct(candidates, 3)
    np.testing.assert_array_equal(chosen, [0, 3, 4])
    assert complete
    chosen, complete = pick_distinct(candidates, 5)
    np.testing.assert_array_equal(chosen, [0, 1, 3, 4, 5])  # topped up with the strongest
    assert not complete


def test_each_patch_keeps_its_source_digit(images, atlas):
    for kp in atlas["conv1"]:
        np.testing.assert_array_equal(kp.digits, images[kp.indices])


def test_conv1_patch_reproduces_the_activation(model, atlas):
    """Kernel . patch + bias, with a naive loop, equals the stored activation."""
    conv1 = model.layer("conv1")
    for kp in atlas["conv1"]:
        kernel, bias = conv1.params["W"][kp.kernel, 0], conv1.params["b"][kp.kernel]
        for patch, value in zip(kp.patches, kp.activations, strict=True):
            total = sum(
                float(patch[r, c]) * float(kernel[r, c]) for r in range(3) for c in range(3)
            )
            assert total + float(bias) == pytest.approx(float(value), rel=1e-5, abs=1e-6)


def test_patches_are_the_input_windows_zero_padded(images, atlas):
    pixels = images.astype(np.float32) / 255
    padded = np.pad(pixels, ((0, 0), (3, 3), (3, 3)))
    for kp in atlas["conv2"]:
        for patch, n, (i, j) in zip(kp.patches, kp.indices, kp.positions, strict=True):
            top, left = 2 * i - 3 + 3, 2 * j - 3 + 3
            np.testing.assert_array_equal(patch, padded[n, top : top + 8, left : left + 8])


def test_extract_patches_at_the_border():
    img = np.arange(16, dtype=np.float32).reshape(1, 4, 4)
    rf = {"size": (3, 3), "jump": (1, 1), "offset": (-1, -1)}
    patch = extract_patches(img, np.array([0]), np.array([[0, 3]]), rf)[0]
    np.testing.assert_array_equal(patch, [[0, 0, 0], [2, 3, 0], [6, 7, 0]])


def test_cache_round_trip(atlas, tmp_path):
    path = atlas_path("abc123", tmp_path / "mnist")
    assert path == tmp_path / "atlas" / f"abc123-v{FORMAT_VERSION}.npz"  # a new format: a new file
    save_atlas(atlas, path, "abc123")
    loaded = load_atlas(path)
    assert list(loaded) == list(atlas)
    for name in atlas:
        for a, b in zip(atlas[name], loaded[name], strict=True):
            assert (a.layer, a.kernel, a.receptive_field) == (b.layer, b.kernel, b.receptive_field)
            for key in ("patches", "activations", "indices", "positions", "digits"):
                np.testing.assert_array_equal(getattr(a, key), getattr(b, key))
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left


def test_missing_atlas_names_the_command(tmp_path):
    command = atlas_command(tmp_path / "mnist")
    assert command == f"convlens atlas --data {tmp_path / 'mnist'}"
    with pytest.raises(AtlasMissing, match="convlens atlas --data"):
        load_atlas(atlas_path("v1", tmp_path / "mnist"), command)
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a zip")
    with pytest.raises(AtlasMissing, match="run `convlens atlas"):
        load_atlas(broken)


def test_command_names_non_bundled_weights(tmp_path):
    assert "--weights" not in atlas_command(tmp_path, BUNDLED_WEIGHTS)
    assert atlas_command(tmp_path, tmp_path / "w.npz").endswith(f"--weights {tmp_path / 'w.npz'}")
    assert len(model_version(BUNDLED_WEIGHTS)) == 12


def test_synthetic_images_without_mnist(model, rng):
    images = (rng.random((20, 28, 28)) * 255).astype(np.uint8)
    atlas = compute_atlas(model, images, top=3)
    assert all(kp.patches.shape == (3, 3, 3) for kp in atlas["conv1"])
    with pytest.raises(ValueError, match="at least 9 images"):
        compute_atlas(model, images[:4])


def test_ensure_atlas_computes_once_however_many_ask(model, rng, tmp_path, monkeypatch):
    """Eight callers at once (as several workers would): one computation, one file, no temp."""
    images = rng.random((20, 28, 28), dtype=np.float32)
    calls = []

    def fake_mnist(split, data_dir, download):
        calls.append((split, data_dir, download))
        return images, np.zeros(len(images), dtype=np.uint8)

    monkeypatch.setattr(engine.atlas, "load_mnist", fake_mnist)
    data = tmp_path / "mnist"
    paths = []
    threads = [
        threading.Thread(target=lambda: paths.append(ensure_atlas(model, "v1", data, False)))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [("test", data, False)]
    assert paths == [atlas_path("v1", data)] * 8
    assert sorted(p.name for p in paths[0].parent.iterdir()) == [".v1.lock", paths[0].name]
    kp = load_atlas(paths[0])["conv1"][0]
    np.testing.assert_array_equal(kp.patches, compute_atlas(model, images)["conv1"][0].patches)
