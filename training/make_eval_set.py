"""Write the held-out synthetic evaluation set (a seed the training never uses) as compact JSON.

    /usr/bin/python3 training/make_eval_set.py training/eval/data/synthetic-heldout.json
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chronos2.data import evaluation_set  # noqa: E402

# Training draws batch s from numpy's default_rng([seed, s]); a scalar seed gives an unrelated stream.
EVAL_SEED = 20261127


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else "training/eval/data/synthetic-heldout.json"
    series = evaluation_set(EVAL_SEED, count=120, context_length=256, horizon=24)
    for s in series:
        s["values"] = [float(f"{v:.6g}") for v in s["values"]]
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump({"seed": EVAL_SEED, "generator": "training/chronos2/data.py evaluation_set", "series": series}, f, separators=(",", ":"))
    print(f"wrote {len(series)} series to {out}")


if __name__ == "__main__":
    main()
