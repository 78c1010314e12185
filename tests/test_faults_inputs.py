"""Inputs checked where they enter: one line, a non-zero exit, nothing rendered."""

from __future__ import annotations

import errno
import struct

import numpy as np
import pytest

from netreel.nets import facts_cache
from netreel.nets.config import NetConfig
from netreel.nets.data import DataError, load_mnist
from netreel.render import chapter
from tests.test_cli import run


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--out", ""], "netreel: --out is empty; give a folder, e.g. --out renders"),
        (["--out", "  "], "netreel: --out is empty; give a folder, e.g. --out renders"),
        (["--seed", "-1"], "is not in the range 0<=x<=4294967295."),
        (["--seed", str(2**32)], "is not in the range 0<=x<=4294967295."),
    ],
)
def test_a_bad_option_is_one_line_and_renders_nothing(tmp_path, monkeypatch, args, line):
    monkeypatch.chdir(tmp_path)
    result = run("render", "network", "-q", "tiny", *args)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert line in result.output.strip().splitlines()[-1]
    assert list(tmp_path.iterdir()) == []


def test_a_prompt_is_words_even_when_a_file_has_its_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    words = tmp_path / "the cat"
    words.write_text("one", encoding="utf-8")
    config = NetConfig(prompt="the cat")
    before = facts_cache.key("attention", config)
    words.write_text("something else entirely", encoding="utf-8")
    assert facts_cache.key("attention", config) == before
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("a b c", encoding="utf-8")
    named = NetConfig(corpus=str(corpus))
    before = facts_cache.key("attention", named)
    corpus.write_text("a b c d", encoding="utf-8")
    assert facts_cache.key("attention", named) != before  # a corpus is a file, and its changes count


def corpus_file(tmp_path, text: str):
    path = tmp_path / "corpus.txt"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("the cat sat\0 on the mat " * 1000, "holds NUL bytes (at character 11): it is not plain text"),
        ("the " * 5000, "has 1 different words; the chapters rank the network's next words among at least 7"),
        ("one two three " * 10, "has 30 words; the network needs at least 2,000 to learn from"),
    ],
    ids=["NUL bytes", "one word", "too short"],
)
def test_a_degenerate_corpus_is_refused_before_training(tmp_path, text, line):
    path = corpus_file(tmp_path, text)
    result = run("info", "attention", "--vocab", "--corpus", str(path))
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1] == f"netreel: --corpus {path} {line}"


def test_a_corpus_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_bytes("é".encode("latin-1") * 3000)
    result = run("info", "attention", "--vocab", "--corpus", str(path))
    assert result.exit_code != 0
    assert result.output.strip().splitlines()[-1].startswith(f"netreel: --corpus {path} is not UTF-8 text")


IMAGES, LABELS = 0x00000803, 0x00000801


def idx(path, magic: int, array: np.ndarray) -> None:
    path.write_bytes(struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape) + array.astype(np.uint8).tobytes())


def mnist_dir(tmp_path, n_images=8100, n_labels=8100, side=28, top_label=9):
    folder = tmp_path / "mnist"
    folder.mkdir()
    idx(folder / "t10k-images-idx3-ubyte", IMAGES, np.zeros((n_images, side, side)))
    idx(folder / "t10k-labels-idx1-ubyte", LABELS, np.arange(n_labels) % (top_label + 1))
    return folder


@pytest.mark.parametrize(
    ("shape", "line"),
    [
        ({"n_labels": 8000}, "t10k-images-idx3-ubyte holds 8100 images but {folder}/t10k-labels-idx1-ubyte 8000 labels"),
        ({"side": 8}, "t10k-images-idx3-ubyte holds 8×8 images; MNIST's are 28×28"),
        ({"top_label": 11}, "t10k-labels-idx1-ubyte has a label of 11; MNIST's are 0-9"),
        ({"n_images": 100, "n_labels": 100}, "t10k-labels-idx1-ubyte holds 100 digits; without the train-* files "
         "netreel trains on the first 8,000 and holds out the rest, so it needs more"),
    ],
    ids=["counts differ", "not 28x28", "label 11", "too few to hold out"],
)
def test_mnist_files_are_checked_before_training(tmp_path, shape, line):
    folder = mnist_dir(tmp_path, **shape)
    with pytest.raises(DataError) as caught:
        load_mnist(folder)
    assert str(caught.value) == f"{folder}/{line.format(folder=folder)}"


@pytest.mark.render
def test_a_full_disk_while_the_record_is_written_is_one_line_and_leaves_no_temporary(tmp_path, monkeypatch):
    scene = tmp_path / "square.py"
    scene.write_text(SQUARE, encoding="utf-8")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(chapter.json, "dump", full)
    result = run("render", str(scene), "-q", "tiny", "--out", str(tmp_path / "out"))
    folder = tmp_path / "out" / "square" / "tiny"
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1] == f"netreel: cannot write {folder / 'manifest.json'}: No space left on device"
    assert not list(folder.glob(".*.tmp")) and not (folder / "manifest.json").exists()


SQUARE = """
from manim import Create, Scene, Square


class Square1(Scene):
    def construct(self):
        self.play(Create(Square()))
"""
