"""mnist_cnn rebuilt in PyTorch (CPU) for bench.train: same layers, batch, optimiser and data."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from engine.architecture import CONV1, CONV2, HIDDEN


def load_torch(threads: int) -> ModuleType | None:
    """The torch module with `threads` intra-op threads, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(threads)
    return torch


class TorchNet:
    """conv(CONV1) -> relu -> pool -> conv(CONV2) -> relu -> pool -> dense(HIDDEN) -> relu ->
    dense(10): the widths of engine.architecture.mnist_cnn."""

    def __init__(self, torch: ModuleType, lr: float, seed: int = 0) -> None:
        nn = torch.nn
        torch.manual_seed(seed)
        self.torch = torch
        self.net = nn.Sequential(
            nn.Conv2d(1, CONV1, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(CONV1, CONV2, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(CONV2 * 7 * 7, HIDDEN),
            nn.ReLU(),
            nn.Linear(HIDDEN, 10),
        )
        self.optimizer = torch.optim.Adam(self.net.parameters(), lr=lr)

    def step(self, x: np.ndarray, y: np.ndarray, k: int, batch: int) -> float:
        """Forward + backward + Adam on batch k of (N, 1, 28, 28) x and (N,) int64 y."""
        torch = self.torch
        xb = torch.from_numpy(x[k * batch : (k + 1) * batch])
        yb = torch.from_numpy(y[k * batch : (k + 1) * batch])
        self.optimizer.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(self.net(xb), yb)
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def forward(self, x: np.ndarray) -> Any:
        """(N, 1, 28, 28) -> (N, 10) logits, without autograd."""
        with self.torch.inference_mode():
            return self.net(self.torch.from_numpy(x))

    def trace(self, x: np.ndarray) -> list[np.ndarray]:
        """Every layer's output then the softmax, as NumPy arrays (what model.trace returns)."""
        torch = self.torch
        outputs = []
        with torch.inference_mode():
            h = torch.from_numpy(x)
            for layer in self.net:
                h = layer(h)
                outputs.append(h.numpy())
            outputs.append(torch.softmax(h, dim=1).numpy())
        return outputs
