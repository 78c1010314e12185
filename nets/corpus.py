"""Text for the transformer: a generated grammar corpus, or the user's own text, and its words.

The default corpus is generated from a small grammar in the spirit of "a fluffy
blue creature roamed the verdant forest". It is built so that attention has real
work to do: the verb after a noun, and the place at the end of the sentence,
depend on the noun's *adjective*, which sits one or two words back (a colour may
come between). Nothing at the noun itself says which verb comes next; only by
looking back at its own adjective can the network know.

Tokens are lower-case words and punctuation marks (:func:`tokenize`). The
grammar also knows, for every token it emitted, the probability it had of
emitting it: the loss floor no network can beat.

Examples
--------
>>> corpus = grammar_corpus(seed=0)
>>> tokenize("A fluffy blue creature purred.")
['a', 'fluffy', 'blue', 'creature', 'purred', '.']
>>> corpus.vocab.encode(["a", "fluffy"]) == [corpus.vocab.index["a"], corpus.vocab.index["fluffy"]]
True
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

UNKNOWN = "<unk>"
MAX_CORPUS_BYTES = 4_000_000  # about 700,000 words: read and tokenised in seconds
MIN_CORPUS_WORDS = 2000  # fewer words than this teach a network little beyond memorising them
MIN_DISTINCT_WORDS = 7  # the chapters draw its six most probable next words and the rest as one bar
MAX_VOCAB = 2000  # a user corpus keeps its most frequent words; the rest become <unk>

# The grammar: each adjective's kind decides what the creature does and where.
KINDS = {
    "furry": {"adjectives": ["fluffy", "furry", "woolly"], "verbs": ["purred", "napped", "pounced"], "places": ["meadow", "forest"]},
    "scaly": {"adjectives": ["scaly", "slimy", "spiny"], "verbs": ["hissed", "slithered", "lurked"], "places": ["swamp", "marsh"]},
    "feathered": {"adjectives": ["feathered", "winged", "plumed"], "verbs": ["sang", "soared", "fluttered"], "places": ["sky", "cliffs"]},
    "finned": {"adjectives": ["finned", "sleek", "glossy"], "verbs": ["swam", "dove", "splashed"], "places": ["river", "lake"]},
}
DETERMINERS = ["a", "the"]
COLOURS = ["blue", "green", "red", "golden", "grey", "purple"]
NOUNS = ["creature", "beast", "critter", "animal"]
PREPOSITIONS = ["in", "through", "across", "near"]
PLACE_ADJECTIVES = ["verdant", "misty", "quiet", "distant", "vast"]
COLOUR_CHANCE = 0.5
PLACE_CHANCE = 0.5
END = "."
GRAMMAR = "grammar"

DEFAULT_PROMPT = "a fluffy blue creature purred . the scaly green beast"


class TextError(Exception):
    """A prompt or corpus the network cannot use; the message is meant for the user."""


_TOKEN = re.compile(r"\w+(?:'\w+)*|[^\w\s]")


def tokenize(text: str) -> list[str]:
    """Lower-case words (letters, digits, inner apostrophes) and single punctuation marks."""
    return _TOKEN.findall(text.lower())


@dataclass(frozen=True)
class Vocab:
    """The words a network knows, in a fixed order (token id = position)."""

    words: tuple[str, ...]

    @property
    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    def encode(self, words: list[str]) -> list[int]:
        """Token ids; words it does not know become <unk> when it has one."""
        index = self.index
        unknown = index.get(UNKNOWN)
        return [index.get(w, unknown) for w in words]

    def decode(self, ids) -> list[str]:
        return [self.words[int(i)] for i in ids]


def grammar_words() -> list[str]:
    """Every word the grammar can emit, grouped by part of speech."""
    kinds = KINDS.values()
    return list(
        dict.fromkeys(
            DETERMINERS
            + [a for k in kinds for a in k["adjectives"]]
            + COLOURS
            + NOUNS
            + [v for k in kinds for v in k["verbs"]]
            + PREPOSITIONS
            + PLACE_ADJECTIVES
            + [p for k in kinds for p in k["places"]]
            + [END]
        )
    )


def part_of_speech(word: str) -> str:
    """The grammar's name for a word's role: adjective, colour, noun, verb, place, ..."""
    for kind in KINDS.values():
        for part in ("adjectives", "verbs", "places"):
            if word in kind[part]:
                return part[:-1]
    groups = {"determiner": DETERMINERS, "colour": COLOURS, "noun": NOUNS, "preposition": PREPOSITIONS, "place_adjective": PLACE_ADJECTIVES}
    for name, members in groups.items():
        if word in members:
            return name
    return "punctuation" if word == END else "other"


def kind_of(word: str) -> str | None:
    """Which kind (furry, scaly, ...) an adjective, verb or place belongs to."""
    for name, kind in KINDS.items():
        if any(word in kind[part] for part in ("adjectives", "verbs", "places")):
            return name
    return None


def sentence(rng: np.random.Generator) -> list[tuple[str, float]]:
    """One sentence of the grammar: (word, probability the grammar had of choosing it) pairs."""
    kind = KINDS[list(KINDS)[rng.integers(len(KINDS))]]
    n_adjectives = sum(len(k["adjectives"]) for k in KINDS.values())
    out: list[tuple[str, float]] = [(DETERMINERS[rng.integers(2)], 1 / len(DETERMINERS))]
    out.append((kind["adjectives"][rng.integers(len(kind["adjectives"]))], 1 / n_adjectives))
    if rng.random() < COLOUR_CHANCE:
        out.append((COLOURS[rng.integers(len(COLOURS))], COLOUR_CHANCE / len(COLOURS)))
        out.append((NOUNS[rng.integers(len(NOUNS))], 1 / len(NOUNS)))
    else:
        out.append((NOUNS[rng.integers(len(NOUNS))], (1 - COLOUR_CHANCE) / len(NOUNS)))
    out.append((kind["verbs"][rng.integers(len(kind["verbs"]))], 1 / len(kind["verbs"])))
    if rng.random() < PLACE_CHANCE:
        out.append((PREPOSITIONS[rng.integers(len(PREPOSITIONS))], PLACE_CHANCE / len(PREPOSITIONS)))
        out.append(("the", 1.0))
        out.append((PLACE_ADJECTIVES[rng.integers(len(PLACE_ADJECTIVES))], 1 / len(PLACE_ADJECTIVES)))
        out.append((kind["places"][rng.integers(len(kind["places"]))], 1 / len(kind["places"])))
        out.append((END, 1.0))
    else:
        out.append((END, 1 - PLACE_CHANCE))
    return out


@dataclass(frozen=True)
class Corpus:
    """Token ids as sequences of ``n_ctx + 1`` tokens: training, validation (to pick when to stop) and held out.

    ``floor`` is the grammar's own loss on the held-out targets (nats per token), or
    None for a user's text, whose true probabilities nobody knows.
    """

    name: str  # GRAMMAR or the user's file name
    vocab: Vocab
    train: np.ndarray  # [n_train, n_ctx + 1] int64
    valid: np.ndarray  # [n_valid, n_ctx + 1] int64
    test: np.ndarray  # [n_test, n_ctx + 1] int64
    floor: float | None

    @property
    def n_ctx(self) -> int:
        return self.train.shape[1] - 1

    def digest(self) -> str:
        """A short hash of the words and every sequence, so a cache never mixes corpora."""
        h = hashlib.sha256("\n".join(self.vocab.words).encode())
        for array in (self.train, self.valid, self.test):
            h.update(np.ascontiguousarray(array).tobytes())
        return h.hexdigest()[:16]

    def prompt_ids(self, prompt: str | None) -> list[int]:
        """The token ids of a prompt, or a TextError saying what is wrong with it.

        Without a prompt: the grammar's default sentence, or the start of a user text's held-out part.
        """
        if prompt is None:
            words = tokenize(DEFAULT_PROMPT) if self.name == GRAMMAR else self.vocab.decode(self.test[0, : self.n_ctx // 2])
        else:
            words = tokenize(prompt)
        if not words:
            raise TextError(f'--prompt is empty; give a few words, e.g. --prompt "{DEFAULT_PROMPT}"')
        if len(words) > self.n_ctx:
            raise TextError(f"--prompt has {len(words)} tokens; the network reads at most {self.n_ctx}")
        unknown = [w for w in dict.fromkeys(words) if w not in self.vocab.index]
        if unknown:
            same = "" if self.name == GRAMMAR else " and the same --corpus"
            raise TextError(
                f"--prompt has words the network never saw: {', '.join(unknown)}; "
                f"list the words it knows with: netreel info attention --vocab{same}"
            )
        return self.vocab.encode(words)


@functools.lru_cache(maxsize=4)
def grammar_corpus(seed: int = 0, n_ctx: int = 24, n_train: int = 6000, n_test: int = 600) -> Corpus:
    """Sequences of whole sentences from the grammar, each starting at a sentence's start (made once per process)."""
    rng = np.random.default_rng(seed)
    vocab = Vocab(tuple(grammar_words()))
    index = vocab.index

    def sequences(n: int) -> tuple[np.ndarray, np.ndarray]:
        ids = np.zeros((n, n_ctx + 1), dtype=np.int64)
        probs = np.zeros((n, n_ctx + 1))
        for row in range(n):
            stream: list[tuple[str, float]] = []
            while len(stream) < n_ctx + 1:
                stream += sentence(rng)
            ids[row] = [index[w] for w, _ in stream[: n_ctx + 1]]
            probs[row] = [p for _, p in stream[: n_ctx + 1]]
        return ids, probs

    train, _ = sequences(n_train)
    test, test_probs = sequences(n_test)
    valid, _ = sequences(n_test)
    floor = float(-np.log(test_probs[:, 1:]).mean())
    return Corpus(GRAMMAR, vocab, train, valid, test, floor)


