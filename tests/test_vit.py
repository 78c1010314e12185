"""The digit vision transformer against plain torch, its patches by hand, its attention unmasked (and the GPT's
still causal), seeds, the store; Chapter 8's ViT facts: one patch's attention on two digits, recomputed."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from netreel.nets import cnn, data, gpt, vit
from netreel.nets.facts import cnn as cnn_facts
from netreel.nets.facts import vit as vit_facts


def tiny_config(**kw) -> vit.ViTConfig:
    return vit.ViTConfig(**{"d_model": 8, "n_heads": 2, "d_head": 4, "d_mlp": 16, "epochs": 1, **kw})


def seeded_model(seed: int = 2) -> vit.ViT:
    model = vit.ViT(tiny_config())
    model.init_weights(torch.Generator().manual_seed(seed))
    with torch.no_grad():  # biases and LayerNorm gains away from their initial 0 and 1, so a wrong use shows
        g = torch.Generator().manual_seed(seed + 1)
        for name, p in model.named_parameters():
            if name.endswith(("bias", "b_in", "b_out")) or ".ln" in name or name.startswith("ln_"):
                p.add_(0.3 * torch.randn(p.shape, generator=g))
    return model.double()


def test_patches_are_two_by_two_squares_read_row_by_row():
    image = torch.arange(64.0).reshape(1, 64)
    tokens = vit.patches(image, 8, 2)
    assert tokens.shape == (1, 16, 4)
    assert tokens[0, 0].tolist() == [0, 1, 8, 9]
    assert tokens[0, 1].tolist() == [2, 3, 10, 11]
    assert tokens[0, 4].tolist() == [16, 17, 24, 25]
    assert tokens[0, 15].tolist() == [54, 55, 62, 63]


def test_forward_matches_plain_torch():
    model = seeded_model()
    x = torch.rand(3, 64, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    logits, cache = model.run_with_cache(x)
    w = {k: v.detach() for k, v in model.state_dict().items()}
    tokens = torch.stack([x.reshape(3, 8, 8)[:, 2 * r : 2 * r + 2, 2 * c : 2 * c + 2].reshape(3, 4)
                          for r in range(4) for c in range(4)], dim=1)  # [3, 16, 4]
    h = tokens @ w["embed.weight"].T + w["embed.bias"] + w["W_pos"]
    for n in range(2):
        b = f"blocks.{n}."
        y = F.layer_norm(h, (8,), w[b + "ln1.weight"], w[b + "ln1.bias"])
        q, k, v = (torch.einsum("btd,hde->bhte", y, w[b + f"attn.{m}"]) for m in ("W_Q", "W_K", "W_V"))
        pattern = torch.softmax(q @ k.transpose(-1, -2) / 2.0, dim=-1)  # sqrt(d_head) = 2
        torch.testing.assert_close(cache[b + "attn.hook_pattern"], pattern)
        h = h + torch.einsum("bhte,hed->btd", pattern @ v, w[b + "attn.W_O"])
        y = F.layer_norm(h, (8,), w[b + "ln2.weight"], w[b + "ln2.bias"])
        h = h + F.relu(y @ w[b + "mlp.W_in"] + w[b + "mlp.b_in"]) @ w[b + "mlp.W_out"] + w[b + "mlp.b_out"]
    pooled = F.layer_norm(h.mean(dim=1), (8,), w["ln_final.weight"], w["ln_final.bias"])
    torch.testing.assert_close(logits, pooled @ w["head.weight"].T + w["head.bias"])
    torch.testing.assert_close(cache["hook_probs"], torch.softmax(logits, dim=1))


def test_numpy_forward_matches_the_model():
    """The facts' reference route (plain numpy) against the model's forward."""
    model = seeded_model(5)
    x = torch.rand(4, 64, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    logits, cache = model.run_with_cache(x)
    w = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    by_hand, patterns = vit_facts.forward_by_hand(w, x.numpy().reshape(4, 8, 8), 2)
    np.testing.assert_allclose(by_hand, logits.numpy(), rtol=1e-10, atol=1e-12)
    for n in range(2):
        expected = cache[f"blocks.{n}.attn.hook_pattern"].numpy()
        np.testing.assert_allclose(patterns[:, n], expected, rtol=1e-10, atol=1e-12)


def test_every_patch_reads_every_patch_and_the_gpt_stays_causal():
    model = seeded_model()
    _, cache = model.run_with_cache(torch.rand(2, 64, dtype=torch.float64))
    pattern = cache["blocks.0.attn.hook_pattern"]  # [2, head, 16, 16]
    assert (pattern > 0).all()
    torch.testing.assert_close(pattern.sum(dim=-1), torch.ones(2, 2, 16, dtype=torch.float64))
    lm = gpt.GPT(gpt.GPTConfig(n_vocab=5, n_ctx=4))
    lm.init_weights(torch.Generator().manual_seed(0))
    _, lm_cache = lm.run_with_cache(torch.tensor([[0, 1, 2, 3]]))
    above = torch.triu(torch.ones(4, 4, dtype=torch.bool), diagonal=1)
    assert (lm_cache["blocks.0.attn.hook_pattern"][..., above] == 0).all()


def test_same_seed_bit_identical_weights():
    digits = data.load_sklearn_digits()
    first, history = vit.train(tiny_config(), digits)
    second, again = vit.train(tiny_config(), digits)
    other, _ = vit.train(tiny_config(seed=1), digits)
    for (name, a), b, c in zip(first.state_dict().items(), second.state_dict().values(), other.state_dict().values()):
        assert torch.equal(a, b), name
        assert not torch.equal(a, c), name
    assert history == again and len(history.test_accuracy) == 2


def test_train_refuses_images_of_another_size():
    with pytest.raises(ValueError, match="28x28"):
        vit.train(vit.ViTConfig(side=28, patch=7), data.load_sklearn_digits())


def test_store_reuses_the_trained_vit(tmp_path, monkeypatch):
    monkeypatch.setenv("NETREEL_CACHE", str(tmp_path))
    digits = data.load_sklearn_digits()
    first = vit.load_or_train(tiny_config(), digits)
    again = vit.load_or_train(tiny_config(), digits)
    assert again.record["train_seconds"] == first.record["train_seconds"]
    assert list(tmp_path.glob("vit-*.safetensors"))
    for a, b in zip(first.model.state_dict().values(), again.model.state_dict().values()):
        assert torch.equal(a, b)


@pytest.mark.render
def test_digits_vit_reaches_97_percent():
    digits = data.load_sklearn_digits()
    net = vit.load_or_train(vit.ViTConfig.for_data(digits), digits)
    assert net.history.test_accuracy[-1] >= 0.97
    assert cnn.evaluate(net.model, digits.x_test, digits.y_test)[1] == pytest.approx(net.history.test_accuracy[-1])
    assert net.history.train_loss[-1] < net.history.train_loss[0] / 20


def test_total_variation_by_hand():
    a = np.array([[0.5, 0.5], [0.0, 0.0]])
    rows = np.stack([a, np.array([[0.0, 0.5], [0.5, 0.0]]), np.array([[0.0, 0.0], [0.0, 1.0]])])
    np.testing.assert_allclose(vit_facts.total_variation(a, rows), [0.0, 0.5, 1.0])


def test_pick_other_skips_same_labels_and_mistakes():
    labels = np.array([3, 3, 1, 2, 5])
    predictions = np.array([3, 3, 7, 2, 5])
    assert vit_facts.pick_other(0, predictions, labels) == 3
    assert vit_facts.pick_other(4, predictions, labels) == 0


@pytest.fixture(scope="module")
def facts(chapter_facts):
    return chapter_facts("cnn")


def test_vit_facts_match_reference(facts):
    built, reference = facts
    for key in vit_facts.KEYS:
        np.testing.assert_allclose(built[key], reference[key], rtol=1e-5, atol=1e-6, err_msg=key)


def test_the_drawn_rows_are_the_focus_patchs_attention_and_depend_on_the_digit(facts):
    built, _ = facts
    g, q = int(built["vit.grid"]), int(built["vit.patch"])
    centre = built["reach.centre"].astype(int)
    fr, fc = built["vit.focus"].astype(int)
    assert (fr * q <= centre[0] < (fr + 1) * q) and (fc * q <= centre[1] < (fc + 1) * q)
    layer, head = built["vit.shown"].astype(int)
    row = built["vit.pattern"][layer, head, fr * g + fc].reshape(g, g)
    np.testing.assert_allclose(built["vit.row"], row, rtol=1e-6)
    for key in ("vit.row", "vit.other.row"):
        assert built[key].sum() == pytest.approx(1.0, abs=1e-5) and (built[key] > 0).all()
    assert built["vit.other.label"] != built["digit.label"]
    assert built["vit.other.prediction"] == built["vit.other.label"]
    by_hand = 0.5 * np.abs(built["vit.row"] - built["vit.other.row"]).sum()
    np.testing.assert_allclose(built["vit.tv"], by_hand, rtol=1e-6)
    assert built["vit.tv"] > 0.2 and built["vit.tv_mean"] > 0.2  # content-dependent, not one fixed pattern
    assert built["vit.row"].max() > 4 / (g * g)  # not spread evenly over the patches


def test_the_three_networks_are_compared_on_the_same_digits(facts):
    built, _ = facts
    n = int(built["data.n_test"])
    for net in ("mlp", "cnn", "vit"):
        assert built[f"errors.{net}"] == pytest.approx(round((1 - float(built[f"test_accuracy.{net}"])) * n))
    assert built["params.vit"] > built["params.total"]
    assert built["data.n_train"] + n == 1797
    assert cnn_facts.KEYS.count("params.vit") == 1
