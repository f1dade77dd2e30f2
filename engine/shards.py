"""One training step of a batch in two shards: one here, one in a helper process when there is a
second core.

Every batch is cut in two halves whatever the machine; the gradients are summed in a fixed order
and the optimizer's update is elementwise, so a seed gives the same weights on one core or two.
With a second core the step is shared with a helper process, through one memory map holding the
weights, the optimizer's state, both halves' gradients and the helper's inputs:
1. each process computes its half of the batch's gradients; the helper hands over its gradients
   of the last layers as soon as its backward pass has them;
2. each adds the other's gradients into its own over its part of the parameters (laid end to
   end: this process the last layers', the helper the first layers') and updates that part of
   the weights and optimizer state (engine.optim, `part`): this process while the helper is
   still in its first layers' backward.

Why processes, not threads: two threads of one interpreter share the GIL, and a training step is
~150 NumPy calls, many of them short, which hold it; measured on the 2-core machine at batch 64,
two shard threads gave 5,260 images/s against 3,690 for one (1.43x), while the same shard run in two
processes side by side ran as fast as alone. Why the update is shared too: summing the gradients
and Adam's update (~0.7 ms of a ~7.3 ms step) were what kept the two cores from scaling 2x.

Until the helper has started (~0.15 s: a fresh interpreter importing NumPy) this process computes
the whole step, with identical results; if it dies while computing gradients, likewise from then
on (with a warning).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import tempfile
import warnings
import weakref
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from engine.losses import cross_entropy
from engine.model import Sequential
from engine.optim import Optimizer, build_optimizer, flat_rows, parameter_ranges
from engine.shared_block import Grads, Layout, SharedBlock, shm_dir

SHARDS = 2  # every batch is split in two, whatever the core count: results do not depend on it
# The parts of the parameters (laid end to end in layer order) whose update this process and the
# helper make. This process's part is the last layers': the helper's gradients for them are ready
# (and handed over) early in its backward, so this process sums and updates its part while the
# helper is still in its first layers' backward; the helper updates the first layers' part after.
HERE, THERE = (0.4, 1.0), (0.0, 0.4)


def shard_gradients(
    model: Sequential,
    x: np.ndarray,
    y: np.ndarray,
    batch: int,
    ready: Callable[[int, float, np.ndarray, Grads], None] | None = None,
) -> tuple[float, np.ndarray, Grads]:
    """One shard's share of the batch's mean loss, its (n, K) logits, and its share of the
    gradients; the input's own gradient is not computed. ready(k, loss, logits, grads) is called
    as soon as the layers from k up have their gradients."""
    logits, caches = model.forward_train(x, fuse=True)
    loss, dlogits = cross_entropy(logits, y)
    share = len(y) / batch
    dlogits *= np.float32(share)
    done = None if ready is None else (lambda k, g: ready(k, loss * share, logits, g))
    grads = model.parameter_gradients(dlogits, caches, done)
    return loss * share, logits, grads


def add_gradients(
    into: Grads, more: Grads, model: Sequential, part: tuple[float, float] | None = None
) -> None:
    """into += more over one part of the parameters (engine.optim.parameter_ranges)."""
    for k, key, rows in parameter_ranges(model, part):
        flat_rows(into[k][key], rows)[...] += flat_rows(more[k][key], rows)


def usable_cores() -> int:
    """Cores this process may run on (its affinity, where the OS says)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _block_layout(model: Sequential, slots: tuple[str, ...], capacity: int) -> Layout:
    """Weights 'p.k.key', the helper's and this process's gradients 'g1.', 'g0.', optimizer
    state '<slot>.k.key', and the helper's shard: inputs, labels and logits."""
    layout: Layout = []
    for k, layer in enumerate(model.layers):
        for key, p in layer.params.items():
            for prefix in ("p", "g1", "g0", *slots):
                layout.append((f"{prefix}.{k}.{key}", p.shape, p.dtype.str))
    layout += [
        ("x", (capacity, *model.input_shape), "<f4"),
        ("y", (capacity,), "<i8"),
        ("logits", (capacity, *model.shapes[-1]), "<f4"),
    ]
    return layout


