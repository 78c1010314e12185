"""What attention heads do, measured on held-out text.

Two roles, each scored per head as an average attention weight:

adjective
    on the grammar corpus: how much of a noun's attention goes to its own
    adjective (the one in its sentence), averaged over every held-out noun.
previous
    on any text: how much of each token's attention goes to the token just
    before it, averaged over every held-out position after the first.

The chapters highlight the head with the highest score of the corpus' role:
the adjective role on the grammar, the previous-token role on a user's text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from netreel.nets.corpus import END, GRAMMAR, Corpus, part_of_speech
from netreel.nets.gpt import GPT

ADJECTIVE = "adjective"
PREVIOUS = "previous"


def noun_adjective_pairs(words: list[str]) -> list[tuple[int, int]]:
    """(noun position, position of its own adjective) for every noun whose sentence gave it one."""
    pairs, adjective = [], None
    for i, word in enumerate(words):
        role = part_of_speech(word)
        if word == END:
            adjective = None
        elif role == "adjective":
            adjective = i
        elif role == "noun" and adjective is not None:
            pairs.append((i, adjective))
    return pairs


def adjective_scores(patterns: np.ndarray, words: list[list[str]]) -> tuple[np.ndarray, int]:
    """Per head, the mean attention a noun pays its own adjective; and how many nouns were scored.

    ``patterns`` is [layer, sequence, head, query, key]; ``words`` the sequences' words.
    """
    weights = [patterns[:, b, :, noun, adjective] for b, seq in enumerate(words) for noun, adjective in noun_adjective_pairs(seq)]
    return np.mean(weights, axis=0), len(weights)  # [layer, head]


def previous_scores(patterns: np.ndarray) -> np.ndarray:
    """Per head, the mean attention each token (after the first) pays the token just before it."""
    return np.diagonal(patterns, offset=-1, axis1=-2, axis2=-1).mean(axis=(1, 3))  # [layer, head]


@dataclass
class Role:
    """The head whose role is strongest, with every head's score."""

    kind: str  # ADJECTIVE or PREVIOUS
    scores: np.ndarray  # [layer, head]
    previous: np.ndarray  # [layer, head]: the previous-token score, on any corpus
    count: int  # how many held-out cases the score averages over

    @property
    def layer(self) -> int:
        return int(np.unravel_index(np.argmax(self.scores), self.scores.shape)[0])

    @property
    def head(self) -> int:
        return int(np.unravel_index(np.argmax(self.scores), self.scores.shape)[1])

    @property
    def score(self) -> float:
        return float(self.scores.max())


@torch.no_grad()
def measure(model: GPT, corpus: Corpus) -> Role:
    """Run the held-out sequences and score every head's role."""
    tokens = torch.from_numpy(corpus.test[:, :-1])  # [n, n_ctx]
    _, cache = model.run_with_cache(tokens)
    patterns = np.stack([cache[f"blocks.{l}.attn.hook_pattern"].double().numpy() for l in range(model.cfg.n_layers)])
    previous = previous_scores(patterns)  # [layer, head]
    if corpus.name == GRAMMAR:
        scores, count = adjective_scores(patterns, [corpus.vocab.decode(row) for row in tokens])
        return Role(ADJECTIVE, scores, previous, count)
    return Role(PREVIOUS, previous, previous, tokens.shape[0] * (tokens.shape[1] - 1))
