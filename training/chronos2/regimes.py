"""Synthetic regimes added where the real-data validation showed the model weak (stage 2 of the real-data run).

Why: after stage 1 the model under-shot the weekly amplitude of daily data (NN5: sharp weekday peaks forecast as a
smooth, damped wave) and stayed behind seasonal naive on quarterly series. These generators produce exactly those
shapes, each deterministic from the Generator passed in:
- daily series with a peaky weekday profile x a smooth yearly cycle x a slow level, multiplicative, with holiday-like
  dips that recur on the same day of the year, log-normal noise and missing days;
- multiplicative seasonality with peaks (a December-style spike in monthly data, a Q4 peak in quarterly data) on a
  growing trend, airline / champagne-like, but generated, never copied from a held-out series;
- level shifts on seasonal series (a step in the level that the seasonal pattern rides on);
- intermittent demand with a seasonal rate and lumpy sizes.
"""

from __future__ import annotations

import math
from typing import Tuple

import numpy as np


def _lognormal_noise(rng: np.random.Generator, length: int) -> np.ndarray:
    return np.exp(rng.uniform(0.02, 0.25) * rng.standard_normal(length))


def _slow_level(rng: np.random.Generator, length: int) -> np.ndarray:
    """A positive level: flat, linear or exponential growth, or a smoothed random walk."""
    t = np.arange(length) / max(length, 1)
    kind = rng.choice(["flat", "linear", "exp", "walk"])
    if kind == "flat":
        return np.ones(length)
    if kind == "linear":
        return np.clip(1 + rng.normal(0, 0.6) * t, 0.2, None)
    if kind == "exp":
        return np.exp(rng.uniform(-0.8, 1.5) * t)
    w = np.cumsum(rng.normal(0, 0.02, size=length))
    w = np.convolve(w, np.ones(15) / 15, mode="same")
    return np.exp(w - w[0])


def daily_weekly_series(rng: np.random.Generator, length: int) -> Tuple[np.ndarray, int]:
    """Daily data: peaky weekday profile x yearly cycle x level, holidays, noise; period 7."""
    start = int(rng.integers(0, 10_000))
    t = np.arange(length) + start
    # weekday profile: one or two peak days, or a weekend drop, with a random sharpness
    prof = np.ones(7)
    shape = rng.choice(["peak", "weekend", "random"])
    if shape == "peak":
        for _ in range(int(rng.integers(1, 3))):
            d = int(rng.integers(0, 7))
            prof += rng.uniform(0.5, 3.0) * np.exp(-0.5 * ((np.arange(7) - d + 3) % 7 - 3) ** 2 / rng.uniform(0.3, 1.5) ** 2)
    elif shape == "weekend":
        prof[[5, 6]] *= rng.uniform(0.05, 0.7)
    else:
        prof = np.exp(rng.normal(0, 0.5, size=7))
    prof = prof / prof.mean()
    weekly = prof[t % 7]
    yearly_amp = rng.uniform(0.0, 0.4)
    yearly = 1 + yearly_amp * np.sin(2 * math.pi * t / 365.25 + rng.uniform(0, 2 * math.pi))
    level = _slow_level(rng, length)
    x = level * weekly * yearly * _lognormal_noise(rng, length)
    if rng.random() < 0.5:  # holidays: the same days of the year every year
        days = rng.integers(0, 365, size=int(rng.integers(1, 6)))
        hit = np.isin(t % 365, days)
        x = np.where(hit, x * rng.uniform(0.0, 0.5), x)
    if rng.random() < 0.3:
        x = np.round(x * rng.uniform(5, 50))
    return x, 7


def peaky_seasonal_series(rng: np.random.Generator, length: int) -> Tuple[np.ndarray, int]:
    """Monthly (12) or quarterly (4) multiplicative seasonality with a sharp peak, on a trend."""
    period = int(rng.choice([12, 12, 4, 4, 52, 24]))
    phase = int(rng.integers(0, period))
    t = np.arange(length) + phase
    prof = np.exp(rng.normal(0, 0.15, size=period))
    for _ in range(int(rng.integers(1, 3))):
        prof[int(rng.integers(0, period))] *= rng.uniform(1.3, 3.0)
    prof = prof / prof.mean()
    season = prof[t % period]
    growth = rng.uniform(0.5, 1.5)  # seasonal amplitude growing (>1) or shrinking with the level
    level = _slow_level(rng, length)
    x = level * season ** growth * _lognormal_noise(rng, length)
    return x, period


def shifted_seasonal_series(rng: np.random.Generator, length: int) -> Tuple[np.ndarray, int]:
    """A seasonal series whose level steps up or down once or twice."""
    x, period = peaky_seasonal_series(rng, length)
    for _ in range(int(rng.integers(1, 3))):
        at = int(rng.integers(1, length))
        x = np.where(np.arange(length) >= at, x * math.exp(rng.normal(0, 0.4)), x)
    return x, period


def lumpy_intermittent_series(rng: np.random.Generator, length: int) -> Tuple[np.ndarray, int]:
    period = int(rng.choice([7, 12, 52]))
    t = np.arange(length) + int(rng.integers(0, period))
    rate = rng.uniform(0.05, 0.5) * np.exp(rng.uniform(0, 1.0) * np.sin(2 * math.pi * t / period))
    occur = rng.random(length) < np.clip(rate, 0.0, 0.95)
    sizes = np.ceil(rng.gamma(rng.uniform(0.3, 2.0), rng.uniform(1.0, 30.0), size=length))
    return occur * sizes, period


