"""What the user chose for the networks: the CLI flags over ``[tool.netreel]`` defaults."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import asdict, dataclass

from netreel.nets import data as data_mod


DEFAULT_DATASET = "mnist"  # the digit network's, in every chapter that names no data set of its own


@dataclass(frozen=True)
class NetConfig:
    """The user's choices that decide which networks a chapter runs, and on what."""

    dataset: str | None = None  # None: each chapter's own (see :meth:`digits`)
    data_dir: str | None = None
    seed: int = 0
    prompt: str | None = None
    corpus: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    def digits(self) -> data_mod.Digits:
        """The digit data set this config names, MNIST when it names none (loaded once per process)."""
        return _load_digits(self.dataset or DEFAULT_DATASET, self.data_dir)

    def defaulting_to(self, dataset: str) -> NetConfig:
        """This config, naming ``dataset`` when the user named neither a data set nor MNIST files
        (a chapter's own default)."""
        return self if self.dataset or self.data_dir else dataclasses.replace(self, dataset=dataset)


@functools.lru_cache(maxsize=4)
def _load_digits(dataset: str, data_dir: str | None) -> data_mod.Digits:
    return data_mod.load(dataset, data_dir)
