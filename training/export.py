"""Export a training checkpoint as a Hugging Face Chronos-2 checkpoint folder (config.json + model.safetensors).

    /usr/bin/python3 training/export.py training/runs/mini/final.pt public/models/chronos2-mini
    # uniform average of several checkpoints of the same run (the last ones, at low learning rate)
    /usr/bin/python3 training/export.py a.pt b.pt c.pt public/models/chronos2-mini
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chronos2.model import Chronos2, Chronos2Config  # noqa: E402
from chronos2.safetensors import load_file, save_file  # noqa: E402


def load_checkpoint(path: str) -> Chronos2:
    """A model from a training checkpoint (.pt) or from an exported folder (config.json + model.safetensors)."""
    if os.path.isdir(path):
        with open(os.path.join(path, "config.json")) as f:
            cfg = Chronos2Config.from_hf_dict(json.load(f))
        model = Chronos2(cfg)
        tensors = load_file(os.path.join(path, "model.safetensors"))
        model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in tensors.items()})
    else:
        state = torch.load(path, map_location="cpu")
        model = Chronos2(Chronos2Config(**state["config"]))
        model.load_state_dict(state["model"])
    model.eval()
    return model


def average_checkpoints(paths) -> Chronos2:
    """A model whose weights are the uniform average of the given training checkpoints."""
    models = [load_checkpoint(p) for p in paths]
    avg = models[0]
    with torch.no_grad():
        for name, tensor in avg.state_dict().items():
            tensor.copy_(torch.stack([m.state_dict()[name] for m in models]).mean(0))
    return avg


def export(model: Chronos2, out_dir: str, dtype: str = "F32") -> None:
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(model.cfg.to_hf_dict(), f, indent=2, sort_keys=True)
        f.write("\n")
    tensors = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    save_file(tensors, os.path.join(out_dir, "model.safetensors"), dtype)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoint", nargs="+", help="training checkpoint(s) (.pt; several are averaged) or an exported folder")
    ap.add_argument("out_dir")
    ap.add_argument("--dtype", default="F32", choices=["F32", "F16"])
    args = ap.parse_args()
    model = load_checkpoint(args.checkpoint[0]) if len(args.checkpoint) == 1 else average_checkpoints(args.checkpoint)
    export(model, args.out_dir, args.dtype)
    print(f"wrote {args.out_dir}/config.json and model.safetensors ({len(model.state_dict())} tensors)")


if __name__ == "__main__":
    main()
