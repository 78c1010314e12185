"""Chapter 8's translation facts: the shift by hand, the maps shifting with the digit, pooling only partly invariant."""

from __future__ import annotations

import numpy as np
import torch

from netreel.nets.facts import cnn as cnn_facts


def test_shift_moves_cells_and_fills_zeros():
    a = torch.arange(1.0, 10.0).reshape(3, 3)
    moved = cnn_facts.shift(a, 1, 2)
    assert moved.tolist() == [[0, 0, 0], [0, 0, 1], [0, 0, 4]]
    assert torch.equal(cnn_facts.shift(a, 0, 0), a)
    np.testing.assert_array_equal(cnn_facts.shifted_by_index(a.numpy(), 1, 2), moved.numpy())
    stacked = torch.stack([a, -a])  # leading axes ride along
    assert torch.equal(cnn_facts.shift(stacked, 1, 0)[1], cnn_facts.shift(-a, 1, 0))


def test_equivariance_facts_match_reference(chapter_facts):
    facts, reference = chapter_facts("cnn")
    for key in cnn_facts.KEYS:
        if key.startswith("equivariance."):
            np.testing.assert_allclose(facts[key], reference[key], rtol=1e-5, atol=1e-6, err_msg=key)


def test_maps_shift_with_the_digit_and_pooling_does_not_stay_put(chapter_facts):
    facts, _ = chapter_facts("cnn")
    down, right = facts["equivariance.shift"].astype(int)
    s = int(facts["shape.window"])
    assert (down % s, right % s) != (0, 0), "the first shift is not a whole pooling window"
    image = facts["hook_input"][0]
    assert np.array_equal(facts["equivariance.image"], cnn_facts.shifted_by_index(image, down, right))
    before, after = facts["conv1.hook_a"], facts["equivariance.maps"]
    m = before.shape[-1]
    inside = np.abs(after[:, down:, right:] - before[:, : m - down, : m - right]).max()
    np.testing.assert_allclose(inside, facts["equivariance.error"], atol=1e-7)
    assert facts["equivariance.relative"] < 1e-6
    assert np.abs(after - before).max() > 0.1  # the maps did move: the match is not two equal maps
    change = np.abs(facts["equivariance.pooled"] - facts["hook_pool"])
    np.testing.assert_allclose(change.max(), facts["equivariance.pool_change"], rtol=1e-6)
    assert facts["equivariance.pool_change"] > 0.1 * facts["equivariance.range"]
    assert 0 < facts["equivariance.pool_changed"] <= facts["equivariance.pool_cells"] == change.size
    assert facts["equivariance.aligned_error"] < 1e-6 * facts["equivariance.range"]
    assert facts["equivariance.aligned_change"] > 0.1 * facts["equivariance.range"]
    assert facts["equivariance.prediction"][0] == facts["prediction"]
