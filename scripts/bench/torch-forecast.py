"""The comparison process of the CLI benchmark (docs/benchmarks.md, "CLI: whole process"): a PyTorch Chronos-2
forecast of a long-format CSV, start to file written, in one Python process.

Upstream's pipeline (chronos-forecasting) cannot be installed here (no PyPI), so this runs our own PyTorch
re-implementation of Chronos-2 (training/chronos2/model.py, the same forward pass as upstream's Chronos2Model,
checked against upstream's golden outputs by training/golden.py) through the steps upstream's predict takes for
this input: read the CSV, load config.json + model.safetensors, one batch of all series (upstream's batch_size
256), the horizon in one model call (64 steps = 4 patches, no unrolling), then write every quantile to a CSV.
It imports torch + numpy only, so it is a lower bound of the upstream process (which also imports pandas,
transformers and chronos).

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/bench/torch-forecast.py CKPT_DIR IN.csv OUT.csv --horizon 64
"""

import argparse
import csv
import math
import os
import sys
import time

T0 = time.perf_counter()
import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "training"))
from export import load_checkpoint  # noqa: E402

T_IMPORT = time.perf_counter()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoint")
    ap.add_argument("csv")
    ap.add_argument("out")
    ap.add_argument("--horizon", type=int, default=64)
    args = ap.parse_args()

    t = {"import": T_IMPORT - T0}
    s = time.perf_counter()
    series: dict = {}
    with open(args.csv, newline="") as f:
        reader = csv.DictReader(f)
        for row in reader:
            series.setdefault(row["item_id"], []).append(float(row["target"]) if row["target"] else math.nan)
    t["csv"] = time.perf_counter() - s

    s = time.perf_counter()
    model = load_checkpoint(args.checkpoint)
    t["model"] = time.perf_counter() - s

    s = time.perf_counter()
    ids = list(series)
    length = max(len(v) for v in series.values())
    context = torch.full((len(ids), length), math.nan)
    for i, k in enumerate(ids):
        context[i, length - len(series[k]) :] = torch.tensor(series[k])
    patches = math.ceil(args.horizon / model.cfg.patch_size)
    with torch.no_grad():
        out = model(context, num_output_patches=patches)
    preds = out.quantile_preds[:, :, : args.horizon].numpy()  # [B, Q, H]
    t["forecast"] = time.perf_counter() - s

    s = time.perf_counter()
    levels = model.cfg.quantiles
    median = levels.index(0.5)
    with open(args.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["item_id", "step", "mean"] + [f"q{q:g}" for q in levels])
        for i, k in enumerate(ids):
            for h in range(args.horizon):
                w.writerow([k, h + 1, f"{preds[i, median, h]:.6g}"] + [f"{preds[i, q, h]:.6g}" for q in range(len(levels))])
    t["write"] = time.perf_counter() - s
    t["total_in_process"] = time.perf_counter() - T0
    print(" ".join(f"{k}={v:.3f}s" for k, v in t.items()), f"torch {torch.__version__} threads {torch.get_num_threads()}", file=sys.stderr)


if __name__ == "__main__":
    main()
