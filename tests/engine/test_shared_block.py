"""SharedBlock: named arrays in one memory map, seen alike by every mapping of the file."""

from __future__ import annotations

import numpy as np

from engine.architecture import mnist_cnn
from engine.shared_block import ALIGN, SharedBlock

LAYOUT = [("w", (3, 5), "<f4"), ("n", (1,), "<i8"), ("x", (2, 1, 28, 28), "<f4")]


def test_two_mappings_of_a_block_see_each_others_writes(tmp_path):
    path = str(tmp_path / "block")
    one, two = SharedBlock(path, LAYOUT, create=True), SharedBlock(path, LAYOUT)
    one["w"][...] = np.arange(15, dtype=np.float32).reshape(3, 5)
    two["n"][0] = 7
    np.testing.assert_array_equal(two["w"], one["w"])
    assert one["n"][0] == 7
    for name, shape, dtype in LAYOUT:
        assert one[name].shape == shape and one[name].dtype == np.dtype(dtype)
        assert one[name].ctypes.data % ALIGN == 0
    view = one["x"]
    one.close()  # an array still in use keeps the map alive: it stays readable and writable
    view[0, 0, 0, 0] = 1.0
    assert float(view.sum()) == 1.0 and float(two["x"].sum()) == 1.0
    two.close()


def test_grads_are_shaped_like_the_model(tmp_path):
    model = mnist_cnn()
    layout = [
        (f"g.{k}.{key}", p.shape, p.dtype.str)
        for k, layer in enumerate(model.layers)
        for key, p in layer.params.items()
    ]
    grads = SharedBlock(str(tmp_path / "g"), layout, create=True).grads(model, "g")
    assert [sorted(g) for g in grads] == [sorted(layer.params) for layer in model.layers]
    for g, layer in zip(grads, model.layers, strict=True):
        for key, p in layer.params.items():
            assert g[key].shape == p.shape
