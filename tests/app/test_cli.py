"""`convlens serve`: how many worker processes it starts by default."""

from __future__ import annotations

import os

import pytest

from app.cli import default_workers


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
