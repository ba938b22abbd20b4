"""Synthetic training data for Chronos-2, generated on the fly and deterministic from a seed.

Every series is built by one of a handful of generators and then optionally perturbed:
- KernelSynth-style Gaussian-process draws: a random composition (+ and x) of periodic, RBF, rational-quadratic,
  linear and white-noise kernels, sampled exactly through a Cholesky factor;
- trend x seasonality: one to three seasonal profiles (periods such as 4, 7, 12, 24, 52, 168), non-sinusoidal
  shapes, combined additively or multiplicatively with a linear, exponential or damped trend (airline-like);
- AR(1)/AR(2) processes and random walks with drift, piecewise in segments;
- intermittent demand (Bernoulli x gamma sizes, optionally seasonal rates);
and perturbations: level shifts, spikes, trend breaks, heteroscedastic noise, missing values.

Multivariate tasks share latent factors between their rows; some carry covariates that drive the target (with a
lag or as interventions), and a subset of those covariates is known in the future, as in Chronos-2's training.
A batch is a list of tasks packed into rows with group ids, left-padded with NaN to a common context length.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

import numpy as np

SEASON_PERIODS = [4, 7, 12, 12, 12, 24, 24, 52, 7, 30, 48, 96, 168, 365, 5, 6, 10, 13, 26, 60]


# ---------------------------------------------------------------------------------------------------------------
# Gaussian-process (KernelSynth-style) series
# ---------------------------------------------------------------------------------------------------------------
def _kernel(rng: np.random.Generator, t: np.ndarray, length: int) -> np.ndarray:
    """One random base kernel evaluated on the grid t (normalised to [0, 1])."""
    d = t[:, None] - t[None, :]
    kind = rng.choice(["periodic", "periodic", "rbf", "rq", "linear", "white", "const"], p=[0.25, 0.15, 0.2, 0.12, 0.13, 0.1, 0.05])
    if kind == "periodic":
        period = rng.choice(SEASON_PERIODS) / length if rng.random() < 0.8 else rng.uniform(0.05, 0.5)
        ls = rng.uniform(0.5, 2.0)
        return np.exp(-2.0 * np.sin(np.pi * np.abs(d) / period) ** 2 / ls ** 2)
    if kind == "rbf":
        ls = np.exp(rng.uniform(np.log(0.01), np.log(1.0)))
        return np.exp(-0.5 * d ** 2 / ls ** 2)
    if kind == "rq":
        ls = np.exp(rng.uniform(np.log(0.02), np.log(1.0)))
        alpha = rng.uniform(0.1, 5.0)
        return (1.0 + d ** 2 / (2 * alpha * ls ** 2)) ** (-alpha)
    if kind == "linear":
        c = rng.uniform(-0.5, 1.0)
        return rng.uniform(0.2, 2.0) * (t[:, None] - c) * (t[None, :] - c)
    if kind == "white":
        return rng.uniform(0.01, 0.2) * np.eye(len(t))
    return rng.uniform(0.1, 1.0) * np.ones((len(t), len(t)))


def gp_series(rng: np.random.Generator, length: int, count: int = 1) -> np.ndarray:
    """``count`` draws from one random kernel composition, shape [count, length]."""
    t = np.linspace(0.0, 1.0, length)
    k = _kernel(rng, t, length)
    for _ in range(rng.integers(0, 4)):
        other = _kernel(rng, t, length)
        k = k + other if rng.random() < 0.6 else k * other
    k = k + 1e-4 * np.eye(length)
    try:
        chol = np.linalg.cholesky(k)
    except np.linalg.LinAlgError:
        chol = np.linalg.cholesky(k + 1e-2 * np.eye(length))
    return (chol @ rng.standard_normal((length, count))).T


# ---------------------------------------------------------------------------------------------------------------
# Structured generators
# ---------------------------------------------------------------------------------------------------------------
def seasonal_profile(rng: np.random.Generator, period: float, length: int, phase0: float = 0.0) -> np.ndarray:
    """A zero-mean, unit-ish seasonal pattern of the given period: harmonics or a smoothed random profile."""
    t = np.arange(length) + phase0
    if rng.random() < 0.5 or period != int(period):
        k = rng.integers(1, 5)
        out = np.zeros(length)
        for j in range(1, k + 1):
            out += rng.normal() / j ** rng.uniform(0.5, 1.5) * np.sin(2 * np.pi * j * t / period + rng.uniform(0, 2 * np.pi))
    else:
        p = int(period)
        prof = rng.normal(size=p)
        if rng.random() < 0.7:  # smooth it circularly
            prof = (prof + np.roll(prof, 1) + np.roll(prof, -1)) / 3
        out = prof[(t.astype(int)) % p]
    sd = out.std()
    return out / sd if sd > 0 else out


def trend_curve(rng: np.random.Generator, length: int) -> Tuple[np.ndarray, bool]:
    """A positive multiplicative trend (exp growth) or an additive one (linear/damped/piecewise); flag = mult."""
    t = np.arange(length) / max(length, 1)
    kind = rng.choice(["exp", "linear", "damped", "piecewise", "flat"], p=[0.35, 0.25, 0.1, 0.15, 0.15])
    if kind == "exp":
        return np.exp(rng.uniform(-1.0, 2.5) * t), True
    if kind == "linear":
        return rng.normal(0, 2.0) * t, False
    if kind == "damped":
        return rng.normal(0, 2.0) * (1 - np.exp(-rng.uniform(1, 6) * t)), False
    if kind == "piecewise":
        knots = np.sort(rng.integers(1, length, size=rng.integers(1, 4)))
        slopes = np.repeat(rng.normal(0, 2.0, size=len(knots) + 1), np.diff(np.concatenate([[0], knots, [length]])))
        return np.cumsum(slopes) / max(length, 1), False
    return np.zeros(length), False


def trend_season_series(rng: np.random.Generator, length: int) -> Tuple[np.ndarray, int]:
    """Trend x seasonality with noise; returns the series and its main seasonal period."""
    n_seasons = rng.choice([1, 1, 1, 2, 2, 3])
    periods = list(rng.choice(SEASON_PERIODS, size=n_seasons, replace=False))
    phase = rng.integers(0, 10000)
    season = np.zeros(length)
    for i, per in enumerate(periods):
        season += (1.0 if i == 0 else rng.uniform(0.2, 0.8)) * seasonal_profile(rng, per, length, phase)
    trend, mult = trend_curve(rng, length)
    amp = rng.uniform(0.05, 0.4)
    noise_sd = rng.uniform(0.0, 0.08) if rng.random() < 0.85 else rng.uniform(0.1, 0.3)
    if mult or rng.random() < 0.4:
        base = trend if mult else np.exp(0.5 * trend)
        # seasonal amplitude grows with the level, noise too (log-normal): the airline-passengers structure
        series = base * np.exp(amp * season + noise_sd * rng.standard_normal(length))
    else:
        series = trend + amp * 3 * season + noise_sd * 3 * rng.standard_normal(length)
    return series, int(periods[0])


def ar_series(rng: np.random.Generator, length: int) -> np.ndarray:
    """AR(1)/AR(2) or random walk with drift; the regime can change in segments."""
    out = np.empty(length)
    x, x_prev, i = 0.0, 0.0, 0
    while i < length:
        seg = int(rng.integers(length // 4 + 1, length + 1)) if rng.random() < 0.3 else length
        kind = rng.choice(["rw", "ar1", "ar2"])
        drift = rng.normal(0, 0.05) if rng.random() < 0.5 else 0.0
        phi1 = rng.uniform(-0.5, 0.98)
        phi2 = rng.uniform(-0.5, 0.5) * (1 - abs(phi1))
        for j in range(i, min(length, i + seg)):
            e = rng.standard_normal()
            if kind == "rw":
                x_new = x + drift + e
            elif kind == "ar1":
                x_new = phi1 * x + drift * 10 + e
            else:
                x_new = phi1 * x + phi2 * x_prev + e
            x_prev, x = x, x_new
            out[j] = x
        i += seg
    return out


def intermittent_series(rng: np.random.Generator, length: int) -> Tuple[np.ndarray, int]:
    rate = rng.uniform(0.05, 0.6)
    period = int(rng.choice([7, 12, 24, 52]))
    if rng.random() < 0.5:
        p = np.clip(rate * (1 + 0.8 * seasonal_profile(rng, period, length)), 0.01, 0.95)
    else:
        p = np.full(length, rate)
    sizes = rng.gamma(rng.uniform(0.5, 3.0), rng.uniform(1.0, 20.0), size=length)
    if rng.random() < 0.5:
        sizes = np.ceil(sizes)
    return (rng.random(length) < p) * sizes, period


# ---------------------------------------------------------------------------------------------------------------
# Perturbations
# ---------------------------------------------------------------------------------------------------------------
def perturb(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    length = len(x)
    sd = x.std() + 1e-8
    if rng.random() < 0.15:  # level shifts
        for _ in range(rng.integers(1, 3)):
            at = rng.integers(1, length)
            x = x + (np.arange(length) >= at) * rng.normal(0, 1.5) * sd
    if rng.random() < 0.12:  # spikes / outliers
        idx = rng.choice(length, size=rng.integers(1, max(2, length // 50)), replace=False)
        x = x.copy()
        x[idx] += rng.normal(0, 4, size=len(idx)) * sd
    if rng.random() < 0.1:  # additive white noise on top
        x = x + rng.normal(0, rng.uniform(0.05, 0.5)) * sd * rng.standard_normal(length)
    return x


def random_affine(rng: np.random.Generator, x: np.ndarray, positive: bool) -> np.ndarray:
    """Put the series on a random scale and offset (many orders of magnitude, as real data)."""
    scale = np.exp(rng.uniform(np.log(1e-2), np.log(1e5)))
    if positive:
        return x * scale
    return x * scale + rng.normal(0, 3) * scale * (rng.random() < 0.5)


def univariate_series(rng: np.random.Generator, length: int, seasonal_share: float = 0.45) -> Tuple[np.ndarray, int]:
    """One series of the requested length and its seasonal period (1 when it has none).

    ``seasonal_share`` is the probability of a trend x seasonality series; the other kinds share the rest in their
    default proportions (0.45 reproduces the default mix draw for draw).
    """
    r = rng.random()
    if seasonal_share != 0.45:
        r = r * (0.45 / seasonal_share) if r < seasonal_share else 0.45 + (r - seasonal_share) * (0.55 / (1.0 - seasonal_share))
    if r < 0.45:
        x, m = trend_season_series(rng, length)
        positive = bool(np.all(x > 0))
    elif r < 0.68:
        x, m, positive = gp_series(rng, length)[0], 1, False
    elif r < 0.83:
        x, m, positive = ar_series(rng, length), 1, False
        if rng.random() < 0.4:  # add a seasonal component to the stochastic series
            m = int(rng.choice(SEASON_PERIODS[:8]))
            x = x + rng.uniform(0.5, 3.0) * x.std() * seasonal_profile(rng, m, length)
    elif r < 0.93:
        x, m = intermittent_series(rng, length)
        positive = True
    else:  # sum of a GP and trend x season
        s, m = trend_season_series(rng, length)
        g = gp_series(rng, length)[0]
        x = s / (s.std() + 1e-8) + rng.uniform(0.2, 1.0) * g / (g.std() + 1e-8)
        positive = False
    x = perturb(rng, x)
    return random_affine(rng, x, positive and np.all(x >= 0)), m


# ---------------------------------------------------------------------------------------------------------------
# Tasks and batches
# ---------------------------------------------------------------------------------------------------------------
@dataclass
class Task:
    """Rows of one forecasting task: values [rows, T + H] (NaN = missing), and which rows are known-future."""

    values: np.ndarray
    known_future: np.ndarray  # [rows] bool


def multivariate_task(rng: np.random.Generator, length: int) -> Task:
    """Rows that share latent factors; sometimes covariates that drive the target, some known in the future."""
    kind = rng.choice(["factors", "covariates"], p=[0.5, 0.5])
    if kind == "factors":
        k = int(rng.integers(1, 3))
        rows = int(rng.integers(2, 6))
        factors = [univariate_series(rng, length)[0] for _ in range(k)]
        factors = [(f - f.mean()) / (f.std() + 1e-8) for f in factors]
        out = []
        for _ in range(rows):
            w = rng.normal(0, 1, size=k)
            lag = int(rng.integers(0, 4))
            mix = sum(wi * np.roll(f, lag) for wi, f in zip(w, factors))
            own = rng.uniform(0.05, 0.6) * rng.standard_normal(length)
            row = mix + own
            out.append(random_affine(rng, row, False))
        return Task(np.stack(out), np.zeros(rows, dtype=bool))

    # target = base + effects of covariates; covariates are seasonal/GP signals or sparse interventions
    n_cov = int(rng.integers(1, 4))
    covs = []
    for _ in range(n_cov):
        r = rng.random()
        if r < 0.4:  # promotions / holidays: sparse 0/1 events, known in the future
            c = (rng.random(length) < rng.uniform(0.03, 0.2)).astype(float)
            if rng.random() < 0.5:
                c = c * np.ceil(rng.uniform(1, 5, size=length))
        elif r < 0.7:  # weather-like smooth seasonal driver
            c = seasonal_profile(rng, float(rng.choice([7, 12, 24, 52])), length) + 0.3 * gp_series(rng, length)[0]
        else:
            c = gp_series(rng, length)[0]
        covs.append((c - c.mean()) / (c.std() + 1e-8))
    base, _ = univariate_series(rng, length)
    base = (base - base.mean()) / (base.std() + 1e-8)
    effect = np.zeros(length)
    for c in covs:
        lag = int(rng.integers(0, 3)) if rng.random() < 0.3 else 0
        effect += rng.normal(0, 1.5) * np.roll(c, lag)
    target = rng.uniform(0.1, 1.0) * base + effect + rng.uniform(0.0, 0.2) * rng.standard_normal(length)
    n_targets = 1 if rng.random() < 0.8 else 2
    targets = [target]
    if n_targets == 2:
        targets.append(0.7 * target + rng.normal(0, 0.5) * base + 0.2 * rng.standard_normal(length))
    rows = [random_affine(rng, t, False) for t in targets] + [random_affine(rng, c, False) for c in covs]
    known = np.zeros(len(rows), dtype=bool)
    for i in range(n_cov):
        known[n_targets + i] = rng.random() < 0.7
    return Task(np.stack(rows), known)


def add_missing(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    x = x.copy()
    length = x.shape[-1]
    if rng.random() < 0.5:
        x[..., rng.random(length) < rng.uniform(0.01, 0.15)] = np.nan
    else:
        start = int(rng.integers(0, length))
        x[..., start : start + int(rng.integers(1, max(2, length // 5)))] = np.nan
    return x


@dataclass
class Batch:
    context: np.ndarray  # [B, T] float32, NaN = missing / padding
    group_ids: np.ndarray  # [B] int64
    future_covariates: np.ndarray  # [B, n*P] float32, NaN = unknown
    future_target: np.ndarray  # [B, n*P] float32, NaN = no loss
    num_output_patches: int


def append_task_rows(lists, ctx: np.ndarray, fut: np.ndarray, known_future: np.ndarray, t_batch: int, horizon: int,
                     gid: int) -> None:
    """Adds one task's rows to a batch's (context, future covariates, target, group id) lists.

    Contexts are left-padded with NaN to ``t_batch``; a row whose future is known gives its future as covariate
    values and carries no loss, every other row's future is its target.
    """
    ctx_rows, fut_rows, tgt_rows, gids = lists
    for r in range(len(ctx)):
        row = np.full(t_batch, np.nan)
        take = ctx[r][-t_batch:]
        row[t_batch - len(take) :] = take
        ctx_rows.append(row)
        if known_future[r]:
            fut_rows.append(fut[r])
            tgt_rows.append(np.full(horizon, np.nan))  # no loss on rows whose future is given
        else:
            fut_rows.append(np.full(horizon, np.nan))
            tgt_rows.append(fut[r])
        gids.append(gid)


def make_batch(
    rng: np.random.Generator,
    rows: int,
    context_length: int,
    patch_size: int,
    max_output_patches: int,
    min_context: int = 32,
    multivariate_share: float = 0.3,
    seasonal_share: float = 0.45,
) -> Batch:
    """Tasks until ``rows`` rows are filled; one context length (the longest task's) and horizon per batch."""
    n = int(rng.integers(1, max_output_patches + 1))
    horizon = n * patch_size
    # short contexts are over-represented: many real series (and the airline data) are only a few hundred long
    t_batch = int(np.exp(rng.uniform(np.log(64), np.log(context_length + 1))))
    t_batch = min(context_length, max(64, t_batch))
    ctx_rows, fut_rows, tgt_rows, gids = [], [], [], []
    gid = 0
    while len(ctx_rows) < rows:
        t_task = t_batch if rng.random() < 0.5 else int(rng.integers(min_context, t_batch + 1))
        # the generator sometimes sees a longer history than the model, so the start is not always "time zero"
        if rng.random() < multivariate_share:
            task = multivariate_task(rng, t_task + horizon)
        else:
            x, _ = univariate_series(rng, t_task + horizon, seasonal_share)
            task = Task(x[None, :], np.zeros(1, dtype=bool))
        vals = task.values
        if len(ctx_rows) + len(vals) > rows and ctx_rows:
            break
        ctx = vals[:, :t_task]
        if rng.random() < 0.15:
            ctx = add_missing(rng, ctx)
        append_task_rows((ctx_rows, fut_rows, tgt_rows, gids), ctx, vals[:, t_task:], task.known_future, t_batch, horizon, gid)
        gid += 1
    return Batch(
        context=np.asarray(ctx_rows, dtype=np.float32),
        group_ids=np.asarray(gids, dtype=np.int64),
        future_covariates=np.asarray(fut_rows, dtype=np.float32),
        future_target=np.asarray(tgt_rows, dtype=np.float32),
        num_output_patches=n,
    )


def evaluation_set(seed: int, count: int, context_length: int = 256, horizon: int = 24) -> List[dict]:
    """A fixed held-out set of univariate series (different seed from training), with their seasonal period."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        t = int(rng.integers(96, context_length + 1))
        x, m = univariate_series(rng, t + horizon)
        out.append({"name": f"synthetic-{i:03d}", "period": int(m), "horizon": horizon, "values": x.tolist()})
    return out
