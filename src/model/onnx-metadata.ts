// Reads the metadata a converted model carries inside its ONNX file (ModelProto.metadata_props: the quantile
// levels and patch size the converter wrote), without decoding the graph: the top-level protobuf fields are
// walked and the graph's bytes skipped by their length, so a 500 MB model costs microseconds. Used to check a
// manifest against the graph it describes.

/** ModelProto field numbers (onnx.proto). */
const METADATA_PROPS = 14;

/** Reads a base-128 varint at `at`; returns the value and the next offset, or null when malformed. */
function varint(bytes: Uint8Array, at: number): { value: number; next: number } | null {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length && i < at + 10; i++) {
    const b = bytes[i];
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) return Number.isSafeInteger(value) ? { value, next: i + 1 } : null;
  }
  return null;
}

/** Walks the fields of one protobuf message; calls `onBytes` for each length-delimited field. False when malformed. */
function walk(bytes: Uint8Array, onBytes: (field: number, start: number, end: number) => void): boolean {
  let at = 0;
  while (at < bytes.length) {
    const tag = varint(bytes, at);
    if (!tag) return false;
    at = tag.next;
    const field = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    if (wire === 0) {
      const v = varint(bytes, at);
      if (!v) return false;
      at = v.next;
    } else if (wire === 1) {
      at += 8;
    } else if (wire === 5) {
      at += 4;
    } else if (wire === 2) {
      const len = varint(bytes, at);
      if (!len || len.next + len.value > bytes.length) return false;
      onBytes(field, len.next, len.next + len.value);
      at = len.next + len.value;
    } else {
      return false;
    }
  }
  return at === bytes.length;
}

/**
 * The `metadata_props` of an ONNX model as a key → value record (null-prototype); null when the bytes are not a
 * well-formed protobuf message.
 */
export function readOnnxMetadata(onnx: Uint8Array): Record<string, string> | null {
  const decoder = new TextDecoder();
  const props = Object.create(null) as Record<string, string>;
  const ok = walk(onnx, (field, start, end) => {
    if (field !== METADATA_PROPS) return;
    let key: string | undefined;
    let value: string | undefined;
    walk(onnx.subarray(start, end), (f, s, e) => {
      const text = decoder.decode(onnx.subarray(start + s, start + e));
      if (f === 1) key = text;
      else if (f === 2) value = text;
    });
    if (key !== undefined && value !== undefined) props[key] = value;
  });
  return ok ? props : null;
}
