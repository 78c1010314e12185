"""Chapter 8's Architecture scene: its channel parts, output sizes, shapes and parameter counts, checked against
torch and the trained network directly, not through the facts module's own routes."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from netreel.nets.config import NetConfig
from netreel.nets.facts import cnn as cnn_facts


def test_output_sizes_are_the_shapes_conv2d_returns(chapter_facts):
    facts, _ = chapter_facts("cnn")
    a = facts.arrays
    n, k = int(a["shape.side"]), int(a["shape.kernel"])
    image, kernel = torch.rand(1, 1, n, n), torch.rand(1, 1, k, k)
    for pad, stride, out in zip(a["size.padding"], a["size.stride"], a["size.out"]):
        assert F.conv2d(image, kernel, stride=int(stride), padding=int(pad)).shape[-2:] == (int(out), int(out))
    assert list(zip(a["size.padding"], a["size.stride"])) == [(0, 1), (0, 2), (1, 1)], "own setting, stride 2, padding 1"
    assert a["size.out"][0] == a["shape.conv1"], "the network's own setting gives its real first maps"


def test_channel_parts_add_up_to_the_recorded_cell(chapter_facts):
    """Each part by conv2d on one channel alone (the other channels zeroed); their sum plus the bias is the
    network's own recorded cell."""
    facts, _ = chapter_facts("cnn")
    a = facts.arrays
    o = int(a["focus.conv2"])
    r, c = (int(v) for v in a["channels.cell"])
    pooled = torch.from_numpy(a["hook_pool"]).double()[None]  # [1, c1, p, p]
    weight = torch.from_numpy(a["conv2.weight"]).double()[o : o + 1]  # [1, c1, k, k]
    for ch in range(pooled.shape[1]):
        alone = torch.zeros_like(pooled)
        alone[:, ch] = pooled[:, ch]
        part = F.conv2d(alone, weight, padding=weight.shape[-1] // 2)[0, 0, r, c]
        assert abs(float(part) - float(a["channels.partial"][ch])) < 1e-5
    total = a["channels.partial"].sum() + a["conv2.bias"][o]
    assert abs(total - a["conv2.hook_z"][o, r, c]) < 1e-5
    assert (a["channels.partial"] > 0).any() and (a["channels.partial"] < 0).any(), "the narration: some of each sign"


def test_shapes_and_parameters_are_the_trained_networks(chapter_facts):
    net = cnn_facts.trained(NetConfig().defaulting_to(cnn_facts.DATASET))  # what chapter_facts("cnn") builds on
    facts = chapter_facts("cnn")[0].arrays
    x = torch.zeros(1, net.model.config.side**2)
    _, cache = net.model.run_with_cache(x)
    for row, hook in zip(facts["arch.shapes"], ("hook_input", "conv1.hook_a", "hook_pool", "conv2.hook_a")):
        assert tuple(int(v) for v in row) == tuple(cache[hook].shape[1:])
    assert tuple(int(v) for v in facts["arch.flat"]) == (cache["conv2.hook_a"][0].numel(), cache["hook_logits"].shape[1])
    layers = (net.model.conv1, net.model.conv2, net.model.head)
    assert [int(v) for v in facts["arch.params"]] == [sum(p.numel() for p in layer.parameters()) for layer in layers]
    assert facts["arch.params"].sum() == net.model.n_params() == facts["params.total"]
    assert np.argmax(facts["arch.params"]) == 2, "the narration: the dense layer has the most"
