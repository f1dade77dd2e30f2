"""Where the tests find MNIST: $CONVLENS_DATA, else the shared copy beside the checkout."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_MNIST = REPO.parent / "shared" / "data" / "mnist"


def mnist_dir_or_none() -> Path | None:
    """$CONVLENS_DATA, else ../shared/data/mnist beside the checkout, if it holds MNIST."""
    env = os.environ.get("CONVLENS_DATA")
    for candidate in (Path(env) if env else None, SHARED_MNIST):
        if candidate and (candidate / "t10k-images-idx3-ubyte.gz").is_file():
            return candidate
    return None
