"""engine.encode: the compact float16 form round-trips to the float16 rounding of the values."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from engine.encode import decode_array, decode_layers, encode_array, relu_reference


def test_lists_leaves_the_array_alone(rng):
    values = rng.normal(size=(2, 3, 4)).astype(np.float32)
    assert encode_array(values, "lists") is values


def test_f16_round_trip_is_the_float16_rounding(rng):
    values = rng.normal(scale=3, size=(3, 5, 7)).astype(np.float32)
    packed = encode_array(values, "f16")
    assert packed["shape"] == [3, 5, 7] and packed["dtype"] == "float16"
    np.testing.assert_array_equal(
        decode_array(packed), values.astype(np.float16).astype(np.float32)
    )


def test_f16_bytes_are_little_endian_c_order():
    values = np.array([[1.0, -2.0], [0.5, 0.0]], dtype=np.float32)
    raw = base64.b64decode(encode_array(values, "f16")["data"])
    # IEEE half: 1.0 = 0x3C00, -2.0 = 0xC000, 0.5 = 0x3800, 0 = 0x0000; low byte first.
    assert raw == bytes([0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38, 0x00, 0x00])


def test_unknown_encoding_is_a_value_error():
    with pytest.raises(ValueError, match="f16"):
        encode_array(np.zeros(2, dtype=np.float32), "f8")  # type: ignore[arg-type]


def test_a_relu_reference_decodes_to_max_zero_of_its_source(rng):
    values = rng.normal(scale=3, size=(2, 4, 4)).astype(np.float32)
    layers = [
        {"name": "conv", "activations": encode_array(values, "f16")},
        {"name": "relu", "activations": relu_reference((2, 4, 4), "conv")},
    ]
    decoded = decode_layers(layers)
    want = np.maximum(values, 0).astype(np.float16).astype(np.float32)
    np.testing.assert_array_equal(decoded["relu"], want)
    assert "data" not in layers[1]["activations"]


def test_a_reference_to_a_layer_not_decoded_before_is_a_value_error():
    with pytest.raises(ValueError, match="conv"):
        decode_layers([{"name": "relu", "activations": relu_reference((2,), "conv")}])
