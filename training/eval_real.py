"""Quick validation of a training checkpoint on the real-val panel (for choosing checkpoints while training runs).

    /usr/bin/python3 training/eval_real.py training/runs/real/last.pt [more.pt | exported-folder ...]

For every file of ../shared/data/real-val (split=train is the history, split=test the official horizon) it forecasts
each series with the PyTorch model (median of the quantile head, one model call, context = the last
context_length steps) and reports per frequency group the geometric mean over series of MASE(model) /
MASE(seasonal naive) and WQL(model) / WQL(seasonal naive), plus the mean MASE of both. The authoritative numbers
(through the converter and onnxruntime, with AutoETS) come from `npm run eval`; this script is for model selection
only and never trains on anything.
"""

from __future__ import annotations

import csv
import json
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export import load_checkpoint  # noqa: E402

VAL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "real-val")
AIRLINE = os.path.join(VAL, "..", "airline-passengers.csv")
SEASON = {"m3_monthly": 12, "m3_quarterly": 4, "m3_yearly": 1, "nn5_daily": 7}


def load_val(path: str):
    series = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            s = series.setdefault(r["item_id"], {"train": [], "test": []})
            v = float(r["target"]) if r["target"] != "" else math.nan
            s[r["split"]].append(v)
    return series


def snaive(train: np.ndarray, h: int, m: int) -> np.ndarray:
    last = train[-m:]
    return np.array([last[i % m] for i in range(h)])


def mase_scale(train: np.ndarray, m: int) -> float:
    x = train[np.isfinite(train)]
    if len(x) <= m:
        m = 1
    d = np.abs(x[m:] - x[:-m])
    s = float(np.mean(d)) if len(d) else math.nan
    return s if s > 0 else math.nan


def wql(y: np.ndarray, qf: np.ndarray, levels: np.ndarray) -> float:
    """Weighted quantile loss: sum of pinball losses over steps and levels / sum |y|, averaged over levels."""
    diff = y[None, :] - qf
    loss = np.maximum(levels[:, None] * diff, (levels[:, None] - 1) * diff)
    return float(2 * loss.sum(1).mean() / np.abs(y).sum())


EVAL_LEVELS = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])


@torch.no_grad()
def forecast(model, contexts, h):
    cfg = model.cfg
    n = math.ceil(h / cfg.patch_size)
    t = min(cfg.context_length, max(len(c) for c in contexts))
    out = []
    for i in range(0, len(contexts), 64):
        chunk = contexts[i : i + 64]
        ctx = np.full((len(chunk), t), np.nan, dtype=np.float32)
        for j, c in enumerate(chunk):
            c = c[-t:]
            ctx[j, t - len(c) :] = c
        res = model(torch.from_numpy(ctx), group_ids=torch.arange(len(chunk)), num_output_patches=n)
        out.append(res.quantile_preds.numpy()[:, :, :h] if hasattr(res, "quantile_preds") else res[0].numpy()[:, :, :h])
    return np.concatenate(out)


def evaluate(model) -> dict:
    levels = np.array(model.cfg.quantiles)
    idx = [int(np.argmin(np.abs(levels - q))) for q in EVAL_LEVELS]
    med = int(np.argmin(np.abs(levels - 0.5)))
    groups = {}
    for name, m in SEASON.items():
        data = load_val(os.path.join(VAL, name + ".csv"))
        items = sorted(data)
        ctxs = [np.array(data[k]["train"], dtype=np.float32) for k in items]
        h = len(data[items[0]]["test"])
        q = forecast(model, ctxs, h)
        r_mase, r_wql, mm, ms = [], [], [], []
        for k, ctx, qf in zip(items, ctxs, q):
            y = np.array(data[k]["test"], dtype=np.float64)
            sc = mase_scale(ctx.astype(np.float64), m)
            sn = snaive(ctx.astype(np.float64), h, m)
            if not math.isfinite(sc):
                continue
            m_model = np.mean(np.abs(y - qf[med])) / sc
            m_naive = np.mean(np.abs(y - sn)) / sc
            w_model = wql(y, qf[idx], EVAL_LEVELS)
            w_naive = wql(y, np.repeat(sn[None, :], len(EVAL_LEVELS), 0), EVAL_LEVELS)
            if m_naive > 0 and m_model > 0:
                r_mase.append(m_model / m_naive)
            if w_naive > 0 and w_model > 0:
                r_wql.append(w_model / w_naive)
            mm.append(m_model)
            ms.append(m_naive)
        groups[name] = {
            "series": len(items),
            "gm_mase_ratio": float(np.exp(np.mean(np.log(r_mase)))),
            "gm_wql_ratio": float(np.exp(np.mean(np.log(r_wql)))),
            "mase_model": float(np.mean(mm)),
            "mase_snaive": float(np.mean(ms)),
        }
    # reported, never used for selection: the airline series is held out from training and tuning
    air = [float(l.split(",")[1]) for l in open(AIRLINE).read().strip().split("\n")[1:]]
    qa = forecast(model, [np.array(air[:132], dtype=np.float32)], 12)[0][med]
    groups["airline_1960_mape"] = float(np.mean(np.abs(np.array(air[132:]) - qa) / np.array(air[132:])) * 100)
    groups["overall"] = {
        "gm_mase_ratio": float(np.exp(np.mean([math.log(g["gm_mase_ratio"]) for k, g in groups.items() if k in SEASON]))),
        "gm_wql_ratio": float(np.exp(np.mean([math.log(g["gm_wql_ratio"]) for k, g in groups.items() if k in SEASON]))),
    }
    return groups


def main() -> None:
    torch.set_num_threads(1)
    for path in sys.argv[1:]:
        t0 = time.time()
        res = evaluate(load_checkpoint(path))
        cells = "  ".join(f"{k}: mase {v['gm_mase_ratio']:.3f} wql {v['gm_wql_ratio']:.3f}" for k, v in res.items() if isinstance(v, dict))
        cells += f"  (airline 1960 MAPE {res['airline_1960_mape']:.2f}%, not used for selection)"
        print(f"{path} ({time.time() - t0:.0f}s)  {cells}", flush=True)
        print(json.dumps({"checkpoint": path, **res}), file=sys.stderr)


if __name__ == "__main__":
    main()
