"""A tiny decoder-only transformer (GPT), in the style of nanoGPT and TransformerLens.

Token embedding W_E and positional embedding W_pos start the residual stream;
each of the L blocks adds what its attention and its MLP compute; the
unembedding W_U turns the last vector into logits over the vocabulary.

There is no LayerNorm and attention has no biases, so what the chapters show
is the whole computation: q = x W_Q, k = x W_K, v = x W_V, pattern =
softmax(q kᵀ / √d_head + mask), and each head writes pattern · v · W_O into
the stream. Per-head weights follow TransformerLens: W_Q, W_K, W_V are
``[n_heads, d_model, d_head]``, W_O is ``[n_heads, d_head, d_model]``.

Examples
--------
>>> import torch
>>> model = GPT(GPTConfig(n_vocab=10, n_ctx=6))
>>> logits, cache = model.run_with_cache(torch.tensor([[1, 2, 3]]))
>>> tuple(cache["blocks.0.attn.hook_pattern"].shape)
(1, 4, 3, 3)
>>> model.blocks[0].attn.OV.AB.shape
torch.Size([4, 32, 32])
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from netreel.nets import store
from netreel.nets.corpus import Corpus
from netreel.nets.hooks import HookedModule, HookPoint


@dataclass(frozen=True)
class GPTConfig:
    """Everything that decides the trained weights (hashed by the store)."""

    n_vocab: int
    n_ctx: int = 24
    d_model: int = 32
    n_heads: int = 4
    d_head: int = 8
    d_mlp: int = 128
    n_layers: int = 2
    seed: int = 0
    steps: int = 1500
    batch_size: int = 32
    lr: float = 1e-2
    weight_decay: float = 0.01

    def to_dict(self) -> dict:
        return {"model": "gpt", **asdict(self)}


class FactoredMatrix:
    """A product A @ B kept as its factors (TransformerLens' FactoredMatrix, the parts used here).

    ``A`` is ``[..., m, r]`` and ``B`` ``[..., r, n]``; the product has rank at most r.
    """

    def __init__(self, A: torch.Tensor, B: torch.Tensor) -> None:
        self.A = A  # [..., m, r]
        self.B = B  # [..., r, n]

    @property
    def AB(self) -> torch.Tensor:
        return self.A @ self.B  # [..., m, n]

    def svd(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """U, S, Vh of the full product (singular values largest first)."""
        return torch.linalg.svd(self.AB)


class Attention(HookedModule):
    """Causal multi-head self-attention without biases (with ``causal`` False, every position reads every other)."""

    causal = True

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.cfg = cfg
        shape = (cfg.n_heads, cfg.d_model, cfg.d_head)
        self.W_Q = nn.Parameter(torch.zeros(shape))  # [head, d_model, d_head]
        self.W_K = nn.Parameter(torch.zeros(shape))  # [head, d_model, d_head]
        self.W_V = nn.Parameter(torch.zeros(shape))  # [head, d_model, d_head]
        self.W_O = nn.Parameter(torch.zeros(cfg.n_heads, cfg.d_head, cfg.d_model))  # [head, d_head, d_model]
        self.hook_q = HookPoint()
        self.hook_k = HookPoint()
        self.hook_v = HookPoint()
        self.hook_attn_scores = HookPoint()
        self.hook_pattern = HookPoint()
        self.hook_z = HookPoint()
        self.hook_result = HookPoint()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n = x.shape[1]
        q = self.hook_q(torch.einsum("bpd,hde->bphe", x, self.W_Q))  # [batch, pos, head, d_head]
        k = self.hook_k(torch.einsum("bpd,hde->bphe", x, self.W_K))  # [batch, pos, head, d_head]
        v = self.hook_v(torch.einsum("bpd,hde->bphe", x, self.W_V))  # [batch, pos, head, d_head]
        scores = torch.einsum("bqhe,bkhe->bhqk", q, k) / math.sqrt(self.cfg.d_head)  # [batch, head, q, k]
        if self.causal:
            future = torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)  # [q, k]
            scores = scores.masked_fill(future, float("-inf"))
        scores = self.hook_attn_scores(scores)  # [batch, head, q, k]
        pattern = self.hook_pattern(scores.softmax(dim=-1))  # [batch, head, q, k]
        z = self.hook_z(torch.einsum("bhqk,bkhe->bqhe", pattern, v))  # [batch, pos, head, d_head]
        result = self.hook_result(torch.einsum("bqhe,hed->bqhd", z, self.W_O))  # [batch, pos, head, d_model]
        return result.sum(dim=2)  # [batch, pos, d_model]

    @property
    def OV(self) -> FactoredMatrix:
        """W_V W_O per head: [head, d_model, d_model], rank at most d_head."""
        return FactoredMatrix(self.W_V, self.W_O)

    @property
    def QK(self) -> FactoredMatrix:
        """W_Q W_Kᵀ per head: [head, d_model, d_model]; score = x_q W_QK x_kᵀ / √d_head."""
        return FactoredMatrix(self.W_Q, self.W_K.transpose(-2, -1))


class MLP(HookedModule):
    """Up-projection to d_mlp, ReLU, down-projection back to d_model."""

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.W_in = nn.Parameter(torch.zeros(cfg.d_model, cfg.d_mlp))  # [d_model, d_mlp]
        self.b_in = nn.Parameter(torch.zeros(cfg.d_mlp))  # [d_mlp]
        self.W_out = nn.Parameter(torch.zeros(cfg.d_mlp, cfg.d_model))  # [d_mlp, d_model]
        self.b_out = nn.Parameter(torch.zeros(cfg.d_model))  # [d_model]
        self.hook_pre = HookPoint()
        self.hook_post = HookPoint()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pre = self.hook_pre(x @ self.W_in + self.b_in)  # [batch, pos, d_mlp]
        post = self.hook_post(F.relu(pre))  # [batch, pos, d_mlp]
        return post @ self.W_out + self.b_out  # [batch, pos, d_model]


class Block(HookedModule):
    """resid_mid = resid_pre + attn(resid_pre); resid_post = resid_mid + mlp(resid_mid)."""

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.attn = Attention(cfg)
        self.mlp = MLP(cfg)
        self.hook_resid_pre = HookPoint()
        self.hook_attn_out = HookPoint()
        self.hook_resid_mid = HookPoint()
        self.hook_mlp_out = HookPoint()
        self.hook_resid_post = HookPoint()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        resid_pre = self.hook_resid_pre(x)  # [batch, pos, d_model]
        resid_mid = self.hook_resid_mid(resid_pre + self.hook_attn_out(self.attn(resid_pre)))  # [batch, pos, d_model]
        return self.hook_resid_post(resid_mid + self.hook_mlp_out(self.mlp(resid_mid)))  # [batch, pos, d_model]


class GPT(HookedModule):
    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.W_E = nn.Parameter(torch.zeros(cfg.n_vocab, cfg.d_model))  # [vocab, d_model]: a row per word
        self.W_pos = nn.Parameter(torch.zeros(cfg.n_ctx, cfg.d_model))  # [n_ctx, d_model]
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.W_U = nn.Parameter(torch.zeros(cfg.d_model, cfg.n_vocab))  # [d_model, vocab]
        self.hook_embed = HookPoint()
        self.hook_pos_embed = HookPoint()
        self.setup_hooks()

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        n = tokens.shape[1]
        pos = self.W_pos[:n].expand(tokens.shape[0], n, -1)  # [batch, pos, d_model]
        x = self.hook_embed(self.W_E[tokens]) + self.hook_pos_embed(pos)  # [batch, pos, d_model]
        for block in self.blocks:
            x = block(x)  # [batch, pos, d_model]
        return x @ self.W_U  # [batch, pos, vocab]

    def init_weights(self, generator: torch.Generator) -> None:
        """Gaussian weights scaled by 1/sqrt(fan_in) (embeddings at 1/sqrt(d_model)), zero biases: seeded."""
        with torch.no_grad():
            for name, p in self.named_parameters():
                if name.split(".")[-1].startswith("b_"):
                    p.zero_()
                    continue
                fan_in = p.shape[-2] if name.split(".")[-1] in ("W_Q", "W_K", "W_V", "W_O", "W_in", "W_out", "W_U") else p.shape[-1]
                p.copy_(torch.randn(p.shape, generator=generator) / math.sqrt(fan_in))

    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())


def loss_fn(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy in nats per predicted token."""
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


@torch.no_grad()
def evaluate(model: GPT, sequences: np.ndarray) -> float:
    """Held-out loss: mean cross-entropy of every next token of ``sequences`` [n, n_ctx + 1]."""
    ids = torch.from_numpy(sequences)  # [n, n_ctx + 1]
    return float(loss_fn(model(ids[:, :-1]), ids[:, 1:]))


@dataclass
class History:
    """Training, validation and held-out loss every ``every`` steps (step 0 = untrained), and the step kept."""

    every: int
    steps: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    valid_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    best_step: int = 0

    @property
    def kept_test_loss(self) -> float:
        """The held-out loss of the weights training kept."""
        return self.test_loss[self.steps.index(self.best_step)]


def train(cfg: GPTConfig, corpus: Corpus, every: int = 100) -> tuple[GPT, History]:
    """Seeded AdamW on random minibatches of the training sequences, cosine learning-rate decay.

    Every ``every`` steps it measures the validation loss and keeps the weights where that
    was lowest (on a small text the network soon memorises instead of generalising).
    """
    generator = torch.Generator().manual_seed(cfg.seed)
    model = GPT(cfg)
    model.init_weights(generator)
    data = torch.from_numpy(corpus.train)  # [n_train, n_ctx + 1]
    optimiser = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: 0.5 * (1 + math.cos(math.pi * s / cfg.steps)))
    history = History(every)
    best = (math.inf, {})
    for step in range(cfg.steps + 1):
        if step % every == 0 or step == cfg.steps:
            history.steps.append(step)
            history.valid_loss.append(evaluate(model, corpus.valid))
            history.test_loss.append(evaluate(model, corpus.test))
            if history.valid_loss[-1] < best[0]:
                best = (history.valid_loss[-1], {k: v.detach().clone() for k, v in model.state_dict().items()})
                history.best_step = step
        if step == cfg.steps:
            break
        batch = data[torch.randint(len(data), (cfg.batch_size,), generator=generator)]  # [batch, n_ctx + 1]
        loss = loss_fn(model(batch[:, :-1]), batch[:, 1:])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        if step % every == 0:
            history.train_loss.append(loss.item())
    model.load_state_dict(best[1])
    return model, history


TrainedGPT = store.Trained[GPT, History]


def load_or_train(cfg: GPTConfig, corpus: Corpus) -> TrainedGPT:
    """The trained transformer for ``cfg`` on ``corpus``, from the cache when present."""

    def trained() -> tuple[list[store.StateDict], dict]:
        model, history = train(cfg, corpus)
        return [model.state_dict()], {"history": asdict(history), "test_loss": history.kept_test_loss}

    config = {**cfg.to_dict(), "corpus": corpus.digest()}
    return store.load_or_train("gpt", config, lambda: GPT(cfg), trained, lambda record: History(**record["history"]))
