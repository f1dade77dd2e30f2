"""MNIST in IDX format: find the data directory, download with checksums, read the files."""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import struct
import tempfile
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import numpy as np

from engine.filelock import exclusive


def unit_float32(images: np.ndarray) -> np.ndarray:
    """uint8 images (0-255) -> float32 in [0, 1], same shape; float images -> float32 as they are."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images.astype(np.float32) / 255.0
    return images.astype(np.float32, copy=False)


# SHA-256 of each file. The first digest of each is the canonical file the public mirrors serve;
# train-images has a second accepted digest: a lossless re-export (pixels of intensity 1 read 0)
# that some local copies hold (see the data README shipped with the project's shared data).
FILES: dict[str, tuple[str, ...]] = {
    "train-images-idx3-ubyte.gz": (
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "b245662ed7ac160da763d29f7351d07c91d44c51a6200c102db01f03b3059eec",
    ),
    "train-labels-idx1-ubyte.gz": (
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    ),
    "t10k-images-idx3-ubyte.gz": (
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    ),
    "t10k-labels-idx1-ubyte.gz": (
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    ),
}
SPLITS = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://yann.lecun.com/exdb/mnist/",
)
HOW_TO_GET = (
    "run `convlens download` (or any `convlens` command that needs MNIST) with network access, "
    "or copy the four MNIST .gz files into a folder and set CONVLENS_DATA=/that/folder"
)


class DataError(RuntimeError):
    """MNIST files are missing, corrupt, truncated, or could not be downloaded."""


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/convlens/mnist, else ~/.cache/convlens/mnist."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "convlens" / "mnist"


def resolve_data_dir(data_dir: str | Path | None = None) -> Path:
    """--data DIR, else $CONVLENS_DATA, else the user cache directory."""
    if data_dir:
        return Path(data_dir).expanduser()
    env = os.environ.get("CONVLENS_DATA")
    return Path(env).expanduser() if env else default_cache_dir()


def mirrors_from_env() -> tuple[str, ...]:
    """Mirrors to try: $CONVLENS_MNIST_MIRRORS (comma-separated URLs) or the public ones."""
    env = os.environ.get("CONVLENS_MNIST_MIRRORS")
    return tuple(u.strip() for u in env.split(",") if u.strip()) if env else MIRRORS


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify(path: Path) -> None:
    """Raise DataError unless `path` has one of the accepted digests for its file name."""
    digest = sha256_of(path)
    if digest not in FILES[path.name]:
        raise DataError(
            f"{path} is corrupt or not the MNIST file (SHA-256 {digest[:16]}...); "
            f"delete it and {HOW_TO_GET}"
        )


def make_dir(directory: Path) -> Path:
    """Create `directory` (and its parents) if needed; DataError saying what to do if it cannot be."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(
            f"cannot create the data folder {directory} ({exc.strerror or exc}); "
            "set CONVLENS_DATA to a folder this process can write, or " + HOW_TO_GET
        ) from exc
    return directory


def download_file(name: str, dest_dir: Path, mirrors: tuple[str, ...], timeout: float = 30) -> Path:
    """Fetch `name` from the first mirror that serves a file with an accepted checksum."""
    make_dir(dest_dir)
    errors = []
    for base in mirrors:
        url = base.rstrip("/") + "/" + name
        fd, tmp_name = tempfile.mkstemp(dir=dest_dir, prefix=f".{name}.", suffix=".part")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
                shutil.copyfileobj(resp, out)
            digest = sha256_of(tmp)
            if digest not in FILES[name]:
                errors.append(f"{url}: checksum mismatch (got {digest[:16]}...)")
                continue
            final = dest_dir / name
            tmp.replace(final)
            return final
        except (urllib.error.URLError, OSError, ValueError) as exc:
            errors.append(f"{url}: {exc}")
        finally:
            tmp.unlink(missing_ok=True)
    raise DataError(f"could not download {name}: " + "; ".join(errors) + f". Or: {HOW_TO_GET}")


def locate(name: str, data_dir: Path, download: bool, mirrors: tuple[str, ...]) -> Path:
    """Path of `name` (.gz, or its uncompressed twin) in data_dir, downloading it if allowed."""
    gz = data_dir / name
    if gz.is_file():
        verify(gz)
        return gz
    raw = data_dir / name.removesuffix(".gz")
    if raw.is_file():
        return raw
    if not download:
        raise DataError(f"MNIST file {name} is not in {data_dir}; {HOW_TO_GET}")
    # One download per folder, whatever the number of processes: the others wait, then find it.
    with exclusive(make_dir(data_dir) / ".download.lock"):
        if gz.is_file():
            verify(gz)
            return gz
        return download_file(name, data_dir, mirrors)


def has_split(split: str, data_dir: str | Path | None = None) -> bool:
    """Whether every file of `split` is in the data folder already (nothing to download)."""
    directory = resolve_data_dir(data_dir)
    return all(
        (directory / name).is_file() or (directory / name.removesuffix(".gz")).is_file()
        for name in SPLITS[split]
    )


def read_idx(path: Path) -> np.ndarray:
    """Read an IDX file (.gz or raw) of unsigned bytes -> uint8 array of its declared shape."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path} cannot be read ({exc}); delete it and {HOW_TO_GET}") from exc
    if len(raw) < 4 or raw[0:2] != b"\x00\x00" or raw[2] != 0x08:
        raise DataError(f"{path} is not an IDX file of unsigned bytes")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path} is truncated (header incomplete)")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    expected = header + int(np.prod(dims))
    if len(raw) != expected:
        raise DataError(
            f"{path} is truncated or padded: {len(raw)} bytes, the header says {expected}; "
            f"delete it and {HOW_TO_GET}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def load_mnist(
    split: str = "train",
    data_dir: str | Path | None = None,
    download: bool = True,
    mirrors: tuple[str, ...] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """'train' | 'test' -> ((N, 28, 28) uint8 images, (N,) uint8 labels)."""
    if split not in SPLITS:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    directory = resolve_data_dir(data_dir)
    mirrors = mirrors or mirrors_from_env()
    img_name, lbl_name = SPLITS[split]
    images = read_idx(locate(img_name, directory, download, mirrors))
    labels = read_idx(locate(lbl_name, directory, download, mirrors))
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise DataError(
            f"MNIST {split} files in {directory} disagree: images {images.shape}, "
            f"labels {labels.shape}"
        )
    return images, labels
