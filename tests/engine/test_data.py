"""MNIST loading: the shared folder, IDX parsing, damaged files, downloads from local mirrors."""

from __future__ import annotations

import functools
import gzip
import shutil
import socket
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from engine.data import (
    FILES,
    MIRRORS,
    DataError,
    default_cache_dir,
    download_file,
    load_mnist,
    mirrors_from_env,
    read_idx,
    resolve_data_dir,
    sha256_of,
    verify,
)

LABELS = "t10k-labels-idx1-ubyte.gz"
IMAGES = "t10k-images-idx3-ubyte.gz"


def copy_file(mnist_dir: Path, name: str, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(mnist_dir / name, dest / name))


def gunzip_to(src: Path, dest: Path) -> Path:
    dest.write_bytes(gzip.decompress(src.read_bytes()))
    return dest


# ---------------------------------------------------------------- the shared folder


def test_load_mnist_train_and_test(mnist_dir):
    x_train, y_train = load_mnist("train", mnist_dir, download=False)
    x_test, y_test = load_mnist("test", mnist_dir, download=False)
    assert x_train.shape == (60_000, 28, 28)
    assert y_train.shape == (60_000,)
    assert x_test.shape == (10_000, 28, 28)
    assert y_test.shape == (10_000,)
    for arr in (x_train, y_train, x_test, y_test):
        assert arr.dtype == np.uint8
    assert set(np.unique(y_train)) == set(range(10))
    assert set(np.unique(y_test)) == set(range(10))
    assert x_test.max() == 255
    assert x_test.min() == 0
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    # the local train-images file is the accepted re-export: no pixel of intensity 1
    assert not (x_train == 1).any()


def test_shared_files_have_accepted_digests(mnist_dir):
    for name, digests in FILES.items():
        assert sha256_of(mnist_dir / name) in digests
    assert (
        sha256_of(mnist_dir / "train-images-idx3-ubyte.gz")
        == FILES["train-images-idx3-ubyte.gz"][1]
    )


def test_unknown_split():
    with pytest.raises(ValueError, match="'train' or 'test'"):
        load_mnist("validation", "/nonexistent", download=False)


# ---------------------------------------------------------------- IDX parsing


def test_read_idx_raw_and_gz_agree(mnist_dir, tmp_path):
    for name in (LABELS, IMAGES):
        from_gz = read_idx(mnist_dir / name)
        raw = gunzip_to(mnist_dir / name, tmp_path / name.removesuffix(".gz"))
        np.testing.assert_array_equal(read_idx(raw), from_gz)
    assert read_idx(tmp_path / IMAGES.removesuffix(".gz")).shape == (10_000, 28, 28)


def test_load_mnist_falls_back_to_uncompressed_files(mnist_dir, tmp_path):
    for name in (LABELS, IMAGES):
        gunzip_to(mnist_dir / name, tmp_path / name.removesuffix(".gz"))
    images, labels = load_mnist("test", tmp_path, download=False)
    expected_images, expected_labels = load_mnist("test", mnist_dir, download=False)
    np.testing.assert_array_equal(images, expected_images)
    np.testing.assert_array_equal(labels, expected_labels)


def test_missing_file_without_download(tmp_path):
    with pytest.raises(DataError, match=f"{IMAGES} is not in {tmp_path}.*CONVLENS_DATA"):
        load_mnist("test", tmp_path, download=False)


def test_truncated_idx(mnist_dir, tmp_path):
    raw = gunzip_to(mnist_dir / LABELS, tmp_path / "labels")
    data = raw.read_bytes()
    raw.write_bytes(data[:-1])
    with pytest.raises(DataError, match="truncated or padded: 10007 bytes, the header says 10008"):
        read_idx(raw)
    raw.write_bytes(data + b"\x00")
    with pytest.raises(DataError, match="truncated or padded"):
        read_idx(raw)
    raw.write_bytes(data[:6])
    with pytest.raises(DataError, match="header incomplete"):
        read_idx(raw)


