"""Minimal safetensors writer/reader (numpy + struct), so the checkpoint needs no extra Python package.

Layout: 8-byte little-endian header length, a JSON header ``{"__metadata__": {...}, name: {"dtype", "shape",
"data_offsets": [begin, end]}}`` with keys sorted, padded with spaces to a multiple of 8 bytes, then the raw
little-endian tensor bytes in header order.
"""

from __future__ import annotations

import json
import struct
from typing import Dict

import numpy as np

_DTYPES = {"F32": np.dtype("<f4"), "F16": np.dtype("<f2")}


def save_file(tensors: Dict[str, np.ndarray], path: str, dtype: str = "F32") -> None:
    header: Dict[str, object] = {"__metadata__": {"format": "pt"}}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name], dtype=_DTYPES[dtype])
        data = arr.tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((-len(text)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def load_file(path: str) -> Dict[str, np.ndarray]:
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        out[name] = np.frombuffer(raw[base + begin : base + end], dtype=_DTYPES[info["dtype"]]).reshape(info["shape"]).astype(np.float32)
    return out