def read_text(path: str | Path) -> str:
    """A user's corpus file as text, or a TextError that says what is wrong with it."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if not file.is_file():
            raise TextError(f"--corpus {file} is not a file")
        if size > MAX_CORPUS_BYTES:
            raise TextError(
                f"--corpus {file} is {size / 1e6:.1f} MB; the tiny network trains on at most "
                f"{MAX_CORPUS_BYTES / 1e6:.0f} MB of text in reasonable time: use a shorter excerpt"
            )
        raw = file.read_bytes()
    except OSError as err:
        raise TextError(f"cannot read --corpus {file}: {err.strerror or err}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise TextError(f"--corpus {file} is not UTF-8 text (byte {err.start} cannot be decoded); save it as UTF-8") from None
    if not text.strip():
        raise TextError(f"--corpus {file} is empty")
    if "\0" in text:
        raise TextError(f"--corpus {file} holds NUL bytes (at character {text.index(chr(0)):,}): it is not plain text")
    return text


def text_corpus(path: str | Path, n_ctx: int = 24, held_out: float = 0.1) -> Corpus:
    """A user's UTF-8 text: its most frequent words; windows of the first 80 % to train, the next 10 % to
    validate, the last 10 % held out."""
    file = Path(path)
    words = tokenize(read_text(file))
    if len(words) < MIN_CORPUS_WORDS:
        raise TextError(f"--corpus {file} has {len(words):,} words; the network needs at least {MIN_CORPUS_WORDS:,} to learn from")
    counts: dict[str, int] = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    if len(counts) < MIN_DISTINCT_WORDS:
        raise TextError(
            f"--corpus {file} has {len(counts)} different words; the chapters rank the network's next words "
            f"among at least {MIN_DISTINCT_WORDS}"
        )
    ranked = sorted(counts, key=lambda w: (-counts[w], w))
    kept = ranked if len(ranked) <= MAX_VOCAB else ranked[: MAX_VOCAB - 1] + [UNKNOWN]
    vocab = Vocab(tuple(kept))
    ids = np.array(vocab.encode(words), dtype=np.int64)
    a, b = int(len(ids) * (1 - 2 * held_out)), int(len(ids) * (1 - held_out))
    return Corpus(file.name, vocab, _windows(ids[:a], n_ctx), _windows(ids[a:b], n_ctx), _windows(ids[b:], n_ctx), None)


def _windows(ids: np.ndarray, n_ctx: int) -> np.ndarray:
    """Every window of n_ctx + 1 tokens, starting every n_ctx // 2 tokens (at least one window)."""
    if len(ids) < n_ctx + 1:
        ids = np.resize(ids, n_ctx + 1)
    starts = range(0, len(ids) - n_ctx, max(1, n_ctx // 2))
    return np.stack([ids[s : s + n_ctx + 1] for s in starts])


def load(corpus: str | None, seed: int = 0) -> Corpus:
    """The generated grammar corpus (``corpus`` None) or the user's file."""
    return grammar_corpus(seed) if corpus is None else text_corpus(corpus)

