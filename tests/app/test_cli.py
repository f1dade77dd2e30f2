"""`convlens serve`: how many worker processes it starts by default."""

from __future__ import annotations

import os

import pytest

from app.cli import default_workers, main


def test_workers_default_to_one_per_available_core(monkeypatch):
    monkeypatch.delenv("CONVLENS_WORKERS", raising=False)
    if hasattr(os, "sched_getaffinity"):
        assert default_workers() == len(os.sched_getaffinity(0))
    else:
        assert default_workers() == (os.cpu_count() or 1)


@pytest.mark.parametrize("value", ["3", " 1 "])
def test_convlens_workers_sets_the_default(monkeypatch, value):
    monkeypatch.setenv("CONVLENS_WORKERS", value)
    assert default_workers() == int(value)


@pytest.mark.parametrize("value", ["abc", "0", "-2", "1.5"])
def test_a_bad_worker_count_is_a_clear_error(monkeypatch, capsys, value):
    monkeypatch.setenv("CONVLENS_WORKERS", value)
    assert main(["serve"]) == 2
    assert "whole number of at least 1" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["serve", "--workers", value])
    assert "whole number of at least 1" in capsys.readouterr().err


def test_other_commands_ignore_a_bad_worker_count(monkeypatch, capsys):
    monkeypatch.setenv("CONVLENS_WORKERS", "abc")
    with pytest.raises(SystemExit) as exit_info:
        main(["evaluate", "--help"])
    assert exit_info.value.code == 0
