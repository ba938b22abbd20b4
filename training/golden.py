"""Golden outputs of our PyTorch Chronos-2, in the fixtures/chronos2 case format (``call: "model_forward"``).

    # write cases for an exported model folder into <fixtures>/cases and copy the checkpoint to <fixtures>/models
    /usr/bin/python3 training/golden.py write public/models/chronos2-mini test/fixtures/trained --name chronos2-mini
    # check our re-implementation against upstream's own model_forward fixtures
    /usr/bin/python3 training/golden.py check test/fixtures/chronos2

The TypeScript side (converter + onnxruntime) must reproduce these outputs within 1e-4 relative
(``npm run parity -- test/fixtures/trained``, test/training/trained-model.test.ts).
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import os
import shutil
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chronos2.data import make_batch, univariate_series  # noqa: E402
from export import load_checkpoint  # noqa: E402


def _nan_to_none(x):
    if isinstance(x, list):
        return [_nan_to_none(v) for v in x]
    return None if (isinstance(x, float) and math.isnan(x)) else x


def _from_json(x):
    return np.array([[np.nan if v is None else v for v in row] for row in x], dtype=np.float32)


def run_forward(model, inputs: dict, num_output_patches: int):
    ctx = torch.from_numpy(_from_json(inputs["context"]))
    gids = torch.tensor(inputs["group_ids"], dtype=torch.long) if "group_ids" in inputs else None
    fcov = torch.from_numpy(_from_json(inputs["future_covariates"])) if "future_covariates" in inputs else None
    with torch.no_grad():
        out = model(ctx, group_ids=gids, future_covariates=fcov, num_output_patches=num_output_patches)
    return out


def check(fixtures: str) -> int:
    """Compare with every model_forward case of an upstream fixtures folder whose model is present."""
    failures = 0
    for path in sorted(glob.glob(os.path.join(fixtures, "cases", "*.json"))):
        case = json.load(open(path))
        model_dir = os.path.join(fixtures, "models", case["model"])
        if case["call"] != "model_forward" or not os.path.exists(os.path.join(model_dir, "model.safetensors")):
            continue
        model = load_checkpoint(model_dir)
        out = run_forward(model, case["inputs"], case["options"]["kwargs"]["num_output_patches"])
        exp = np.array(case["expected"]["quantile_preds"], dtype=np.float64)
        got = out.quantile_preds.double().numpy()
        rel = np.abs(got - exp).max() / np.abs(exp).max()
        ok = rel <= 1e-4
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {os.path.basename(path)}: max rel error {rel:.2e}")
    return failures


def make_cases(seed: int = 7):
    """A handful of forward inputs: lengths, NaNs, groups, future covariates, several output patch counts."""
    rng = np.random.default_rng(seed)
    cases = []

    def series(length):
        return univariate_series(rng, length)[0]

    airline = np.loadtxt(os.path.join(os.path.dirname(__file__), "..", "public", "airline-passengers.csv"), delimiter=",", skiprows=1, usecols=1)
    cases.append(("airline_132_n1", "Airline passengers 1949-1959 (132 months), one output patch.", {"context": [airline[:132].tolist()]}, 1))
    cases.append(("airline_144_n4", "Full airline series (144 months), four output patches.", {"context": [airline.tolist()]}, 4))

    x = np.stack([series(200), series(200), series(200)])
    x[0, :37] = np.nan  # left padding (a shorter series)
    x[1, rng.random(200) < 0.1] = np.nan  # scattered missing values
    x[2, 120:150] = np.nan  # a gap
    cases.append(("nan_batch3_n2", "Three independent rows of length 200 with left padding, scattered NaNs and a gap; 2 output patches.", {"context": x.tolist()}, 2))

    long = series(700)
    cases.append(("long_700_n3", "A 700-step series (longer than context_length: truncated inside the model); 3 output patches.", {"context": [long.tolist()]}, 3))

    b = make_batch(rng, 10, 160, 16, 2, multivariate_share=1.0)
    fc = b.future_covariates.astype(np.float64)
    # cut the future covariates to 20 steps: the model pads them to n*P
    cases.append(("groups_future_covariates_n2", "A generated multivariate batch (group ids, known future covariates cut to 20 steps, NaN = unknown), 2 output patches.",
                  {"context": b.context.astype(np.float64).tolist(), "group_ids": b.group_ids.tolist(), "future_covariates": fc[:, :20].tolist()}, 2))

    y = series(48)
    cases.append(("short_48_constant_n1", "A 48-step series and a constant row (scale 0 -> 1e-5) and an all-NaN row; 1 output patch.",
                  {"context": [y.tolist(), [5.0] * 48, [float("nan")] * 48]}, 1))
    return cases


def write(model_dir: str, fixtures: str, name: str) -> None:
    model = load_checkpoint(model_dir)
    dst_model = os.path.join(fixtures, "models", name)
    if os.path.realpath(dst_model) != os.path.realpath(model_dir):
        os.makedirs(dst_model, exist_ok=True)
        for f in ("config.json", "model.safetensors"):
            shutil.copyfile(os.path.join(model_dir, f), os.path.join(dst_model, f))
    os.makedirs(os.path.join(fixtures, "cases"), exist_ok=True)
    for case_name, desc, inputs, n in make_cases():
        # inputs go through float32 so the TypeScript side reads exactly what the model saw
        inputs = {k: (_nan_to_none(np.asarray(v, dtype=np.float32).astype(np.float64).tolist()) if k != "group_ids" else v) for k, v in inputs.items()}
        out = run_forward(model, inputs, n)
        case = {
            "model": name,
            "description": desc + " Produced by training/golden.py from our PyTorch model (torch " + torch.__version__ + ").",
            "call": "model_forward",
            "input_format": "model_forward",
            "inputs": inputs,
            "options": {"function": "Chronos2Model.forward", "kwargs": {"num_output_patches": n},
                        "python": f"model(context, group_ids=..., future_covariates=..., num_output_patches={n})"},
            "expected": {
                "quantile_preds": out.quantile_preds.double().numpy().tolist(),
                "loc": out.loc.double().numpy().tolist(),
                "scale": out.scale.double().numpy().tolist(),
            },
        }
        with open(os.path.join(fixtures, "cases", f"{case_name}.json"), "w") as f:
            json.dump(case, f)
        print(f"wrote {case_name}: {len(inputs['context'])} rows, n={n}")


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("model_dir")
    w.add_argument("fixtures")
    w.add_argument("--name", required=True)
    c = sub.add_parser("check")
    c.add_argument("fixtures")
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.cmd == "write":
        write(args.model_dir, args.fixtures, args.name)
    else:
        sys.exit(1 if check(args.fixtures) else 0)


if __name__ == "__main__":
    main()