def _bind(model: Sequential, optimizer: Optimizer | None, block: SharedBlock) -> None:
    """Point the model's weights (and the optimizer's state) at the block's arrays."""
    for k, layer in enumerate(model.layers):
        for key in layer.params:
            layer.params[key] = block[f"p.{k}.{key}"]
            for slot in optimizer.slots if optimizer is not None else ():
                getattr(optimizer, slot)[(layer.name, key)] = block[f"{slot}.{k}.{key}"]


def _helper_main(conn: Connection, path: str, layout: Layout, description: dict) -> None:
    """The helper process: gradients of its shard, then its part of the update, until told to end.

    Messages: ("grads", n, batch) -> ("ok", loss) once its logits and its gradients over HERE are
    in the block ('g1.'; the rest of its backward goes on after); ("update", lr, t) ->
    ("updated", None) after adding the parent's 'g0.' into its own gradients over THERE and
    updating THERE.
    """
    from engine.architecture import build_model
    from engine.runtime import configure_training

    configure_training()
    model = build_model(description["model"])
    optimizer = build_optimizer(model, description["optimizer"], description["settings"])
    block = SharedBlock(path, layout)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)  # both processes have it mapped: the name is not needed, even if we die
    _bind(model, optimizer, block)
    grads: Grads = []  # the gradients of the last shard, kept for its update
    conn.send("ready")
    while True:
        try:
            message = conn.recv()
            if message is None:
                break
            reply = _serve(message, model, optimizer, block, grads, conn.send)
            if reply is not None:
                conn.send(reply)
        except (EOFError, OSError):  # the parent is gone (killed, or its pipe closed)
            break
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
            with contextlib.suppress(OSError):
                conn.send(("error", f"{type(exc).__name__}: {exc}"))
    block.close()


def _serve(
    message: tuple,
    model: Sequential,
    optimizer: Optimizer,
    block: SharedBlock,
    grads: Grads,
    answer: Callable[[tuple[str, Any]], None],
) -> tuple[str, Any] | None:
    """The helper's work for one message; `grads` keeps the last shard's gradients in place.

    "grads": answers ("ok", loss) from within the backward pass, as soon as the gradients over
    HERE (the parent's part) are in the block, then finishes the backward; no answer after.
    "update": adds the parent's gradients over THERE and updates THERE; answers "updated"."""
    if message[0] == "grads":
        _, n, batch = message
        first = min(k for k, _, _ in parameter_ranges(model, HERE))  # its lowest layer
        mine = block.grads(model, "g1")

        def hand_over(k: int, loss: float, logits: np.ndarray, partial: Grads) -> None:
            if k <= first and not sent:
                block["logits"][:n] = logits
                for j, key, rows in parameter_ranges(model, HERE):
                    flat_rows(mine[j][key], rows)[...] = flat_rows(partial[j][key], rows)
                sent.append(True)
                answer(("ok", loss))

        sent: list[bool] = []
        grads[:] = shard_gradients(model, block["x"][:n], block["y"][:n], batch, hand_over)[2]
        return None
    _, optimizer.lr, t = message
    if t is not None:
        optimizer.t = t  # its step counts from the parent's
    add_gradients(grads, block.grads(model, "g0"), model, THERE)
    optimizer.step(grads, part=THERE)
    return "updated", None


