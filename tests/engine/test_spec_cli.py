"""`convlens train --arch spec.json` and `convlens evaluate --weights` on what it saved."""

from __future__ import annotations

import json

from engine.cli import main
from engine.serialize import load_model

SPEC = {
    "layers": [
        {"kind": "conv2d", "hyperparameters": {"out_channels": 2, "kernel_size": 5}},
        {"kind": "relu"},
        {"kind": "maxpool2d", "hyperparameters": {"size": 2}},
        {"kind": "flatten"},
        {"kind": "dense", "hyperparameters": {"out_features": 10}},
    ]
}


def test_train_a_spec_then_evaluate_it(mnist_dir, tmp_path, capsys):
    arch = tmp_path / "spec.json"
    arch.write_text(json.dumps({"architecture": SPEC, "training": {}}))  # a POST body works too
    out = tmp_path / "mine.npz"
    argv = ["train", "--arch", str(arch), "--data", str(mnist_dir), "--epochs", "1"]
    argv += ["--train-images", "1000", "--no-augment", "--optimizer", "sgd", "--lr", "0.05"]
    assert main([*argv, "--out", str(out)]) == 0
    model, metadata = load_model(out)
    assert [lay.name for lay in model.layers] == ["conv1", "relu1", "pool1", "flatten", "fc1"]
    assert metadata["training"]["optimizer"] == "sgd"
    capsys.readouterr()
    assert main(["evaluate", "--weights", str(out), "--data", str(mnist_dir), "--json"]) == 0
    result = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert result["accuracy"] == metadata["test_accuracy"] > 0.2  # chance is 0.1


def test_a_bad_spec_is_one_error_line_naming_the_layer(tmp_path, capsys):
    bad = {
        "layers": [{"kind": "flatten"}, {"kind": "dense", "hyperparameters": {"out_features": 7}}]
    }
    arch = tmp_path / "bad.json"
    arch.write_text(json.dumps(bad))
    assert main(["train", "--arch", str(arch), "--out", str(tmp_path / "x.npz")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("error: layer 2 (dense)")
    arch.write_text("{not json")
    assert main(["train", "--arch", str(arch)]) == 2
    assert "cannot read the architecture" in capsys.readouterr().err
