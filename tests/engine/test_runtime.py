"""engine.runtime: BLAS thread limits and glibc heap settings."""

from __future__ import annotations

import os
import platform

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from engine import runtime


def test_limit_blas_threads_is_in_force() -> None:
    with threadpool_limits(limits=None):  # restores the suite's setting afterwards
        runtime.limit_blas_threads(1)
        assert runtime.blas_threads() == 1
        a = np.ones((64, 64), dtype=np.float32)
        assert (a @ a == 64).all()


def test_export_keeps_an_explicit_setting(monkeypatch) -> None:
    monkeypatch.setattr(os, "environ", {"OPENBLAS_NUM_THREADS": "2"})
    runtime.export_blas_threads(1)
    assert os.environ["OPENBLAS_NUM_THREADS"] == "2"
    assert os.environ["OMP_NUM_THREADS"] == "1"


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_keep_heap_is_accepted_by_glibc() -> None:
    assert runtime.keep_heap() is True