class _Helper:
    """The helper process and the block it shares with this process."""

    def __init__(self, model: Sequential, optimizer: Optimizer, capacity: int) -> None:
        self.model, self.optimizer, self.capacity = model, optimizer, capacity
        layout = _block_layout(model, optimizer.slots, capacity)
        fd, self.path = tempfile.mkstemp(prefix="convlens-shard-", dir=shm_dir())
        os.close(fd)
        self.block = SharedBlock(self.path, layout, create=True)
        self._share_state()
        description = {
            "model": model.describe(),
            "optimizer": optimizer.kind,
            "settings": optimizer.settings(),
        }
        context = multiprocessing.get_context("spawn")  # no fork of a threaded parent
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_helper_main,
            args=(child, self.path, layout, description),
            name="convlens-shard",
            daemon=True,
        )
        self.process.start()
        child.close()
        # its gradients, and ours over the part it updates
        self.from_helper, self.to_helper = (
            self.block.grads(model, "g1"),
            self.block.grads(model, "g0"),
        )
        self.ready = self.lost = False

    def _share_state(self) -> None:
        """Move the weights and the optimizer's state into the block (values kept)."""
        for k, layer in enumerate(self.model.layers):
            for key, p in layer.params.items():
                np.copyto(self.block[f"p.{k}.{key}"], p)
                for slot in self.optimizer.slots:
                    state = getattr(self.optimizer, slot).get((layer.name, key))
                    if state is not None:
                        np.copyto(self.block[f"{slot}.{k}.{key}"], state)
        _bind(self.model, self.optimizer, self.block)

    def usable(self, x: np.ndarray, wait: float = 0.0) -> bool:
        """Started (waiting up to `wait` s for it) and alive, and the shard fits the block (a
        larger batch than the first does not)."""
        if self.lost:
            return False
        if not self.ready and self.conn.poll(wait):
            try:
                self.ready = self.conn.recv() == "ready"
            except (EOFError, OSError):  # it died while starting
                return self._lose()
        if self.ready and not self.process.is_alive():
            return self._lose()
        fits = len(x) <= self.capacity and x.shape[1:] == self.model.input_shape
        return self.ready and fits and x.dtype == np.float32

    def _lose(self) -> bool:
        """Note (once, with a warning) that the process is gone; False."""
        if not self.lost:
            self.lost, self.ready = True, False
            warnings.warn(
                f"the training helper process {self.process.pid} ended unexpectedly; "
                "its shards are computed in this process from now on",
                RuntimeWarning,
                stacklevel=4,
            )
        return False

    def gradients(self, x: np.ndarray, y: np.ndarray, batch: int) -> None:
        """Hand over one shard; returns at once (collect() waits for its loss)."""
        self.block["x"][: len(y)] = x
        self.block["y"][: len(y)] = y
        self.conn.send(("grads", len(y), batch))

    def collect(self, n: int) -> tuple[float, np.ndarray] | None:
        """The shard's (loss share, logits) once its gradients are in the block; None if lost."""
        try:
            status, value = self.conn.recv()
        except (EOFError, OSError):
            return self._lose()
        if status == "error":
            raise RuntimeError(f"training helper failed: {value}")
        return value, self.block["logits"][:n].copy()

    def close(self) -> None:
        """Stop the process, give the model and the optimizer their arrays back, free the block."""
        _stop(self.conn, self.process, self.path)
        for layer in self.model.layers:
            for key, p in layer.params.items():
                layer.params[key] = p.copy()
                for slot in self.optimizer.slots:
                    arrays = getattr(self.optimizer, slot)
                    arrays[(layer.name, key)] = arrays[(layer.name, key)].copy()
        self.block.close()


def _stop(conn: Connection, process: Any, path: str) -> None:
    """Ask a helper to end, then make sure it has; remove its block's file if still named."""
    with contextlib.suppress(OSError, ValueError):
        conn.send(None)
    process.join(timeout=5)
    if process.is_alive():
        process.kill()
        process.join(timeout=5)
    conn.close()
    if os.path.exists(path):
        os.unlink(path)


