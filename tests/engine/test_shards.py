"""ShardedStep: a step shared with a helper process gives exactly the weights of one process."""

from __future__ import annotations

import glob
import os
import signal

import numpy as np
import pytest

from engine.architecture import mnist_cnn
from engine.losses import cross_entropy
from engine.optim import SGD, Adam
from engine.shards import ShardedStep, shard_gradients

OPTIMIZERS = {"adam": lambda m: Adam(m, lr=1e-2), "sgd": lambda m: SGD(m, lr=0.05, momentum=0.9)}


def _batch(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    return rng.random((n, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, n)


def _pair(kind: str = "adam") -> tuple[ShardedStep, ShardedStep]:
    """(alone, shared): the same network and optimizer, one in this process only, one whose
    helper process has started (its first step ran here)."""
    alone_model, shared_model = mnist_cnn(seed=0), mnist_cnn(seed=0)
    alone = ShardedStep(alone_model, OPTIMIZERS[kind](alone_model), helpers=0)
    shared = ShardedStep(shared_model, OPTIMIZERS[kind](shared_model), helpers=1)
    x, y = _batch(np.random.default_rng(99), 8)
    _assert_same_step(alone(x, y), shared(x, y))
    assert shared.wait_for_helper(timeout=60)
    return alone, shared


def _assert_same_step(a: tuple, b: tuple) -> None:
    assert a[0] == b[0]
    np.testing.assert_array_equal(a[1], b[1])


def _assert_same_weights(a: ShardedStep, b: ShardedStep) -> None:
    for (_, _, p), (_, _, q) in zip(a.model.parameters(), b.model.parameters(), strict=True):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("kind", sorted(OPTIMIZERS))
def test_steps_shared_with_a_helper_give_the_weights_of_one_process_bit_for_bit(rng, kind):
    alone, shared = _pair(kind)
    try:
        for n in (8, 8, 7, 10):  # 7: the last, smaller batch of an epoch, uneven shards
            x, y = _batch(rng, n)
            _assert_same_step(alone(x, y), shared(x, y))
            _assert_same_weights(alone, shared)
        assert shared.helper.ready and not shared.helper.lost  # the helper did take part
    finally:
        shared.close()


def test_a_step_follows_the_whole_batch_gradient(rng):
    """Two shards' gradients sum to the batch's: one SGD step without momentum moves each weight
    by -lr times the whole batch's gradient."""
    model, reference = mnist_cnn(seed=0), mnist_cnn(seed=0)
    x, y = _batch(rng, 9)
    logits, caches = reference.forward_train(x)
    loss, dlogits = cross_entropy(logits, y)
    _, whole = reference.backward(dlogits, caches)
    got_loss, got_logits = ShardedStep(model, SGD(model, lr=0.1, momentum=0.0), helpers=0)(x, y)
    np.testing.assert_allclose(got_loss, loss, rtol=1e-6)
    np.testing.assert_allclose(got_logits, logits, rtol=1e-5, atol=1e-6)
    for layer, before, g in zip(model.layers, reference.layers, whole, strict=True):
        for key in g:
            moved = layer.params[key] - before.params[key]
            np.testing.assert_allclose(moved, -0.1 * g[key], rtol=1e-3, atol=1e-6)


def test_a_helper_killed_between_steps_is_replaced_by_this_process_with_a_warning(rng):
    alone, shared = _pair()
    try:
        os.kill(shared.helper.process.pid, signal.SIGKILL)
        shared.helper.process.join(timeout=10)
        x, y = _batch(rng, 8)
        with pytest.warns(RuntimeWarning, match="computed in this process"):
            got = shared(x, y)
        _assert_same_step(alone(x, y), got)
        x, y = _batch(rng, 8)
        _assert_same_step(alone(x, y), shared(x, y))  # and on the next steps, silently
        _assert_same_weights(alone, shared)
    finally:
        shared.close()


def test_close_ends_the_helper_gives_back_ordinary_arrays_and_leaves_no_file(rng):
    before = set(glob.glob("/dev/shm/convlens-shard-*"))
    _, shared = _pair()
    process = shared.helper.process
    shared(*_batch(rng, 8))
    weights = [p.copy() for _, _, p in shared.model.parameters()]
    optimizer = shared.optimizer
    shared.close()
    assert not process.is_alive()
    assert set(glob.glob("/dev/shm/convlens-shard-*")) <= before
    for (_, _, p), old in zip(shared.model.parameters(), weights, strict=True):
        assert p.base is None and p.flags.writeable
        np.testing.assert_array_equal(p, old)
    assert all(m.base is None for m in optimizer.m.values())
    assert all(v.base is None for v in optimizer.v.values())


def test_models_that_are_not_float32_stay_in_this_process(rng):
    model = mnist_cnn(seed=0)
    for layer in model.layers:
        layer.params = {k: v.astype(np.float64) for k, v in layer.params.items()}
    step = ShardedStep(model, Adam(model), helpers=1)
    step(*_batch(rng, 4))
    assert step.helper is None


def test_shard_gradients_skip_the_input_gradient_but_match_backward(rng):
    model = mnist_cnn(seed=0)
    x, y = _batch(rng, 6)
    loss, logits, grads = shard_gradients(model, x, y, batch=12)
    ref_logits, caches = model.forward_train(x)
    ref_loss, dlogits = cross_entropy(ref_logits, y)
    _, ref = model.backward(dlogits * np.float32(0.5), caches)
    assert loss == pytest.approx(ref_loss * 0.5)
    for g, r in zip(grads, ref, strict=True):
        for key in r:
            np.testing.assert_array_equal(g[key], r[key])


def test_the_helper_ends_by_itself_when_its_parent_is_gone():
    """A trainer killed with SIGKILL leaves no helper behind: its pipe closes, and it exits."""
    _, shared = _pair()
    process = shared.helper.process
    shared.helper.conn.close()  # what the kernel does to the pipe of a killed parent
    process.join(timeout=30)
    assert not process.is_alive() and process.exitcode == 0
    shared.helper.lost = True
    shared.close()
