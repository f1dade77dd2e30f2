"""Training a designed network with a callback: steps, checkpoints, snapshots, stop, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from engine.losses import cross_entropy
from engine.snapshot import conv_kernels, probe_indices, snapshot
from engine.spec import build_spec
from engine.train import (
    StopTraining,
    TrainConfig,
    TrainStep,
    checkpoint_steps,
    make_optimizer,
    train,
)

TINY = {
    "layers": [
        {"kind": "conv2d", "hyperparameters": {"out_channels": 3, "kernel_size": 5}},
        {"kind": "relu"},
        {"kind": "maxpool2d", "hyperparameters": {"size": 2}},
        {"kind": "flatten"},
        {"kind": "dense", "hyperparameters": {"out_features": 10}},
    ]
}


@pytest.fixture(scope="module")
def data():
    """Learnable toy digits: class k lights up row block k (200 train, 50 validation)."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 250)
    images = rng.random((250, 1, 28, 28)).astype(np.float32) * 0.2
    for i, k in enumerate(labels):
        images[i, 0, 2 * k + 4 : 2 * k + 7, 4:24] = 1.0
    return images[:200], labels[:200], (images[200:], labels[200:])


def run(data, seed=0, optimizer="adam", stop_at=None):
    """Train TINY for 2 epochs of 4 steps; every TrainStep and the checkpoints' weights."""
    x, y, val = data
    model = build_spec(TINY, seed=seed)
    steps: list[TrainStep] = []
    weights: dict[int, list[np.ndarray]] = {}

    def callback(m, s: TrainStep) -> None:
        steps.append(s)
        if s.checkpoint:
            weights[s.step] = [p.copy() for _, _, p in m.parameters()]
        if stop_at is not None and s.step == stop_at:
            raise StopTraining

    config = TrainConfig(
        epochs=2, batch_size=50, lr=0.01, seed=seed, augment=False, optimizer=optimizer
    )
    history = train(model, x, y, config, progress=False, callback=callback, validation=val)
    return model, history, steps, weights


def test_checkpoint_schedule():
    assert checkpoint_steps(4, 2) == [0, 1, 2, 4, 8]
    assert checkpoint_steps(938, 2) == [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 938, 1876]
    assert checkpoint_steps(1, 3) == [0, 1, 2, 3]


def test_callback_sees_every_step_with_checkpoints_on_schedule(data):
    _, history, steps, weights = run(data)
    assert [s.step for s in steps] == list(range(9))
    assert [s.step for s in steps if s.checkpoint] == [0, 1, 2, 4, 8] == sorted(weights)
    assert [s.images_seen for s in steps] == [50 * k for k in range(9)]
    assert [s.epoch for s in steps] == [1, 1, 1, 1, 1, 2, 2, 2, 2]
    assert [s.step for s in steps if s.epoch_end] == [4, 8]
    assert all(s.total_steps == 8 for s in steps)
    first = steps[0]
    assert first.loss is None and first.accuracy is None and first.validation is not None
    for s in steps[1:]:
        assert np.isfinite(s.loss) and 0 <= s.accuracy <= 1
        assert (s.validation is not None) == s.checkpoint
    end = steps[-1].validation
    assert end["accuracy"] == history.val_accuracy[-1]  # the epoch's evaluation, not a second one
    assert len(end["confusion_matrix"]) == 10
    assert not history.stopped
    assert steps[-1].validation["loss"] < steps[0].validation["loss"]


def test_smoothed_loss_is_the_bias_corrected_moving_average(data):
    """The first step's smoothed loss is that step's own batch loss."""
    x, y, val = data
    model = build_spec(TINY)
    seen: list[TrainStep] = []
    config = TrainConfig(epochs=1, batch_size=50, lr=0.01, augment=False)
    rng = np.random.default_rng(config.seed)  # train() draws the order, then the epoch's shuffle
    first = rng.permutation(rng.permutation(200))[:50]
    expected, _ = cross_entropy(model.forward(x[first]), y[first])
    train(model, x, y, config, progress=False, callback=lambda m, s: seen.append(s), validation=val)
    assert seen[1].loss == pytest.approx(expected, rel=1e-5)


def test_same_seed_gives_identical_checkpoints(data):
    _, _, steps_a, a = run(data, seed=1)
    _, _, steps_b, b = run(data, seed=1)
    _, _, _, c = run(data, seed=2)
    assert sorted(a) == sorted(b)
    for step in a:
        for wa, wb in zip(a[step], b[step], strict=True):
            assert np.array_equal(wa, wb)
    assert [s.loss for s in steps_a] == [s.loss for s in steps_b]
    assert not np.array_equal(a[8][0], c[8][0])


def test_stop_ends_training_after_that_step(data):
    model, history, steps, _ = run(data, stop_at=3)
    assert steps[-1].step == 3 and history.stopped
    assert history.val_accuracy == []  # no epoch finished


def test_sgd_learns_too_and_unknown_optimizers_are_refused(data):
    _, _, steps, _ = run(data, optimizer="sgd")
    assert steps[-1].validation["loss"] < steps[0].validation["loss"]
    with pytest.raises(ValueError, match="adam' or 'sgd"):
        make_optimizer(build_spec(TINY), TrainConfig(optimizer="rmsprop"))


def test_snapshot_holds_kernels_and_probe_readings(data):
    x, y, _ = data
    model = build_spec(TINY)
    probes = x[probe_indices(y)]
    snap = snapshot(model, probes)
    assert list(snap["kernels"]) == ["conv1"]
    assert np.array(snap["kernels"]["conv1"]).shape == (3, 1, 5, 5)
    assert np.allclose(snap["kernels"]["conv1"], model.layers[0].params["W"], atol=5e-5)
    proba = np.array(snap["probes"]["probabilities"])
    assert proba.shape == (10, 10) and np.allclose(proba.sum(axis=1), 1, atol=1e-3)
    assert snap["probes"]["predictions"] == proba.argmax(axis=1).tolist()
    assert list(conv_kernels(build_spec({"layers": TINY["layers"][3:]}))) == []


def test_probes_are_the_first_example_of_each_class():
    labels = np.array([3, 1, 0, 1, 2, 4, 5, 6, 7, 8, 9, 0])
    assert probe_indices(labels).tolist() == [2, 1, 4, 0, 5, 6, 7, 8, 9, 10]
    with pytest.raises(ValueError, match="class"):
        probe_indices(np.array([0, 1, 2]))