class ShardedStep:
    """step(x, y): one optimizer step of `optimizer` on a batch in two shards, the second (and
    part of the update) in a helper process when `helpers` is 1 (default: when a second core is
    usable), started with the first step or, given `batch_size`, at once. The model's weights and
    the optimizer's state live in the shared block meanwhile; close() gives them back as ordinary
    arrays."""

    def __init__(
        self,
        model: Sequential,
        optimizer: Optimizer,
        helpers: int | None = None,
        batch_size: int | None = None,
    ) -> None:
        self.model, self.optimizer = model, optimizer
        self.wanted = (usable_cores() > 1) if helpers is None else helpers > 0
        self.helper: _Helper | None = None
        self._finalizer: weakref.finalize | None = None
        if self.wanted and batch_size:  # start now: it may be ready by the first step
            self._start_helper(batch_size - batch_size // SHARDS)

    def _start_helper(self, capacity: int) -> None:
        """Start the helper for shards of up to `capacity` images (first call only)."""
        self.wanted = False
        if self.model.input_shape is None or any(
            p.dtype != np.float32 for _, _, p in self.model.parameters()
        ):
            return  # the block carries float32 inputs and logits: other models stay here
        try:
            self.helper = _Helper(self.model, self.optimizer, capacity)
        except (OSError, AssertionError, ValueError) as exc:  # no shared memory, daemonic parent
            warnings.warn(f"training on one core: no helper process ({exc})", stacklevel=3)
            return
        self._finalizer = weakref.finalize(self, self.helper.close)

    def __call__(self, x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        """(N, C, H, W), (N,) -> (mean loss, (N, K) logits) of the batch; the weights updated."""
        cut = len(y) // SHARDS
        (x0, y0), (x1, y1) = (x[:cut], y[:cut]), (x[cut:], y[cut:])
        if self.wanted and cut:
            self._start_helper(len(y1))
        helper = self.helper
        if cut and helper is not None and helper.usable(x1):
            helper.gradients(x1, y1, len(y))
            loss0, logits0, grads = shard_gradients(self.model, x0, y0, len(y))
            there = helper.collect(len(y1))
            if there is not None:
                return self._update_together(helper, grads, loss0, logits0, *there)
            results = [(loss0, logits0, grads), shard_gradients(self.model, x1, y1, len(y))]
        else:
            results = [
                shard_gradients(self.model, xs, ys, len(y))
                for xs, ys in ((x0, y0), (x1, y1))
                if len(ys)
            ]
        grads = results[0][2]
        for _, _, more in results[1:]:
            add_gradients(grads, more, self.model)
        self.optimizer.step(grads)
        return sum(r[0] for r in results), np.concatenate([r[1] for r in results])

    def _update_together(
        self,
        helper: _Helper,
        grads: Grads,
        loss0: float,
        logits0: np.ndarray,
        loss1: float,
        logits1: np.ndarray,
    ) -> tuple[float, np.ndarray]:
        """Both halves' gradients are in: each process sums and updates its part of the weights."""
        for k, key, rows in parameter_ranges(self.model, THERE):  # what the helper needs of ours
            flat_rows(helper.to_helper[k][key], rows)[...] = flat_rows(grads[k][key], rows)
        t = getattr(self.optimizer, "t", None)
        helper.conn.send(("update", self.optimizer.lr, t))  # its step counts from the same t
        add_gradients(grads, helper.from_helper, self.model, HERE)
        self.optimizer.step(grads, part=HERE)
        try:
            status, value = helper.conn.recv()
        except (EOFError, OSError) as exc:
            helper._lose()
            raise RuntimeError(
                "the training helper process ended while updating its half of the weights; "
                "the weights are no longer one consistent step: train again from a checkpoint"
            ) from exc
        if status == "error":
            raise RuntimeError(f"training helper failed: {value}")
        return loss0 + loss1, np.concatenate([logits0, logits1])

    def wait_for_helper(self, timeout: float = 30.0) -> bool:
        """Block until the helper can take shards (or `timeout` s); whether it can."""
        if self.helper is None:
            return False
        probe = np.zeros((0, *self.model.input_shape), dtype=np.float32)
        return self.helper.usable(probe, wait=timeout)

    def close(self) -> None:
        """Stop the helper process; the weights and optimizer state are ordinary arrays again."""
        if self._finalizer is not None:
            self._finalizer()
        self.helper = None