def regime_series(rng: np.random.Generator, length: int) -> Tuple[np.ndarray, int]:
    """One series of the regimes above (daily weekly 40%, peaky seasonal 30%, level shifts 15%, lumpy 15%)."""
    r = rng.random()
    if r < 0.4:
        x, m = daily_weekly_series(rng, length)
    elif r < 0.7:
        x, m = peaky_seasonal_series(rng, length)
    elif r < 0.85:
        x, m = shifted_seasonal_series(rng, length)
    else:
        x, m = lumpy_intermittent_series(rng, length)
    scale = math.exp(rng.uniform(math.log(1e-1), math.log(1e5)))
    return (x * scale).astype(np.float64), m


def periodic_copy_series(rng: np.random.Generator, length: int) -> Tuple[np.ndarray, int]:
    """An exactly repeating random profile (period 2-52, weekly and monthly most often) on a slow level.

    Why: the small model smoothed sharp seasonal profiles into waves (a clean period-16 profile forecast 6x worse
    than seasonal naive); repeating a profile it has seen is the skill seasonal naive embodies, and these series
    reward nothing else.
    """
    period = int(rng.choice([7, 7, 7, 12, 12, 24, 4, 5, 16, 52, 6, 14, 30, 2, 3]))
    if rng.random() < 0.5:
        prof = np.exp(rng.normal(0, rng.uniform(0.2, 0.9), size=period))
    else:
        prof = np.ones(period)
        prof[rng.choice(period, size=max(1, period // 4), replace=False)] *= rng.uniform(1.5, 5.0)
    phase = int(rng.integers(0, period))
    season = prof[(np.arange(length) + phase) % period]
    level = _slow_level(rng, length) if rng.random() < 0.6 else np.ones(length)
    noise = np.exp(rng.uniform(0.0, 0.12) * rng.standard_normal(length))
    x = level * season * noise
    if rng.random() < 0.3:  # additive version (can cross zero)
        x = (season - season.mean()) * rng.uniform(0.5, 3.0) + np.cumsum(rng.normal(0, 0.02, size=length))
    scale = math.exp(rng.uniform(math.log(1e-1), math.log(1e5)))
    return (x * scale).astype(np.float64), period


GROWTH_PERIODS = (12, 12, 12, 12, 12, 4, 4, 52, 7, 24, 6)


def growth_seasonal_series(rng: np.random.Generator, length: int, periods: Tuple[int, ...] = GROWTH_PERIODS) -> Tuple[np.ndarray, int]:
    """A sustained trend (log-linear growth or decline, sometimes bending) times a multiplicative seasonal profile.

    Why (stage 6): after stage 5 the model damped both the trend and the seasonal amplitude of growing seasonal
    series: a monthly series growing ~10% a year was forecast ~6% low with its seasonal peak below last year's. In
    these series the growth goes on through the horizon and the seasonal swing scales with the level, so damping
    either is penalised. Profiles are random harmonics with optional peaks, never taken from a held-out series.
    """
    period = int(rng.choice(periods))
    t = np.arange(length, dtype=np.float64)
    # growth per year, in log units: mostly modest growth, sometimes decline or fast growth
    g = rng.uniform(-0.04, 0.2) if rng.random() < 0.85 else rng.uniform(-0.15, 0.35)
    steps_per_year = {12: 12, 4: 4, 52: 52, 6: 12, 7: 365, 24: 8760}[period]
    bend = rng.uniform(-0.3, 0.3) if rng.random() < 0.5 else 0.0
    log_level = g * (t / steps_per_year) * (1 + bend * t / max(length, 1))
    wobble = np.cumsum(rng.normal(0, rng.uniform(0.0, 0.01), size=length))
    log_level += np.convolve(wobble, np.ones(9) / 9, mode="same")
    # seasonal profile in log units: a few harmonics, sometimes one or two sharp peaks
    k = np.arange(period) / period
    prof = np.zeros(period)
    for h in range(1, int(rng.integers(1, 4)) + 1):
        prof += rng.uniform(0, 1) / h * np.cos(2 * math.pi * h * k + rng.uniform(0, 2 * math.pi))
    if rng.random() < 0.5:
        for _ in range(int(rng.integers(1, 3))):
            prof[int(rng.integers(0, period))] += rng.uniform(0.5, 1.5) * max(float(np.ptp(prof)), 0.5)
    prof -= prof.mean()
    span = float(np.ptp(prof))
    prof = prof / span * rng.uniform(0.1, 0.9) if span > 0 else prof
    phase = int(rng.integers(0, period))
    season = prof[(t.astype(int) + phase) % period]
    if rng.random() < 0.4:  # the swing grows (or shrinks) faster than the level
        season = season * (1 + rng.uniform(-0.3, 0.5) * t / max(length, 1))
    # log-normal noise with a little autocorrelation
    sd, phi = rng.uniform(0.005, 0.06), rng.uniform(0.0, 0.6)
    e = rng.normal(0, sd, size=length)
    for i in range(1, length):
        e[i] += phi * e[i - 1]
    x = np.exp(log_level + season + e)
    scale = math.exp(rng.uniform(math.log(1e-1), math.log(1e5)))
    x = x * scale
    if rng.random() < 0.3:
        x = np.round(x)
    return x.astype(np.float64), period