@pytest.mark.parametrize(
    "header", [b"\x00\x00\x09\x01", b"\x01\x00\x08\x01", b"PK\x03\x04", b"\x00\x00"]
)
def test_bad_magic(tmp_path, header):
    path = tmp_path / "bad-idx"
    path.write_bytes(header + b"\x00\x00\x00\x02\x05\x06")
    with pytest.raises(DataError, match="not an IDX file"):
        read_idx(path)


def test_small_valid_idx(tmp_path):
    path = tmp_path / "tiny.gz"
    path.write_bytes(
        gzip.compress(b"\x00\x00\x08\x02\x00\x00\x00\x02\x00\x00\x00\x03" + bytes(range(6)))
    )
    np.testing.assert_array_equal(read_idx(path), [[0, 1, 2], [3, 4, 5]])


def test_truncated_gz(mnist_dir, tmp_path):
    path = copy_file(mnist_dir, LABELS, tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="cannot be read"):
        read_idx(path)
    with pytest.raises(DataError, match="corrupt or not the MNIST file"):
        verify(path)


def test_corrupt_gz(mnist_dir, tmp_path):
    path = copy_file(mnist_dir, LABELS, tmp_path)
    data = bytearray(path.read_bytes())
    data[2000:2016] = bytes(16)  # damage the middle of the deflate stream
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match="cannot be read"):
        read_idx(path)
    with pytest.raises(DataError, match="corrupt or not the MNIST file"):
        verify(path)


def test_not_gzip_at_all(tmp_path):
    path = tmp_path / LABELS
    path.write_bytes(b"<html>404 not found</html>")
    with pytest.raises(DataError, match="cannot be read"):
        read_idx(path)


def test_images_and_labels_that_disagree(mnist_dir, tmp_path):
    copy_file(mnist_dir, IMAGES, tmp_path)
    labels = gzip.decompress((mnist_dir / LABELS).read_bytes())
    # a raw labels file with one label less than the images (the .gz is absent, so no checksum)
    short = labels[:4] + (9_999).to_bytes(4, "big") + labels[8:-1]
    (tmp_path / LABELS.removesuffix(".gz")).write_bytes(short)
    with pytest.raises(DataError, match="disagree"):
        load_mnist("test", tmp_path, download=False)


# ---------------------------------------------------------------- downloads from local mirrors


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/short/"):
            # Promise more bytes than are sent, then hang up (a dropped connection): the
            # partial file must be rejected, not kept.
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"\x1f\x8b" + bytes(100))
            self.wfile.flush()
            self.close_connection = True
            return
        super().do_GET()


@pytest.fixture
def mirror(mnist_dir, tmp_path):
    """A local HTTP server: /good/ has the test files, /bad/ damaged copies, /empty/ nothing."""
    root = tmp_path / "www"
    for name in (LABELS, IMAGES):
        copy_file(mnist_dir, name, root / "good")
        bad = copy_file(mnist_dir, name, root / "bad")
        data = bytearray(bad.read_bytes())
        data[-20] ^= 0xFF
        bad.write_bytes(bytes(data))
    (root / "empty").mkdir()
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield {name: f"{base}/{name}/" for name in ("good", "bad", "empty", "short")}
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def closed_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


def test_download_from_a_good_mirror(mirror, mnist_dir, tmp_path):
    dest = tmp_path / "data"
    path = download_file(LABELS, dest, (mirror["good"],), timeout=5)
    assert path == dest / LABELS
    assert path.read_bytes() == (mnist_dir / LABELS).read_bytes()
    assert sorted(p.name for p in dest.iterdir()) == [LABELS]  # no .part file left behind


def test_corrupt_mirror_then_good_mirror(mirror, mnist_dir, tmp_path):
    dest = tmp_path / "data"
    path = download_file(LABELS, dest, (mirror["bad"], mirror["good"]), timeout=5)
    assert sha256_of(path) in FILES[LABELS]
    assert sorted(p.name for p in dest.iterdir()) == [LABELS]


def test_all_mirrors_bad(mirror, closed_port_url, tmp_path):
    dest = tmp_path / "data"
    mirrors = (mirror["bad"], mirror["empty"], closed_port_url, mirror["short"])
    with pytest.raises(DataError) as info:
        download_file(LABELS, dest, mirrors, timeout=5)
    message = str(info.value)
    assert message.startswith(f"could not download {LABELS}: ")
    for base in mirrors:
        assert base + LABELS in message
    assert "checksum mismatch" in message
    assert "404" in message
    assert "CONVLENS_DATA" in message
    assert list(dest.iterdir()) == []


