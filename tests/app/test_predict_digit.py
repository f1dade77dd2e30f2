"""/api/predict says whether the drawing looks like one digit: is_digit and digit_score."""

from __future__ import annotations

import numpy as np
import pytest

from engine.inference import predict
from engine.ood import assess
from engine.preprocess import preprocess
from engine.strokes.sets import evaluation_digits, evaluation_non_digits
from tests.app.payloads import png_data_url


def canvas_of(drawings, kind: str) -> np.ndarray:
    return next(d for d in drawings if d.style == kind).image()


@pytest.mark.parametrize("kind", ["dash", "dot", "digits-side-by-side"])
def test_drawings_that_are_no_digit_are_flagged(client, kind):
    image = canvas_of(evaluation_non_digits(3), kind)
    r = client.post("/api/predict", json={"image": png_data_url(image), "layers": []})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["is_digit"] is False
    assert 0 <= body["digit_score"] < 0.5


@pytest.mark.parametrize("kind", ["3/round", "7/crossbar", "1/flag"])
def test_drawn_digits_are_digits_and_the_score_is_the_engines(client, model, kind):
    image = canvas_of(evaluation_digits(3), kind)
    r = client.post("/api/predict", json={"image": png_data_url(image), "layers": []})
    body = r.json()
    assert body["is_digit"] is True
    x = preprocess(image)[None].astype(np.float32)
    logits = model.forward(x[None])[0]
    assert body["digit_score"] == pytest.approx(assess(logits, x[0], model.digit_test), abs=1e-5)
    assert body["prediction"] == predict(model, x, []).prediction == int(kind[0])
