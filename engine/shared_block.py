"""Named NumPy arrays in one file-backed memory map that two processes map at once."""

from __future__ import annotations

import mmap
import os

import numpy as np

from engine.model import Sequential

ALIGN = 64  # bytes: every array of a block starts on a cache line
Layout = list[tuple[str, tuple[int, ...], str]]  # (name, shape, dtype) of each array of a block
Grads = list[dict[str, np.ndarray]]


class SharedBlock:
    """Named arrays laid out in one file-backed memory map that two processes map at once."""

    def __init__(self, path: str, layout: Layout, create: bool = False) -> None:
        offsets, size = [], 0
        for _, shape, dtype in layout:
            offsets.append(size)
            nbytes = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
            size += -(-nbytes // ALIGN) * ALIGN
        with open(path, "w+b" if create else "r+b") as f:
            if create:
                f.truncate(max(size, 1))
            self.map = mmap.mmap(f.fileno(), max(size, 1))
        self.arrays = {
            name: np.ndarray(shape, dtype, buffer=self.map, offset=offset)
            for (name, shape, dtype), offset in zip(layout, offsets, strict=True)
        }

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]

    def grads(self, model: Sequential, prefix: str) -> Grads:
        """The model-shaped gradient arrays '<prefix>.<layer index>.<key>'."""
        return [
            {key: self.arrays[f"{prefix}.{k}.{key}"] for key in layer.params}
            for k, layer in enumerate(model.layers)
        ]

    def close(self) -> None:
        """Let go of the map: it is unmapped once no array of it is left. (mmap.close() would
        unmap it under arrays still in use: NumPy keeps the map object, not a buffer export.)"""
        self.arrays = {}
        self.map = None


def shm_dir() -> str | None:
    """/dev/shm where there is one (memory, never the disk), else the temp directory."""
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