def test_unreachable_mirror_then_good_mirror(mirror, closed_port_url, tmp_path):
    path = download_file(LABELS, tmp_path, (closed_port_url, mirror["good"]), timeout=5)
    assert sha256_of(path) in FILES[LABELS]


def test_load_mnist_downloads_what_is_missing(mirror, mnist_dir, tmp_path, closed_port_url):
    dest = tmp_path / "cache"
    mirrors = (closed_port_url, mirror["bad"], mirror["good"])
    images, labels = load_mnist("test", dest, download=True, mirrors=mirrors)
    assert images.shape == (10_000, 28, 28)
    assert labels[:3].tolist() == [7, 2, 1]
    assert sorted(p.name for p in dest.iterdir()) == sorted([".download.lock", IMAGES, LABELS])
    # a second call reads the cached files (the mirrors are no longer needed)
    again, _ = load_mnist("test", dest, download=False)
    np.testing.assert_array_equal(again, images)


def test_load_mnist_reads_mirrors_from_the_environment(mirror, tmp_path, monkeypatch):
    monkeypatch.setenv("CONVLENS_MNIST_MIRRORS", f" {mirror['bad']} , {mirror['good']},")
    assert mirrors_from_env() == (mirror["bad"], mirror["good"])
    images, _ = load_mnist("test", tmp_path, download=True)
    assert len(images) == 10_000
    monkeypatch.delenv("CONVLENS_MNIST_MIRRORS")
    assert mirrors_from_env() == MIRRORS


# ---------------------------------------------------------------- where the data lives


def test_resolve_data_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("CONVLENS_DATA", str(tmp_path / "from-env"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert resolve_data_dir(tmp_path / "from-arg") == tmp_path / "from-arg"
    assert resolve_data_dir(str(tmp_path / "from-arg")) == tmp_path / "from-arg"
    assert resolve_data_dir(None) == tmp_path / "from-env"
    monkeypatch.delenv("CONVLENS_DATA")
    assert resolve_data_dir(None) == tmp_path / "xdg" / "convlens" / "mnist"
    assert resolve_data_dir("") == tmp_path / "xdg" / "convlens" / "mnist"


def test_default_cache_dir_without_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / ".cache" / "convlens" / "mnist"


def test_resolve_data_dir_expands_the_home_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_data_dir("~/mnist") == tmp_path / "mnist"
    monkeypatch.setenv("CONVLENS_DATA", "~/env-mnist")
    assert resolve_data_dir() == tmp_path / "env-mnist"


def test_concurrent_loads_download_each_file_once(mnist_dir, tmp_path):
    """Callers that find the files missing at once wait for one download (a file lock)."""
    root = tmp_path / "www"
    for name in (LABELS, IMAGES):
        copy_file(mnist_dir, name, root)
    fetched: list[str] = []

    class CountingHandler(QuietHandler):
        def do_GET(self):
            fetched.append(self.path)
            super().do_GET()

    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(CountingHandler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    mirrors = (f"http://127.0.0.1:{server.server_address[1]}/",)
    dest = tmp_path / "cache"
    results = []
    try:
        loaders = [
            threading.Thread(target=lambda: results.append(load_mnist("test", dest, True, mirrors)))
            for _ in range(4)
        ]
        for t in loaders:
            t.start()
        for t in loaders:
            t.join()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert sorted(fetched) == sorted(f"/{name}" for name in (LABELS, IMAGES))
    assert len(results) == 4 and all(len(images) == 10_000 for images, _ in results)
    assert sorted(p.name for p in dest.iterdir()) == sorted([".download.lock", IMAGES, LABELS])


def test_an_uncreatable_data_folder_is_a_data_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(DataError, match="cannot create the data folder.*CONVLENS_DATA"):
        load_mnist("test", blocker / "mnist", download=True, mirrors=("http://127.0.0.1:9/",))
