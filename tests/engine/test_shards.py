"""BatchGradients: shards in a helper process give exactly the gradients computed here."""

from __future__ import annotations

import glob
import os
import signal

import numpy as np
import pytest

from engine.architecture import mnist_cnn
from engine.losses import cross_entropy
from engine.optim import Adam
from engine.shards import BatchGradients


def _batch(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    return rng.random((n, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, n)


def _assert_same(a: tuple, b: tuple) -> None:
    assert a[0] == b[0]
    np.testing.assert_array_equal(a[1], b[1])
    for ga, gb in zip(a[2], b[2], strict=True):
        assert set(ga) == set(gb)
        for key in ga:
            np.testing.assert_array_equal(ga[key], gb[key])


def _ready(model_seed: int = 0) -> BatchGradients:
    """BatchGradients whose helper process has started (one call computes all shards here)."""
    gradients = BatchGradients(mnist_cnn(seed=model_seed), helpers=1)
    gradients(*_batch(np.random.default_rng(99), 8))
    assert gradients.wait_for_helpers(timeout=60) == 1
    return gradients


def test_a_helper_process_gives_the_gradients_of_this_process_bit_for_bit(rng):
    here, there = BatchGradients(mnist_cnn(seed=0), helpers=0), _ready()
    try:
        x, y = _batch(rng, 8)
        _assert_same(here(x, y), there(x, y))
        x, y = _batch(rng, 7)  # the last, smaller batch of an epoch: uneven shards
        _assert_same(here(x, y), there(x, y))
    finally:
        there.close()


def test_shards_sum_to_the_whole_batch_gradient(rng):
    model = mnist_cnn(seed=0)
    x, y = _batch(rng, 9)
    logits, caches = model.forward_train(x)
    loss, dlogits = cross_entropy(logits, y)
    _, whole = model.backward(dlogits, caches)
    got_loss, got_logits, grads = BatchGradients(model, helpers=0)(x, y)
    np.testing.assert_allclose(got_loss, loss, rtol=1e-6)
    np.testing.assert_allclose(got_logits, logits, rtol=1e-5, atol=1e-6)
    for g, gw in zip(grads, whole, strict=True):
        assert set(g) == set(gw)
        for key in gw:
            np.testing.assert_allclose(g[key], gw[key], rtol=1e-4, atol=1e-6)


def test_the_helper_follows_every_weight_update(rng):
    """Three Adam steps with the helper equal three steps computed here alone."""
    here_model = mnist_cnn(seed=0)
    here, there = BatchGradients(here_model, helpers=0), _ready()
    opt_here, opt_there = Adam(here_model, lr=1e-2), Adam(there.model, lr=1e-2)
    try:
        for _ in range(3):
            x, y = _batch(rng, 10)
            a, b = here(x, y), there(x, y)
            _assert_same(a, b)
            opt_here.step(a[2])
            opt_there.step(b[2])
        for (_, _, p), (_, _, q) in zip(
            here_model.parameters(), there.model.parameters(), strict=True
        ):
            np.testing.assert_array_equal(p, q)
    finally:
        there.close()


def test_a_killed_helper_is_replaced_by_this_process_with_a_warning(rng):
    here, there = BatchGradients(mnist_cnn(seed=0), helpers=0), _ready()
    try:
        os.kill(there.helpers[0].process.pid, signal.SIGKILL)
        there.helpers[0].process.join(timeout=10)
        x, y = _batch(rng, 8)
        with pytest.warns(RuntimeWarning, match="computed in this process"):
            got = there(x, y)
        _assert_same(here(x, y), got)
        _assert_same(here(x, y), there(x, y))  # and on the next calls, silently
    finally:
        there.close()


def test_close_ends_the_helper_and_leaves_no_shared_file():
    before = set(glob.glob("/dev/shm/convlens-shard-*"))
    gradients = _ready()
    process = gradients.helpers[0].process
    gradients.close()
    assert not process.is_alive()
    assert set(glob.glob("/dev/shm/convlens-shard-*")) <= before


def test_models_that_are_not_float32_stay_in_this_process(rng):
    model = mnist_cnn(seed=0)
    for layer in model.layers:
        layer.params = {k: v.astype(np.float64) for k, v in layer.params.items()}
    gradients = BatchGradients(model, helpers=1)
    gradients(*_batch(rng, 4))
    assert gradients.helpers == []


def test_the_weights_are_ordinary_arrays_again_after_close(rng):
    gradients = _ready()
    model = gradients.model
    before = [p.copy() for _, _, p in model.parameters()]
    shared = [p for _, _, p in model.parameters()]
    gradients.close()
    for (_, _, p), old, view in zip(model.parameters(), before, shared, strict=True):
        assert p is not view and p.base is None and p.flags.writeable
        np.testing.assert_array_equal(p, old)
