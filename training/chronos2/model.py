"""Chronos-2 in plain PyTorch, written for training our own small checkpoint.

Re-implemented from the design described in /work/shared/CHRONOS2.md (patch embedding, REG token, time attention
with RoPE, group attention across the rows of a task, T5-style RMS norms, quantile head). Module attribute names are
chosen so that ``state_dict()`` keys are exactly those of upstream ``Chronos2Model``; a checkpoint saved from here is
a valid Hugging Face Chronos-2 checkpoint for our TypeScript converter and for the Python pipeline.

Only torch and the standard library are used, and nothing newer than torch 1.13 (Debian's python3-torch), so
attention is written out by hand instead of calling ``scaled_dot_product_attention``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

# 0.1 .. 0.9 in steps of 0.05 between the outer levels: the 21-level grid of the released models.
DEFAULT_QUANTILES = [0.01, 0.05] + [round(0.1 + 0.05 * i, 2) for i in range(17)] + [0.95, 0.99]


@dataclass
class Chronos2Config:
    """The fields of a Chronos-2 ``config.json`` that shape the network."""

    d_model: int = 128
    d_kv: int = 32
    num_heads: int = 4
    d_ff: int = 512
    num_layers: int = 4
    layer_norm_epsilon: float = 1e-6
    rope_theta: float = 10000.0
    dense_act_fn: str = "relu"
    dropout_rate: float = 0.0
    initializer_factor: float = 0.05
    context_length: int = 512
    patch_size: int = 16
    max_output_patches: int = 4
    quantiles: List[float] = field(default_factory=lambda: list(DEFAULT_QUANTILES))
    time_encoding_scale: Optional[int] = None
    use_arcsinh: bool = True
    use_reg_token: bool = True

    @property
    def time_scale(self) -> float:
        return float(self.time_encoding_scale or self.context_length)

    def to_hf_dict(self, transformers_version: str = "4.54.1") -> Dict:
        """The Hugging Face ``config.json`` content (same keys as the released Chronos-2 configs)."""
        return {
            "architectures": ["Chronos2Model"],
            "chronos_config": {
                "context_length": self.context_length,
                "input_patch_size": self.patch_size,
                "input_patch_stride": self.patch_size,
                "max_output_patches": self.max_output_patches,
                "output_patch_size": self.patch_size,
                "quantiles": list(self.quantiles),
                "time_encoding_scale": int(self.time_scale),
                "use_arcsinh": self.use_arcsinh,
                "use_reg_token": self.use_reg_token,
            },
            "chronos_pipeline_class": "Chronos2Pipeline",
            "d_ff": self.d_ff,
            "d_kv": self.d_kv,
            "d_model": self.d_model,
            "dense_act_fn": self.dense_act_fn,
            "dropout_rate": self.dropout_rate,
            "feed_forward_proj": self.dense_act_fn,
            "initializer_factor": self.initializer_factor,
            "is_gated_act": False,
            "layer_norm_epsilon": self.layer_norm_epsilon,
            "model_type": "t5",
            "num_heads": self.num_heads,
            "num_layers": self.num_layers,
            "pad_token_id": 0,
            "reg_token_id": 1,
            "rope_theta": self.rope_theta,
            "torch_dtype": "float32",
            "transformers_version": transformers_version,
            "vocab_size": 2 if self.use_reg_token else 1,
        }

    @staticmethod
    def from_hf_dict(d: Dict) -> "Chronos2Config":
        cc = d["chronos_config"]
        return Chronos2Config(
            d_model=d["d_model"],
            d_kv=d["d_kv"],
            num_heads=d["num_heads"],
            d_ff=d["d_ff"],
            num_layers=d["num_layers"],
            layer_norm_epsilon=d.get("layer_norm_epsilon", 1e-6),
            rope_theta=d.get("rope_theta", 10000.0),
            dense_act_fn=d.get("dense_act_fn", "relu"),
            dropout_rate=d.get("dropout_rate", 0.0),
            initializer_factor=d.get("initializer_factor", 0.05),
            context_length=cc["context_length"],
            patch_size=cc["input_patch_size"],
            max_output_patches=cc.get("max_output_patches", 1),
            quantiles=list(cc["quantiles"]),
            time_encoding_scale=cc.get("time_encoding_scale"),
            use_arcsinh=cc.get("use_arcsinh", False),
            use_reg_token=cc.get("use_reg_token", False),
        )


_ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu, "silu": F.silu, "tanh": torch.tanh}


class RMSNorm(nn.Module):
    """T5 layer norm: scale by the root mean square, no centring, no bias."""

    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


class PatchResidualBlock(nn.Module):
    """Two-layer MLP with a linear skip path; used to embed patches and to decode quantiles."""

    def __init__(self, d_in: int, d_hidden: int, d_out: int, act: str):
        super().__init__()
        self.hidden_layer = nn.Linear(d_in, d_hidden)
        self.output_layer = nn.Linear(d_hidden, d_out)
        self.residual_layer = nn.Linear(d_in, d_out)
        self.act = _ACTIVATIONS[act]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.output_layer(self.act(self.hidden_layer(x))) + self.residual_layer(x)


class Attention(nn.Module):
    """Multi-head attention without biases and without 1/sqrt(d) scaling (T5 convention), optional RoPE."""

    def __init__(self, cfg: Chronos2Config):
        super().__init__()
        inner = cfg.num_heads * cfg.d_kv
        self.heads, self.d_head = cfg.num_heads, cfg.d_kv
        self.q = nn.Linear(cfg.d_model, inner, bias=False)
        self.k = nn.Linear(cfg.d_model, inner, bias=False)
        self.v = nn.Linear(cfg.d_model, inner, bias=False)
        self.o = nn.Linear(inner, cfg.d_model, bias=False)

    def forward(self, x: torch.Tensor, bias: torch.Tensor, rope: Optional[Tuple[torch.Tensor, torch.Tensor]]):
        # x: [A, L, D] (A independent sequences of length L); bias: additive, broadcastable to [A, H, L, L]
        a, l, _ = x.shape

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(a, l, self.heads, self.d_head).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        if rope is not None:
            cos, sin = rope
            q = q * cos + _rotate_half(q) * sin
            k = k * cos + _rotate_half(k) * sin
        scores = torch.matmul(q, k.transpose(-1, -2)) + bias
        weights = torch.softmax(scores.float(), dim=-1).to(v.dtype)
        out = torch.matmul(weights, v).transpose(1, 2).reshape(a, l, self.heads * self.d_head)
        return self.o(out)


def _rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


class TimeSelfAttention(nn.Module):
    def __init__(self, cfg: Chronos2Config):
        super().__init__()
        self.self_attention = Attention(cfg)
        self.layer_norm = RMSNorm(cfg.d_model, cfg.layer_norm_epsilon)

    def forward(self, h, bias, rope):
        return h + self.self_attention(self.layer_norm(h), bias, rope)


class GroupSelfAttention(nn.Module):
    """Attention across the rows of the batch at each position; the mask keeps it within a task."""

    def __init__(self, cfg: Chronos2Config):
        super().__init__()
        self.self_attention = Attention(cfg)
        self.layer_norm = RMSNorm(cfg.d_model, cfg.layer_norm_epsilon)

    def forward(self, h, bias):
        ht = h.transpose(0, 1)  # [S, B, D]: sequences are positions, tokens are rows
        ht = ht + self.self_attention(self.layer_norm(ht), bias, None)
        return ht.transpose(0, 1)


class MLP(nn.Module):
    def __init__(self, cfg: Chronos2Config):
        super().__init__()
        self.wi = nn.Linear(cfg.d_model, cfg.d_ff, bias=False)
        self.wo = nn.Linear(cfg.d_ff, cfg.d_model, bias=False)
        self.act = _ACTIVATIONS[cfg.dense_act_fn]

    def forward(self, x):
        return self.wo(self.act(self.wi(x)))


class FeedForward(nn.Module):
    def __init__(self, cfg: Chronos2Config):
        super().__init__()
        self.mlp = MLP(cfg)
        self.layer_norm = RMSNorm(cfg.d_model, cfg.layer_norm_epsilon)

    def forward(self, h):
        return h + self.mlp(self.layer_norm(h))


class EncoderBlock(nn.Module):
    def __init__(self, cfg: Chronos2Config):
        super().__init__()
        # indices 0/1/2 are part of the checkpoint names (encoder.block.N.layer.{0,1,2})
        self.layer = nn.ModuleList([TimeSelfAttention(cfg), GroupSelfAttention(cfg), FeedForward(cfg)])

    def forward(self, h, time_bias, group_bias, rope):
        h = self.layer[0](h, time_bias, rope)
        h = self.layer[1](h, group_bias)
        return self.layer[2](h)


class Encoder(nn.Module):
    def __init__(self, cfg: Chronos2Config):
        super().__init__()
        self.block = nn.ModuleList([EncoderBlock(cfg) for _ in range(cfg.num_layers)])
        self.final_layer_norm = RMSNorm(cfg.d_model, cfg.layer_norm_epsilon)


@dataclass
class ForwardOutput:
    quantile_preds: torch.Tensor  # [B, Q, n*P] in data units
    loc: torch.Tensor  # [B, 1]
    scale: torch.Tensor  # [B, 1]
    loss: Optional[torch.Tensor] = None


class Chronos2(nn.Module):
    """Chronos-2 encoder-only forecaster. ``forward`` mirrors ``Chronos2Model.forward``."""

    def __init__(self, cfg: Chronos2Config):
        super().__init__()
        self.cfg = cfg
        p = cfg.patch_size
        self.shared = nn.Embedding(2 if cfg.use_reg_token else 1, cfg.d_model)
        self.input_patch_embedding = PatchResidualBlock(3 * p, cfg.d_ff, cfg.d_model, cfg.dense_act_fn)
        self.encoder = Encoder(cfg)
        self.output_patch_embedding = PatchResidualBlock(cfg.d_model, cfg.d_ff, len(cfg.quantiles) * p, cfg.dense_act_fn)
        self.register_buffer("quantiles", torch.tensor(cfg.quantiles, dtype=torch.float32), persistent=False)
        inv_freq = 1.0 / (cfg.rope_theta ** (torch.arange(0, cfg.d_kv, 2).float() / cfg.d_kv))
        self.register_buffer("inv_freq", inv_freq, persistent=False)
        self.reset_parameters()

    # -- initialisation: Mesh-TensorFlow style, so no attention scaling is needed ------------------------------
    @torch.no_grad()
    def reset_parameters(self) -> None:
        f, c = self.cfg.initializer_factor, self.cfg
        nn.init.normal_(self.shared.weight, std=f)
        for m in self.modules():
            if isinstance(m, RMSNorm):
                m.weight.fill_(1.0)
            elif isinstance(m, MLP):
                nn.init.normal_(m.wi.weight, std=f * c.d_model ** -0.5)
                nn.init.normal_(m.wo.weight, std=f * c.d_ff ** -0.5)
            elif isinstance(m, Attention):
                nn.init.normal_(m.q.weight, std=f * (c.d_model * c.d_kv) ** -0.5)
                nn.init.normal_(m.k.weight, std=f * c.d_model ** -0.5)
                nn.init.normal_(m.v.weight, std=f * c.d_model ** -0.5)
                nn.init.normal_(m.o.weight, std=f * (c.num_heads * c.d_kv) ** -0.5)
            elif isinstance(m, PatchResidualBlock):
                for lin in (m.hidden_layer, m.residual_layer, m.output_layer):
                    nn.init.normal_(lin.weight, std=f * lin.weight.shape[1] ** -0.5)
                    nn.init.zeros_(lin.bias)

    # -- scaling ------------------------------------------------------------------------------------------------
    def normalise(self, x: torch.Tensor, loc: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
        z = (x - loc) / scale
        return torch.asinh(z) if self.cfg.use_arcsinh else z

    def denormalise(self, z: torch.Tensor, loc: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
        if self.cfg.use_arcsinh:
            z = torch.sinh(z)
        return z * scale + loc

    @staticmethod
    def _loc_scale(x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        observed = ~torch.isnan(x)
        count = observed.sum(-1, keepdim=True)
        safe_count = count.clamp(min=1).to(x.dtype)
        filled = torch.where(observed, x, torch.zeros_like(x))
        loc = filled.sum(-1, keepdim=True) / safe_count
        dev = torch.where(observed, (x - loc) ** 2, torch.zeros_like(x))
        scale = torch.sqrt(dev.sum(-1, keepdim=True) / safe_count)
        empty = count == 0
        loc = torch.where(empty, torch.zeros_like(loc), loc)
        scale = torch.where(empty, torch.ones_like(scale), scale)
        scale = torch.where(scale == 0, torch.full_like(scale, 1e-5), scale)
        return loc, scale

    # -- forward ------------------------------------------------------------------------------------------------
    def forward(
        self,
        context: torch.Tensor,
        group_ids: Optional[torch.Tensor] = None,
        future_covariates: Optional[torch.Tensor] = None,
        num_output_patches: int = 1,
        future_target: Optional[torch.Tensor] = None,
    ) -> ForwardOutput:
        cfg, p = self.cfg, self.cfg.patch_size
        b = context.shape[0]
        n = num_output_patches
        context = context.float()
        if context.shape[1] > cfg.context_length:
            context = context[:, -cfg.context_length :]
        loc, scale = self._loc_scale(context)

        # context patches: left-pad to a multiple of P with missing values
        t = context.shape[1]
        pad = (-t) % p
        if pad:
            context = torch.cat([torch.full((b, pad), float("nan"), dtype=context.dtype), context], dim=1)
        observed = ~torch.isnan(context)
        z = torch.where(observed, self.normalise(context, loc, scale), torch.zeros_like(context))
        num_patches = context.shape[1] // p
        values = z.view(b, num_patches, p)
        mask = observed.to(z.dtype).view(b, num_patches, p)
        time_enc = (torch.arange(-num_patches * p, 0, dtype=torch.float32) / cfg.time_scale).view(1, num_patches, p)
        ctx_tokens = torch.cat([time_enc.expand(b, -1, -1), values, mask], dim=-1)
        ctx_attend = mask.sum(-1) > 0

        # future patches: known covariate values (normalised with the row's own statistics) or zeros
        fut_len = n * p
        fut_vals = torch.zeros(b, fut_len)
        fut_mask = torch.zeros(b, fut_len)
        if future_covariates is not None:
            fc = future_covariates.float()[:, :fut_len]
            known = ~torch.isnan(fc)
            fut_vals[:, : fc.shape[1]] = torch.where(known, self.normalise(fc, loc, scale), torch.zeros_like(fc))
            fut_mask[:, : fc.shape[1]] = known.float()
        fut_time = (torch.arange(0, fut_len, dtype=torch.float32) / cfg.time_scale).view(1, n, p)
        fut_tokens = torch.cat([fut_time.expand(b, -1, -1), fut_vals.view(b, n, p), fut_mask.view(b, n, p)], dim=-1)

        pieces = [self.input_patch_embedding(ctx_tokens)]
        attend = [ctx_attend]
        if cfg.use_reg_token:
            pieces.append(self.shared.weight[1].view(1, 1, -1).expand(b, 1, -1))
            attend.append(torch.ones(b, 1, dtype=torch.bool))
        pieces.append(self.input_patch_embedding(fut_tokens))
        attend.append(torch.ones(b, n, dtype=torch.bool))
        h = torch.cat(pieces, dim=1)
        attend_mask = torch.cat(attend, dim=1)  # [B, S]
        s = h.shape[1]

        # NOTE: masks add float32-min rather than -inf so that fully masked rows stay finite, as upstream.
        neg = torch.finfo(torch.float32).min
        time_bias = ((~attend_mask).float() * neg)[:, None, None, :]  # [B,1,1,S]
        if group_ids is None:
            group_ids = torch.arange(b)
        same = group_ids[:, None] == group_ids[None, :]  # [B(q), B(k)]
        allowed = same[None, :, :] & attend_mask.t()[:, None, :]  # [S, Bq, Bk]
        group_bias = ((~allowed).float() * neg)[:, None, :, :]  # [S,1,B,B]

        pos = torch.arange(s, dtype=torch.float32)
        freqs = pos[:, None] * self.inv_freq[None, :]
        emb = torch.cat([freqs, freqs], dim=-1)
        rope = (emb.cos()[None, None], emb.sin()[None, None])

        for blk in self.encoder.block:
            h = blk(h, time_bias, group_bias, rope)
        h = self.encoder.final_layer_norm(h)

        out = self.output_patch_embedding(h[:, -n:])  # [B, n, Q*P]
        q = len(cfg.quantiles)
        z_pred = out.view(b, n, q, p).permute(0, 2, 1, 3).reshape(b, q, n * p)

        loss = None
        if future_target is not None:
            loss = self.quantile_loss(z_pred, future_target, fut_mask, loc, scale)
        return ForwardOutput(self.denormalise(z_pred, loc[:, :, None], scale[:, :, None]), loc, scale, loss)

    def quantile_loss(self, z_pred, future_target, fut_cov_mask, loc, scale) -> torch.Tensor:
        """Pinball loss in normalised (arcsinh) space, summed over quantiles, averaged over steps and rows.

        Steps that are missing in the target, lie beyond the target, or are known future covariate values are
        excluded (they still count in the per-row average, as upstream does, so short horizons weigh less).
        """
        h = z_pred.shape[-1]
        y = future_target.float()[:, :h]
        valid = ~torch.isnan(y)
        y_z = torch.where(valid, self.normalise(y, loc, scale), torch.zeros_like(y))
        if y.shape[1] < h:
            extra = h - y.shape[1]
            y_z = torch.cat([y_z, torch.zeros(y.shape[0], extra)], dim=1)
            valid = torch.cat([valid, torch.zeros(y.shape[0], extra, dtype=torch.bool)], dim=1)
        weight = (valid.float() * (1.0 - fut_cov_mask))[:, None, :]
        diff = y_z[:, None, :] - z_pred
        qs = self.quantiles.view(1, -1, 1)
        pinball = torch.maximum(qs * diff, (qs - 1.0) * diff)
        return (2.0 * pinball * weight).mean(-1).sum(-1).mean()


def num_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
