"""Sequential: shapes, trace(), describe(), whole-model gradients, and the optimisers."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from engine.architecture import build_layer, build_model, mnist_cnn
from engine.layers import AvgPool2D, Conv2D, Dense, Flatten, MaxPool2D, ReLU
from engine.losses import cross_entropy
from engine.model import Sequential
from engine.optim import SGD, Adam, Optimizer
from tests.gradcheck import numeric_grad


def tiny_model(seed: int = 0) -> Sequential:
    rng = np.random.default_rng(seed)
    return Sequential(
        [
            Conv2D(1, 3, 3, stride=2, padding=1, name="conv", rng=rng),
            ReLU(name="relu"),
            MaxPool2D(3, 2, name="pool"),
            Flatten(name="flat"),
            Dense(3 * 1 * 1, 4, name="fc1", rng=rng),
            ReLU(name="relu2"),
            Dense(4, 3, name="fc2", rng=rng),
        ],
        input_shape=(1, 6, 5),
    )


def small_model(seed: int = 0) -> Sequential:
    rng = np.random.default_rng(seed)
    return Sequential(
        [
            Conv2D(1, 4, 3, padding=1, name="conv", rng=rng),
            ReLU(name="relu"),
            AvgPool2D(2, name="pool"),
            Flatten(name="flat"),
            Dense(4 * 4 * 4, 3, name="fc", rng=rng),
        ],
        input_shape=(1, 8, 8),
    )


def test_mnist_cnn_shapes_and_size():
    model = mnist_cnn(seed=0)
    assert model.shapes == [
        (1, 28, 28),
        (16, 28, 28),
        (16, 28, 28),
        (16, 14, 14),
        (32, 14, 14),
        (32, 14, 14),
        (32, 7, 7),
        (1568,),
        (128,),
        (128,),
        (10,),
    ]
    assert model.parameter_count() == (
        (16 * 9 + 16) + (32 * 16 * 9 + 32) + (1568 * 128 + 128) + 1290
    )
    small = mnist_cnn(seed=0, conv1=8, conv2=16, hidden=64)
    assert small.shapes[1] == (8, 28, 28) and small.shapes[7] == (784,)
    assert small.shapes[8] == (64,)
    assert model.class_names == [str(d) for d in range(10)]
    logits = model.forward(np.zeros((3, 1, 28, 28), dtype=np.float32))
    assert logits.shape == (3, 10)
    assert logits.dtype == np.float32


def test_same_seed_same_weights_different_seed_different_weights():
    a, b, c = mnist_cnn(seed=3), mnist_cnn(seed=3), mnist_cnn(seed=4)
    for (_, _, pa), (_, _, pb), (_, _, pc) in zip(
        a.parameters(), b.parameters(), c.parameters(), strict=True
    ):
        np.testing.assert_array_equal(pa, pb)
        if pa.any():
            assert not np.array_equal(pa, pc)


def test_duplicate_layer_names_are_rejected():
    with pytest.raises(ValueError, match="unique"):
        Sequential([ReLU(name="a"), ReLU(name="a")], input_shape=(3,))


def test_shape_mismatch_is_found_when_building():
    with pytest.raises(ValueError, match="expects"):
        Sequential([Flatten(), Dense(10, 2)], input_shape=(1, 4, 4))


def test_forward_checks_the_input_shape():
    model = tiny_model()
    with pytest.raises(ValueError, match="input must have shape"):
        model.forward(np.zeros((2, 1, 5, 6), dtype=np.float32))
    with pytest.raises(ValueError, match="input must have shape"):
        model.forward(np.zeros((1, 6, 5), dtype=np.float32))


def test_layer_lookup():
    model = tiny_model()
    assert model.layer("pool").kind == "maxpool2d"
    assert model.index("fc1") == 4
    with pytest.raises(KeyError, match="no layer named 'nope'"):
        model.layer("nope")


def snapshot(model: Sequential):
    return (
        set(vars(model)),
        [set(vars(layer)) for layer in model.layers],
        [(n, k, p.copy()) for n, k, p in model.parameters()],
    )


def assert_same_state(model: Sequential, before) -> None:
    attrs, layer_attrs, params = before
    assert set(vars(model)) == attrs
    assert [set(vars(layer)) for layer in model.layers] == layer_attrs
    for (n, k, p), (n0, k0, p0) in zip(model.parameters(), params, strict=True):
        assert (n, k) == (n0, k0)
        np.testing.assert_array_equal(p, p0)


def test_trace_records_every_layer_then_softmax(rng):
    model = tiny_model()
    x = rng.standard_normal((2, 1, 6, 5)).astype(np.float32)
    before = snapshot(model)
    records = model.trace(x)
    assert_same_state(model, before)
    assert [r.kind for r in records] == [
        "conv2d",
        "relu",
        "maxpool2d",
        "flatten",
        "dense",
        "relu",
        "dense",
        "softmax",
    ]
    assert [r.name for r in records][-1] == "softmax"
    for k, r in enumerate(records[:-1]):
        assert r.input_shape == model.shapes[k]
        assert r.output_shape == model.shapes[k + 1]
        assert r.output.shape == (2, *model.shapes[k + 1])
        assert r.hyperparameters == model.layers[k].hyperparameters()
        assert r.parameter_count == model.layers[k].parameter_count()
    np.testing.assert_array_equal(records[-2].output, model.forward(x))
    np.testing.assert_allclose(records[-1].output.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(records[-1].output, model.predict_proba(x), rtol=1e-6)
    # intermediate outputs chain: relu of the conv output, etc.
    np.testing.assert_array_equal(records[1].output, np.maximum(records[0].output, 0))
    again = model.trace(x)
    for r1, r2 in zip(records, again, strict=True):
        np.testing.assert_array_equal(r1.output, r2.output)


def test_describe_is_json_ready_and_rebuilds_the_model():
    model = mnist_cnn(seed=0)
    desc = model.describe_layers()
    json.dumps(desc)
    assert [d["name"] for d in desc] == [layer.name for layer in model.layers]
    conv1 = desc[0]
    assert conv1["kind"] == "conv2d"
    assert conv1["hyperparameters"] == {
        "in_channels": 1,
        "out_channels": 16,
        "kernel_size": [3, 3],
        "stride": [1, 1],
        "padding": [1, 1],
    }
    assert conv1["input_shape"] == [1, 28, 28]
    assert conv1["output_shape"] == [16, 28, 28]
    assert conv1["parameter_count"] == 160
    assert desc[-1]["output_shape"] == [10]
    assert sum(d["parameter_count"] for d in desc) == model.parameter_count()
    rebuilt = build_model(json.loads(json.dumps(model.describe())))
    assert rebuilt.describe_layers() == desc
    assert rebuilt.describe() == model.describe()


def test_build_layer_rejects_unknown_kinds_and_bad_arguments():
    with pytest.raises(ValueError, match="unknown layer kind 'conv3d'"):
        build_layer({"kind": "conv3d", "name": "x"})
    with pytest.raises(ValueError, match="bad hyperparameters"):
        build_layer({"kind": "dense", "name": "fc", "in_features": 3, "bogus": 1})


# ---------------------------------------------------------------- whole-model gradients


def float64_model() -> Sequential:
    model = tiny_model(seed=1)
    for layer in model.layers:
        for key in layer.params:
            layer.params[key] = layer.params[key].astype(np.float64)
            if key == "b":
                layer.params[key] += 0.1  # keep ReLUs away from their kink at zero
    return model


def test_whole_model_parameter_gradients(rng):
    model = float64_model()
    x = rng.standard_normal((3, 1, 6, 5)).astype(np.float32)
    labels = np.array([0, 2, 1])

    def loss():
        return cross_entropy(model.forward_train(x)[0], labels)[0]

    logits, caches = model.forward_train(x)
    _, dlogits = cross_entropy(logits, labels)
    _, grads = model.backward(dlogits, caches)
    for layer, g in zip(model.layers, grads, strict=True):
        assert set(g) == set(layer.params)
        for key, p in layer.params.items():
            np.testing.assert_allclose(
                g[key], numeric_grad(loss, p), rtol=1e-5, atol=1e-8, err_msg=f"{layer.name}.{key}"
            )


def test_whole_model_input_gradient(rng):
    model = float64_model()
    x = rng.standard_normal((2, 1, 6, 5))
    labels = np.array([1, 2])

    def run_layers(inputs):
        # float64 all the way: Sequential.forward_train would cast the input to float32
        caches = []
        for layer in model.layers:
            inputs, cache = layer.forward(inputs)
            caches.append(cache)
        return inputs, caches

    logits, caches = run_layers(x)
    _, dlogits = cross_entropy(logits, labels)
    dx, _ = model.backward(dlogits, caches)
    assert dx.shape == x.shape
    numeric = numeric_grad(lambda: cross_entropy(run_layers(x)[0], labels)[0], x)
    np.testing.assert_allclose(dx, numeric, rtol=1e-5, atol=1e-8)


# ---------------------------------------------------------------- optimisers


def fixed_problem():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((48, 1, 8, 8)).astype(np.float32)
    labels = rng.integers(0, 3, 48)
    x[np.arange(48), 0, labels * 2, labels * 2] += 3.0  # a learnable signal
    return x, labels


def flat_grads(model, grads):
    """Per-layer gradient dicts -> a list in model.parameters() order."""
    return [grads[model.index(name)][key] for name, key, _ in model.parameters()]


def train_steps(model, optimizer, x, labels, steps):
    losses = []
    for _ in range(steps):
        logits, caches = model.forward_train(x)
        loss, dlogits = cross_entropy(logits, labels)
        _, grads = model.backward(dlogits, caches)
        optimizer.step(grads)
        losses.append(loss)
    return losses


@pytest.mark.parametrize(
    "make", [lambda m: SGD(m, lr=0.05, momentum=0.9), lambda m: Adam(m, lr=0.01)]
)
def test_optimisers_decrease_the_loss(make):
    x, labels = fixed_problem()
    model = small_model()
    losses = train_steps(model, make(model), x, labels, 40)
    final = cross_entropy(model.forward(x), labels)[0]
    assert final < 0.5 * losses[0]
    assert all(np.isfinite(losses))
    for _, _, p in model.parameters():
        assert p.dtype == np.float32


def test_adam_matches_a_hand_written_update():
    model = small_model()
    x, labels = fixed_problem()
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    opt = Adam(model, lr=lr, betas=(b1, b2), eps=eps)
    p0 = [p.astype(np.float64) for _, _, p in model.parameters()]
    m = [np.zeros_like(p) for p in p0]
    v = [np.zeros_like(p) for p in p0]
    expected = p0
    for t in (1, 2):
        logits, caches = model.forward_train(x)
        _, dlogits = cross_entropy(logits, labels)
        _, grads = model.backward(dlogits, caches)
        flat = [g.astype(np.float64) for g in flat_grads(model, grads)]
        new = []
        for k, (p, g) in enumerate(zip(expected, flat, strict=True)):
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g * g
            m_hat, v_hat = m[k] / (1 - b1**t), v[k] / (1 - b2**t)
            new.append(p - lr * m_hat / (np.sqrt(v_hat) + eps))
        expected = new
        opt.step(grads)
        for (_, _, p), e in zip(model.parameters(), expected, strict=True):
            np.testing.assert_allclose(p, e, rtol=1e-5, atol=1e-6)
    assert opt.t == 2
    # The first Adam step moves every weight with a non-zero gradient by about lr.
    moved = np.abs(np.concatenate([(e - q).ravel() for e, q in zip(expected, p0, strict=True)]))
    assert moved.max() < 2.5 * lr


def test_sgd_momentum_matches_a_hand_written_update():
    model = small_model()
    x, labels = fixed_problem()
    opt = SGD(model, lr=0.1, momentum=0.5)
    p0 = copy.deepcopy([p for _, _, p in model.parameters()])
    velocity = [np.zeros_like(p) for p in p0]
    expected = [p.astype(np.float64) for p in p0]
    for _ in range(2):
        logits, caches = model.forward_train(x)
        _, dlogits = cross_entropy(logits, labels)
        _, grads = model.backward(dlogits, caches)
        flat = flat_grads(model, grads)
        for k, g in enumerate(flat):
            velocity[k] = 0.5 * velocity[k] - 0.1 * g
            expected[k] = expected[k] + velocity[k]
        opt.step(grads)
        for (_, _, p), e in zip(model.parameters(), expected, strict=True):
            np.testing.assert_allclose(p, e, rtol=1e-5, atol=1e-6)


def test_optimiser_arguments_are_checked():
    model = small_model()
    with pytest.raises(ValueError, match="learning rate must be positive"):
        Adam(model, lr=0)
    grads = [dict(layer.params) for layer in model.layers]
    with pytest.raises(TypeError, match="SGD or Adam"):
        Optimizer(model, lr=0.1).step(grads)


def test_parameter_gradients_equal_backward_without_the_input_gradient(rng):
    model = mnist_cnn(seed=0)
    x = rng.random((5, 1, 28, 28), dtype=np.float32)
    logits, caches = model.forward_train(x)
    _, dlogits = cross_entropy(logits, rng.integers(0, 10, 5))
    _, full = model.backward(dlogits, caches)
    fast = model.parameter_gradients(dlogits, caches)
    for g, h in zip(full, fast, strict=True):
        assert set(g) == set(h)
        for key in g:
            np.testing.assert_array_equal(g[key], h[key])


@pytest.mark.parametrize("pool", [MaxPool2D(2), MaxPool2D(3, 2), MaxPool2D((2, 3), 1)])
def test_a_max_pool_after_a_relu_passes_both_backward_in_one_go(rng, pool):
    """Sequential.backward takes ReLU + max-pool through MaxPool2D.backward_with: the same
    gradient as the two layers' own backward() one after the other."""
    relu = ReLU()
    x = rng.standard_normal((3, 2, 9, 8)).astype(np.float32)
    x[0, 0, :4, :4] = 0.0  # windows whose maximum is 0 after the ReLU, and ties
    h, relu_cache = relu.forward(x)
    y, pool_cache = pool.forward(h)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    two = relu.backward(pool.backward(dy, pool_cache)[0], relu_cache)[0]
    np.testing.assert_array_equal(pool.backward_with(relu, dy, pool_cache), two)
    assert pool.backward_with(Flatten(), dy, pool_cache) is None
    # forward_with: the ReLU after pooling, same output; its cache gives the same gradient
    fused_y, fused_cache = pool.forward_with(relu, x)
    np.testing.assert_array_equal(fused_y, y)
    np.testing.assert_array_equal(pool.backward_with(relu, dy, fused_cache), two)
    assert pool.forward_with(Flatten(), x) is None


def test_fused_training_forward_gives_the_same_logits_and_gradients(rng):
    model = mnist_cnn(seed=0)
    x = rng.random((4, 1, 28, 28), dtype=np.float32)
    logits, caches = model.forward_train(x)
    fused_logits, fused_caches = model.forward_train(x, fuse=True)
    np.testing.assert_array_equal(fused_logits, logits)
    assert [c is None for c in fused_caches] == [
        isinstance(layer, ReLU) and isinstance(after, MaxPool2D)
        for layer, after in zip(model.layers, [*model.layers[1:], None], strict=True)
    ]
    _, dlogits = cross_entropy(logits, rng.integers(0, 10, 4))
    for g, h in zip(
        model.parameter_gradients(dlogits, caches),
        model.parameter_gradients(dlogits, fused_caches),
        strict=True,
    ):
        for key in g:
            np.testing.assert_array_equal(g[key], h[key])
