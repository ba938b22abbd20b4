"""Training tasks from the real corpus in ../shared/data/real-train, mixed with the synthetic generator.

Why: a model trained on synthetic series alone loses to seasonal naive on real monthly, quarterly and daily data.
This module loads the real long-format CSVs once (cached as a pickle), and draws tasks from them:
- real windows: a random series (datasets weighted by a tempered share of their observations, so that no single
  large file dominates and small yearly/quarterly files still appear), a random cut point, the context before it
  and the horizon after it (steps past the series' end are NaN and carry no loss, so short series still train);
- TSMixup-style convex mixes of 2-3 real series (each scaled by its mean absolute value) from any datasets;
- multivariate tasks from the files that carry covariates (target + covariate rows in one group, some covariates
  known in the future);
- random scalings and offsets, and the synthetic tasks of data.py for the regimes real data covers thinly.

Deterministic: every draw comes from the numpy Generator passed in (seeded by (seed, step) in train.py).
The held-out series (airline, and the MANIFEST's "Excluded on purpose" list) are not in real-train; a name guard
drops any item whose id matches them all the same. real-val is never read here.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import os
import pickle
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import numpy as np

from .data import Batch, Task, add_missing, append_task_rows, multivariate_task, univariate_series
from .regimes import GROWTH_PERIODS, growth_seasonal_series, periodic_copy_series, regime_series

# Names of held-out series (MANIFEST "Excluded on purpose" + the airline demo): never trained on.
EXCLUDED = re.compile(
    r"airpass|air_pass|airline|champagne|perrin|nottem|armed.?robber|milk|ausbeer|beer|nile|hh_budget|elecdaily|"
    r"vic_elec|elecdemand|shampoo|female.?births|sunspot|co2|maxtemp|ausair|gasrate|quebec|car.?sales|retail",
    re.IGNORECASE,
)

# Frequency group of each file (from MANIFEST.md), used for sampling weights and seasonal periods.
FREQ_OF = {
    "5min": "5min", "30min": "30min", "hourly": "hourly", "business_daily": "daily", "daily": "daily",
    "weekly": "weekly", "monthly": "monthly", "quarterly": "quarterly", "yearly": "yearly",
}
# Extra weight per frequency group: the validation panel (M3 monthly/quarterly/yearly, NN5 daily) and the app's
# typical uploads are low-frequency business series.
GROUP_WEIGHT = {"5min": 0.4, "30min": 0.4, "hourly": 0.8, "daily": 1.3, "weekly": 1.0, "monthly": 1.6,
                "quarterly": 1.4, "yearly": 1.2}


@dataclass
class RealSeries:
    values: np.ndarray  # float32 [T], NaN = missing
    covariates: Optional[np.ndarray] = None  # float32 [k, T] or None


@dataclass
class RealDataset:
    name: str
    group: str
    series: List[RealSeries] = field(default_factory=list)

    @property
    def observations(self) -> int:
        return int(sum(np.isfinite(s.values).sum() for s in self.series))


def _group_of(file_name: str) -> str:
    stem = file_name.split(".")[0]
    for key in sorted(FREQ_OF, key=len, reverse=True):
        if stem.endswith(key):
            return FREQ_OF[key]
    raise ValueError(f"cannot tell the frequency of {file_name}")


def _to_float(cell: str) -> float:
    if cell == "" or cell is None:
        return math.nan
    try:
        v = float(cell)
    except ValueError:
        return math.nan
    return v if math.isfinite(v) else math.nan


def load_file(path: str) -> RealDataset:
    """One long-format CSV (item_id,timestamp,target[,covariates...]) as a dataset of series."""
    name = os.path.basename(path)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        n_cov = len(header) - 3
        rows: Dict[str, List[List[str]]] = {}
        for r in reader:
            rows.setdefault(r[0], []).append(r)
    ds = RealDataset(name=name, group=_group_of(name))
    for item, rs in rows.items():
        if EXCLUDED.search(item):
            continue
        vals = np.array([_to_float(r[2]) for r in rs], dtype=np.float32)
        if np.isfinite(vals).sum() < 8:
            continue
        cov = None
        if n_cov > 0:
            cov = np.array([[_to_float(r[3 + j]) for r in rs] for j in range(n_cov)], dtype=np.float32)
            keep = [j for j in range(n_cov) if np.isfinite(cov[j]).mean() > 0.8 and np.nanstd(cov[j]) > 0]
            cov = cov[keep] if keep else None
        ds.series.append(RealSeries(vals, cov))
    return ds


def load_corpus(root: str, cache: Optional[str] = None) -> List[RealDataset]:
    """Every CSV under ``root`` (cached as a pickle at ``cache`` when given)."""
    if cache and os.path.exists(cache):
        with open(cache, "rb") as f:
            return pickle.load(f)
    files = sorted(f for f in os.listdir(root) if f.endswith(".csv") or f.endswith(".csv.gz"))
    corpus = [load_file(os.path.join(root, f)) for f in files]
    corpus = [d for d in corpus if d.series]
    if cache:
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        tmp = cache + ".tmp"
        with open(tmp, "wb") as f:
            pickle.dump(corpus, f)
        os.replace(tmp, cache)
    return corpus


class RealSampler:
    """Draws real, mixed-up and multivariate tasks from a loaded corpus."""

    def __init__(self, corpus: List[RealDataset], temper: float = 0.5, group_weight: Optional[Dict[str, float]] = None):
        self.corpus = corpus
        gw = {**GROUP_WEIGHT, **(group_weight or {})}
        w = np.array([gw[d.group] * d.observations ** temper for d in corpus], dtype=np.float64)
        self.weights = w / w.sum()
        self.with_cov = [i for i, d in enumerate(corpus) if any(s.covariates is not None for s in d.series)]

    def describe(self) -> str:
        lines = [f"{d.name}: {len(d.series)} series, {d.observations} obs, p={p:.3f}" for d, p in zip(self.corpus, self.weights)]
        return "\n".join(lines)

    def _pick(self, rng: np.random.Generator) -> RealSeries:
        d = self.corpus[int(rng.choice(len(self.corpus), p=self.weights))]
        return d.series[int(rng.integers(0, len(d.series)))]

    @staticmethod
    def _window(rng: np.random.Generator, x: np.ndarray, t_task: int, horizon: int, min_context: int) -> Tuple[np.ndarray, int]:
        """A slice of length <= t_task + horizon ending at a random point; returns (slice, context length)."""
        n = len(x)
        # cut point: at least min_context before it, at least one observed step after it
        lo = min(min_context, n - 1)
        cut = int(rng.integers(lo, n)) if n - lo > 1 else n - 1
        # prefer cuts that leave a whole horizon when the series is long enough
        if n - horizon > lo and rng.random() < 0.8:
            cut = int(rng.integers(lo, n - horizon + 1))
        start = max(0, cut - t_task)
        ctx = x[start:cut]
        fut = x[cut : cut + horizon]
        if len(fut) < horizon:
            fut = np.concatenate([fut, np.full(horizon - len(fut), np.nan, dtype=np.float32)])
        return np.concatenate([ctx, fut]), len(ctx)

    def real_task(self, rng: np.random.Generator, t_task: int, horizon: int) -> Tuple[Task, int]:
        s = self._pick(rng)
        vals, c = self._window(rng, s.values, t_task, horizon, min_context=8)
        return Task(_augment(rng, vals)[None, :], np.zeros(1, dtype=bool)), c

    def mixup_task(self, rng: np.random.Generator, t_task: int, horizon: int) -> Tuple[Task, int]:
        """A convex (Dirichlet) mix of 2-3 series windows of one length, each scaled by its mean |x|."""
        k = int(rng.integers(2, 4))
        length = t_task + horizon
        parts = []
        for _ in range(k):
            s = self._pick(rng)
            x = s.values
            if len(x) >= length:
                st = int(rng.integers(0, len(x) - length + 1))
                w = x[st : st + length]
            else:
                w = np.concatenate([np.full(length - len(x), np.nan, dtype=np.float32), x])
            scale = np.nanmean(np.abs(w[:t_task])) if np.isfinite(w[:t_task]).any() else np.nan
            if not np.isfinite(scale) or scale == 0:
                scale = 1.0
            parts.append(w / scale)
        lam = rng.dirichlet(np.full(k, 1.5))
        mixed = sum(l * np.where(np.isfinite(p), p, np.nan) for l, p in zip(lam, parts))
        ctx_len = int(np.isfinite(mixed[:t_task]).sum())
        if ctx_len < 8:  # too little overlap: fall back to one real window
            return self.real_task(rng, t_task, horizon)
        return Task(_augment(rng, mixed.astype(np.float32))[None, :], np.zeros(1, dtype=bool)), t_task

    def covariate_task(self, rng: np.random.Generator, t_task: int, horizon: int) -> Tuple[Task, int]:
        """Target plus up to 4 of its covariates as one group; each covariate known in the future with p=0.6."""
        d = self.corpus[int(rng.choice(self.with_cov))]
        cands = [s for s in d.series if s.covariates is not None]
        s = cands[int(rng.integers(0, len(cands)))]
        n = len(s.values)
        length = min(n, t_task + horizon)
        st = int(rng.integers(0, n - length + 1))
        k = min(len(s.covariates), int(rng.integers(1, 5)))
        pick = rng.choice(len(s.covariates), size=k, replace=False)
        rows = [s.values[st : st + length]] + [s.covariates[j, st : st + length] for j in pick]
        known = np.array([False] + [bool(rng.random() < 0.6) for _ in range(k)])
        c = length - horizon
        if c < 8:
            return self.real_task(rng, t_task, horizon)
        return Task(np.stack([_augment(rng, r) for r in rows]).astype(np.float32), known), c


def _augment(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    """Random positive scaling (log-uniform over 4 decades), sometimes an offset or a sign flip."""
    x = x.astype(np.float64)
    scale = math.exp(rng.uniform(math.log(1e-2), math.log(1e2)))
    x = x * scale
    r = rng.random()
    if r < 0.1:
        x = x + rng.normal(0, 1) * (np.nanstd(x) + 1e-8) * 3
    elif r < 0.15:
        x = -x
    return x.astype(np.float32)


def make_mixed_batch(
    rng: np.random.Generator,
    sampler: RealSampler,
    rows: int,
    context_length: int,
    patch_size: int,
    max_output_patches: int,
    real_share: float = 0.5,
    mixup_share: float = 0.15,
    covariate_share: float = 0.07,
    synth_multivariate_share: float = 0.08,
    seasonal_share: float = 0.5,
    regime_share: float = 0.0,
    short_share: float = 0.0,
    periodic_share: float = 0.0,
    growth_share: float = 0.0,
    growth_periods: Tuple[int, ...] = GROWTH_PERIODS,
) -> Batch:
    """Like data.make_batch, but each task is real, mixed-up, real-with-covariates or synthetic."""
    n = int(rng.integers(1, max_output_patches + 1))
    horizon = n * patch_size
    t_batch = int(np.exp(rng.uniform(np.log(64), np.log(context_length + 1))))
    t_batch = min(context_length, max(64, t_batch))
    ctx_rows, fut_rows, tgt_rows, gids = [], [], [], []
    gid = 0
    while len(ctx_rows) < rows:
        t_task = t_batch if rng.random() < 0.5 else int(rng.integers(32, t_batch + 1))
        if short_share and rng.random() < short_share:  # short histories (yearly / quarterly business series)
            t_task = int(rng.integers(8, 65))
        r = rng.random()
        if r < real_share:
            task, c = sampler.real_task(rng, t_task, horizon)
        elif r < real_share + mixup_share:
            task, c = sampler.mixup_task(rng, t_task, horizon)
        elif r < real_share + mixup_share + covariate_share:
            task, c = sampler.covariate_task(rng, t_task, horizon)
        elif r < real_share + mixup_share + covariate_share + synth_multivariate_share:
            task, c = multivariate_task(rng, t_task + horizon), t_task
        elif r < real_share + mixup_share + covariate_share + synth_multivariate_share + regime_share:
            x, _ = regime_series(rng, t_task + horizon)
            task, c = Task(x[None, :], np.zeros(1, dtype=bool)), t_task
        elif r < real_share + mixup_share + covariate_share + synth_multivariate_share + regime_share + periodic_share:
            x, _ = periodic_copy_series(rng, t_task + horizon)
            task, c = Task(x[None, :], np.zeros(1, dtype=bool)), t_task
        elif r < real_share + mixup_share + covariate_share + synth_multivariate_share + regime_share + periodic_share + growth_share:
            x, _ = growth_seasonal_series(rng, t_task + horizon, growth_periods)
            task, c = Task(x[None, :], np.zeros(1, dtype=bool)), t_task
        else:
            x, _ = univariate_series(rng, t_task + horizon, seasonal_share)
            task, c = Task(x[None, :], np.zeros(1, dtype=bool)), t_task
        vals = task.values
        if len(ctx_rows) + len(vals) > rows and ctx_rows:
            break
        ctx = vals[:, :c]
        if rng.random() < 0.1:
            ctx = add_missing(rng, ctx)
        append_task_rows((ctx_rows, fut_rows, tgt_rows, gids), ctx, vals[:, c : c + horizon], task.known_future, t_batch, horizon, gid)
        gid += 1
    return Batch(
        context=np.asarray(ctx_rows, dtype=np.float32),
        group_ids=np.asarray(gids, dtype=np.int64),
        future_covariates=np.asarray(fut_rows, dtype=np.float32),
        future_target=np.asarray(tgt_rows, dtype=np.float32),
        num_output_patches=n,
    )
