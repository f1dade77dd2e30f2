"""The engine's commands: known failures are one 'error:' line and exit code 2."""

from __future__ import annotations

import socket

import pytest

from app.cli import main as app_main
from engine.cli import main as engine_main


@pytest.mark.parametrize("main", [engine_main, app_main], ids=["engine", "app"])
def test_evaluate_with_missing_weights(main, tmp_path, capsys):
    missing = tmp_path / "nope.npz"
    assert main(["evaluate", "--weights", str(missing)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert "nope" in lines[0]


def test_evaluate_with_unreachable_data(tmp_path, capsys, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("CONVLENS_MNIST_MIRRORS", f"http://127.0.0.1:{port}/")
    assert engine_main(["evaluate", "--data", str(tmp_path / "empty")]) == 2
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: could not download")
    assert f"127.0.0.1:{port}" in lines[0]


def test_no_command_prints_help(capsys):
    assert engine_main([]) == 2
    assert "evaluate" in capsys.readouterr().out


def test_evaluate_the_bundled_model(mnist_dir, capsys):
    assert engine_main(["evaluate", "--data", str(mnist_dir), "--json"]) == 0
    out = capsys.readouterr().out
    accuracy = float(out.splitlines()[0].removeprefix("accuracy: "))
    assert accuracy >= 0.99
    assert "confusion matrix" in out
