"""Analogies in an embedding: a : b :: c : ? answered by the word nearest to E_c + E_b − E_a.

The grammar corpus gives each adjective, verb and place a kind (furry, scaly, …). Whether the
embeddings learned the kind as a direction is asked of every analogy inside one part of the
grammar: a and c share a kind, b has another, and the answer is right when the word nearest
to E_c + (E_b − E_a) is of b's kind and part. The step from a to b is learned from that one
pair; c is a different word, so every analogy tests the direction on a word it was not taken from.
"""

from __future__ import annotations

import itertools

import numpy as np
import torch


def questions(parts: list[list[list[int]]]) -> np.ndarray:
    """Every analogy of ``parts`` (per part of the grammar, its kinds' token ids), as rows
    (a, b, c, index of b's group among all groups): a and c of one kind, a ≠ c, b of another kind."""
    rows, group = [], 0
    for kinds in parts:
        first = group
        for k, own in enumerate(kinds):
            for a, c in itertools.permutations(own, 2):
                for other, words in enumerate(kinds):
                    if other != k:
                        rows.extend((a, b, c, first + other) for b in words)
        group += len(kinds)
    return np.array(rows, dtype=np.int64).reshape(-1, 4)


def answer(embeddings: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row (a, b, c, …): the token nearest by cosine to E_c + E_b − E_a, a, b and c left out,
    and that cosine. [n], [n]."""
    e = torch.from_numpy(np.asarray(embeddings, dtype=np.float64))
    a, b, c = (torch.from_numpy(rows[:, i]) for i in range(3))
    target = e[c] + e[b] - e[a]  # [n, d]
    cos = torch.nn.functional.normalize(target, dim=1) @ torch.nn.functional.normalize(e, dim=1).T  # [n, vocab]
    for column in (a, b, c):
        cos[torch.arange(len(rows)), column] = -torch.inf
    best = cos.argmax(dim=1)
    return best.numpy(), cos.gather(1, best[:, None])[:, 0].numpy()
