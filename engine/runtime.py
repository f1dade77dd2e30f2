"""Process-wide speed settings: how many threads BLAS may use, and glibc's heap trimming.

Serving: one BLAS thread per worker process. Requests run in parallel threads (and the workers in
parallel processes); each GEMM of one image is far too small to split, so a second OpenBLAS thread
only spins against the other requests' threads (OPENBLAS_NUM_THREADS=1 tripled the throughput of
`convlens serve --workers 2` at concurrency 32).

Training: one BLAS thread too. engine.shards.BatchGradients already runs the two halves of each
batch at once, one in this process and one in a helper process; the step's GEMMs are small (at
most 32 x 196 x 144 per image), and a second OpenBLAS thread per shard would only oversubscribe the
cores and spin between them.

Heap: glibc gives freed memory above M_TRIM_THRESHOLD back to the kernel and serves big blocks
(above M_MMAP_THRESHOLD) with fresh mmaps; a training step allocates and frees a few MB, so every
step page-faults the same memory back in (~1,000 faults, ~20 % of a step). Raising both keeps the
memory in the heap for the next step. Off glibc, this part does nothing.

An explicit OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS in the environment wins over
these defaults for child processes; limit_blas_threads() applies to this process in any case.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

SERVE_BLAS_THREADS = 1
TRAIN_BLAS_THREADS = 1
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

# glibc's mallopt parameters (malloc.h) and their values here.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
TRIM_THRESHOLD = 256 << 20  # keep up to 256 MiB of freed memory in the heap
MMAP_THRESHOLD = 32 << 20  # glibc's largest allowed value on 64-bit (HEAP_MAX_SIZE / 2)


def export_blas_threads(threads: int) -> None:
    """Set the BLAS thread variables for child processes (they read them when NumPy loads)."""
    for name in BLAS_THREAD_VARIABLES:
        os.environ.setdefault(name, str(threads))


def limit_blas_threads(threads: int) -> None:
    """Limit every BLAS library already loaded in this process to `threads` threads."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")


def blas_threads() -> int | None:
    """The largest thread count of the BLAS libraries loaded in this process; None if none is."""
    from threadpoolctl import threadpool_info

    counts = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
    return max(counts) if counts else None


def keep_heap() -> bool:
    """Stop glibc from trimming and mmapping the heap between steps; False off glibc."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS, Windows)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) and mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    )


def configure_serving() -> None:
    """This process and the worker processes it starts: SERVE_BLAS_THREADS BLAS threads each."""
    export_blas_threads(SERVE_BLAS_THREADS)
    limit_blas_threads(SERVE_BLAS_THREADS)


def configure_training() -> None:
    """This process and the helpers it starts (engine/shards.py): TRAIN_BLAS_THREADS BLAS threads
    each; a heap kept between steps."""
    export_blas_threads(TRAIN_BLAS_THREADS)
    limit_blas_threads(TRAIN_BLAS_THREADS)
    keep_heap()
