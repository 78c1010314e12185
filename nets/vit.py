"""A tiny vision transformer on the digits: patches as tokens, attention over all of them.

Dosovitskiy et al. (2020), "An Image Is Worth 16x16 Words: Transformers for Image Recognition at Scale",
made small: the 8x8 digit is cut into 2x2 patches, 16 tokens of 4 pixels each, read row by row.
A linear map embeds each patch's pixels, a learned vector per position is added, and two pre-norm
blocks follow,

    x = x + attn(LN(x)),  x = x + mlp(LN(x)),

whose attention (Chapter 6's, without the causal mask) lets every patch read every other one.
The mean of the final tokens, normalised, goes through a linear head to ten logits.
Trained with AdamW on the cross-entropy, the same split as the CNN, seeded. Its sizes and AdamW settings
were picked among about a dozen tried by held-out accuracy, so that figure is a little optimistic; another
seed of the same settings scores about two points lower.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from netreel.nets import cnn, gpt, store
from netreel.nets.cnn import History
from netreel.nets.data import Digits
from netreel.nets.hooks import HookedModule, HookPoint


@dataclass(frozen=True)
class ViTConfig:
    """Everything that decides the trained weights (hashed by the store)."""

    side: int = 8  # input images are side x side
    patch: int = 2  # each token is a patch x patch square of pixels
    d_model: int = 32
    n_heads: int = 4
    d_head: int = 8
    d_mlp: int = 64
    n_layers: int = 2
    dataset: str = "digits"
    seed: int = 0
    epochs: int = 40
    lr: float = 3e-3  # AdamW, cosine-annealed to zero
    weight_decay: float = 0.3
    batch_size: int = 32

    @classmethod
    def for_data(cls, data: Digits, seed: int = 0) -> ViTConfig:
        """Patches of a quarter of the image's side: 16 tokens whatever the image size."""
        return cls(side=data.side, patch=data.side // 4, dataset=data.name, seed=seed)

    @property
    def grid(self) -> int:
        """Patches along each side."""
        return self.side // self.patch

    @property
    def n_patches(self) -> int:
        return self.grid**2

    def to_dict(self) -> dict:
        return {"model": "vit", **asdict(self)}


def patches(x: torch.Tensor, side: int, patch: int) -> torch.Tensor:
    """Images as rows of pixels [batch, side*side] to patches [batch, patch index, pixel in patch], both row by row."""
    g = side // patch
    return x.reshape(-1, g, patch, g, patch).permute(0, 1, 3, 2, 4).reshape(-1, g * g, patch * patch)


class FullAttention(gpt.Attention):
    """Multi-head self-attention with no mask: every token reads every token."""

    causal = False


class Block(HookedModule):
    """Pre-norm: resid_mid = resid_pre + attn(LN(resid_pre)); resid_post = resid_mid + mlp(LN(resid_mid))."""

    def __init__(self, cfg: ViTConfig) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.d_model)
        self.attn = FullAttention(cfg)
        self.ln2 = nn.LayerNorm(cfg.d_model)
        self.mlp = gpt.MLP(cfg)
        self.hook_resid_pre = HookPoint()
        self.hook_resid_mid = HookPoint()
        self.hook_resid_post = HookPoint()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        resid_pre = self.hook_resid_pre(x)  # [batch, patch, d_model]
        resid_mid = self.hook_resid_mid(resid_pre + self.attn(self.ln1(resid_pre)))  # [batch, patch, d_model]
        return self.hook_resid_post(resid_mid + self.mlp(self.ln2(resid_mid)))  # [batch, patch, d_model]


class ViT(HookedModule):
    def __init__(self, cfg: ViTConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Linear(cfg.patch**2, cfg.d_model)  # the same map for every patch
        self.W_pos = nn.Parameter(torch.zeros(cfg.n_patches, cfg.d_model))  # [patch index, d_model]
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.ln_final = nn.LayerNorm(cfg.d_model)
        self.head = nn.Linear(cfg.d_model, 10)
        self.hook_patches = HookPoint()
        self.hook_embed = HookPoint()
        self.hook_pooled = HookPoint()
        self.hook_logits = HookPoint()
        self.hook_probs = HookPoint()
        self.setup_hooks()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for images given as rows of pixels [batch, side*side]."""
        tokens = self.hook_patches(patches(x, self.cfg.side, self.cfg.patch))  # [batch, patch, patch pixels]
        h = self.hook_embed(self.embed(tokens)) + self.W_pos  # [batch, patch, d_model]
        for block in self.blocks:
            h = block(h)  # [batch, patch, d_model]
        pooled = self.hook_pooled(self.ln_final(h.mean(dim=1)))  # [batch, d_model]
        logits = self.hook_logits(self.head(pooled))  # [batch, 10]
        self.hook_probs(torch.softmax(logits, dim=1))  # [batch, 10]
        return logits

    def init_weights(self, generator: torch.Generator) -> None:
        """Gaussian weights scaled by 1/sqrt(fan_in), positions by 1/sqrt(d_model), zero biases,
        LayerNorm gains one: seeded."""
        with torch.no_grad():
            for name, p in self.named_parameters():
                leaf = name.split(".")[-1]
                parent = name.rsplit(".", 1)[0] if "." in name else ""
                if parent.endswith(("ln1", "ln2", "ln_final")):
                    p.fill_(1.0 if leaf == "weight" else 0.0)
                elif leaf in ("bias", "b_in", "b_out"):
                    p.zero_()
                else:
                    fan_in = p.shape[-2] if leaf in ("W_Q", "W_K", "W_V", "W_O", "W_in", "W_out") else p.shape[-1]
                    p.copy_(torch.randn(p.shape, generator=generator) / fan_in**0.5)

    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())


def train(cfg: ViTConfig, data: Digits) -> tuple[ViT, History]:
    """Seeded minibatch AdamW on the cross-entropy, the learning rate annealed to zero over the epochs."""
    return cnn.fit(
        cfg, data, lambda: ViT(cfg),
        lambda parameters: torch.optim.AdamW(parameters, lr=cfg.lr, weight_decay=cfg.weight_decay),
    )


TrainedViT = store.Trained[ViT, History]


def load_or_train(cfg: ViTConfig, data: Digits) -> TrainedViT:
    """The trained vision transformer for ``cfg`` on ``data``, from the cache when present."""
    return cnn.cached("vit", cfg, data, lambda: ViT(cfg), train)
