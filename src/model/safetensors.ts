// Reads `model.safetensors` files, which come from users and the network and so are untrusted bytes: every
// length and offset is checked before it is used, nothing large is allocated before the header is known to fit
// in the file, and the header JSON cannot reach object prototypes. Works in browsers and Node (Uint8Array,
// DataView and TextDecoder only).
import { describeValue } from './describe-value';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from './json-depth';

/** Element types this reader accepts (everything is widened to float32). */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';

/** Where one tensor lies in the file. */
export interface TensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** absolute byte offset in the file */
  byteOffset: number;
  byteLength: number;
}

/** A malformed or unsupported safetensors file; the message names the file and, where one is at fault, the tensor. */
export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
  /** File name given by the caller. */
  readonly file: string;
  /** Tensor at fault, if any. */
  readonly tensor?: string;

  constructor(message: string, file: string, tensor?: string) {
    super(message);
    this.file = file;
    if (tensor !== undefined) this.tensor = tensor;
  }
}

/**
 * Largest header accepted (bytes). A Chronos-2 header is tens of KB (the 1.4M chronos2-mini's: 7 KB); 4 MiB leaves room for
 * far larger models and metadata while bounding the time and memory of parsing it (a 23 MB header took 4.8 s).
 */
export const MAX_HEADER_BYTES = 4 * 1024 * 1024;

const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };
const ACCEPTED_DTYPES = Object.keys(DTYPE_BYTES).join(', ');
const DEFAULT_FILE = 'model.safetensors';

function isDtype(value: unknown): value is SafetensorsDtype {
  return value === 'F32' || value === 'F16' || value === 'BF16';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}


function tensorError(file: string, tensor: string, problem: string): SafetensorsError {
  return new SafetensorsError(`${file}: tensor ${JSON.stringify(tensor)}: ${problem}`, file, tensor);
}

/**
 * Finds the first key that occurs twice in one object of a JSON text. `JSON.parse` silently keeps the last
 * duplicate, which would let two headers disagree about a tensor. Assumes `text` is valid JSON.
 */
function findDuplicateKey(text: string): { key: string; topLevel: boolean } | undefined {
  // One pass with charCodeAt only: no regex or slice per character, one slice per key (a 4 MB header has ~50k).
  const stack: Array<Set<string> | null> = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) {
      stack.push(new Set());
      i++;
    } else if (c === 0x5b /* [ */) {
      stack.push(null);
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      i++;
    } else if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 0x5c /* \ */) {
          escaped = true;
          j += 2;
        } else if (d === 0x22) {
          break;
        } else {
          j++;
        }
      }
      const keys = stack[stack.length - 1];
      if (keys) {
        let k = j + 1;
        let d = text.charCodeAt(k);
        while (d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) d = text.charCodeAt(++k);
        if (d === 0x3a /* : */) {
          const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
          if (keys.has(key)) return { key, topLevel: stack.length === 1 };
          keys.add(key);
        }
      }
      i = j + 1;
    } else {
      i++;
    }
  }
  return undefined;
}

function readEntry(file: string, name: string, entry: unknown, dataLength: number, dataOffset: number): TensorInfo {
  if (!isObject(entry)) throw tensorError(file, name, `header entry must be an object, found ${describeValue(entry)}`);
  const own = (key: string): unknown => (Object.prototype.hasOwnProperty.call(entry, key) ? entry[key] : undefined);

  const dtype = own('dtype');
  if (!isDtype(dtype)) {
    throw tensorError(file, name, `unsupported dtype ${describeValue(dtype)}; accepted: ${ACCEPTED_DTYPES}`);
  }

  const shape = own('shape');
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw tensorError(file, name, `shape must be an array of non-negative integers, found ${describeValue(shape)}`);
  }
  let elements = 1;
  for (const d of shape as number[]) {
    elements *= d;
    if (!Number.isSafeInteger(elements)) throw tensorError(file, name, `shape ${describeValue(shape)} has too many elements`);
  }

  const offsets = own('data_offsets');
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0) ||
    (offsets[0] as number) > (offsets[1] as number)
  ) {
    throw tensorError(file, name, `data_offsets must be [begin, end] with 0 <= begin <= end, found ${describeValue(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end > dataLength) {
    throw tensorError(
      file,
      name,
      `data_offsets ${describeValue(offsets)} end beyond the data buffer (${dataLength} bytes); the file may be truncated`,
    );
  }
  const byteLength = end - begin;
  const expected = elements * DTYPE_BYTES[dtype];
  if (byteLength !== expected) {
    throw tensorError(
      file,
      name,
      `data_offsets ${describeValue(offsets)} span ${byteLength} bytes but shape ${describeValue(shape)} of ${dtype} needs ${expected}`,
    );
  }
  return { name, dtype, shape: [...(shape as number[])], byteOffset: dataOffset + begin, byteLength };
}

/**
 * Parses the header of a safetensors file from its first bytes, so big files can be streamed: `prefix` must hold
 * at least the first `8 + headerLength` bytes (read 8 bytes first to learn `headerLength`, or pass the whole file).
 *
 * @param prefix the first bytes of the file (at least 8 + header length)
 * @param fileSize total size of the file in bytes, to check every tensor lies inside it; undefined while it is
 *   not known (a download without Content-Length): then only the header itself is checked
 * @param fileName used in messages
 * @returns header length, absolute offset of the data buffer, tensors by name, the `__metadata__` strings, and
 *   `describedBytes`: the size of a file holding exactly the header and the tensors it describes
 * @throws SafetensorsError on any malformed or unsupported header
 */
export function parseSafetensorsHeader(
  prefix: Uint8Array,
  fileSize: number | undefined,
  fileName: string = DEFAULT_FILE,
): { headerLength: number; dataOffset: number; tensors: Map<string, TensorInfo>; metadata: Record<string, string>; describedBytes: number } {
  const fail = (problem: string): SafetensorsError => new SafetensorsError(`${fileName}: ${problem}`, fileName);
  if (fileSize !== undefined && (!Number.isSafeInteger(fileSize) || fileSize < 0)) throw fail(`invalid file size ${fileSize}`);
  if (fileSize !== undefined && fileSize < 8) {
    throw fail(`file is ${fileSize} bytes, too short for a safetensors file (needs an 8-byte header length)`);
  }
  if (prefix.length < 8) {
    throw fail(`need the first 8 bytes of the file to read the header length, got ${prefix.length}`);
  }

  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const headerLength64 = view.getBigUint64(0, true);
  if (headerLength64 === 0n) throw fail('header length is 0; not a safetensors file');
  if (headerLength64 > BigInt(MAX_HEADER_BYTES)) {
    throw fail(
      `header length ${headerLength64} exceeds the limit of ${MAX_HEADER_BYTES} bytes; not a safetensors file or corrupt`,
    );
  }
  const headerLength = Number(headerLength64);
  const dataOffset = 8 + headerLength;
  if (fileSize !== undefined && dataOffset > fileSize) {
    throw fail(`header length ${headerLength} runs past the end of the file (${fileSize} bytes); the file is truncated`);
  }
  if (prefix.length < dataOffset) {
    throw fail(`need the first ${dataOffset} bytes of the file to read the header, got ${prefix.length}`);
  }

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(prefix.subarray(8, dataOffset));
  } catch {
    throw fail('header is not valid UTF-8');
  }
  if (jsonNestsDeeperThan(text)) throw fail(`header nests arrays or objects more than ${MAX_JSON_DEPTH} deep; not a safetensors header`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    throw fail(`header is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isObject(header)) throw fail(`header must be a JSON object, found ${describeValue(header)}`);
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) {
    const { key, topLevel } = duplicate;
    if (topLevel) throw tensorError(fileName, key, 'appears twice in the header');
    throw fail(`header has the key ${JSON.stringify(key)} twice in one object`);
  }

  // NOTE: JSON.parse defines "__proto__" as an own data property, and we only walk own entries into a Map and a
  // null-prototype record, so a tensor or metadata key named "__proto__" is an ordinary name here.
  const metadata = Object.create(null) as Record<string, string>;
  const tensors = new Map<string, TensorInfo>();
  const dataLength = fileSize === undefined ? Number.MAX_SAFE_INTEGER : fileSize - dataOffset;
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isObject(entry)) throw fail(`__metadata__ must be an object of strings, found ${describeValue(entry)}`);
      for (const [key, value] of Object.entries(entry)) {
        if (typeof value !== 'string') {
          throw fail(`__metadata__.${key} must be a string, found ${describeValue(value)}`);
        }
        metadata[key] = value;
      }
      continue;
    }
    tensors.set(name, readEntry(fileName, name, entry, dataLength, dataOffset));
  }

  const ranges = [...tensors.values()].filter((t) => t.byteLength > 0).sort((a, b) => a.byteOffset - b.byteOffset);
  for (let i = 1; i < ranges.length; i++) {
    const prev = ranges[i - 1];
    const cur = ranges[i];
    if (cur.byteOffset < prev.byteOffset + prev.byteLength) {
      throw tensorError(
        fileName,
        cur.name,
        `data overlaps tensor ${JSON.stringify(prev.name)} (data_offsets [${cur.byteOffset - dataOffset}, ${
          cur.byteOffset - dataOffset + cur.byteLength
        }] vs [${prev.byteOffset - dataOffset}, ${prev.byteOffset - dataOffset + prev.byteLength}])`,
      );
    }
  }

  const describedBytes = ranges.reduce((end, t) => Math.max(end, t.byteOffset + t.byteLength), dataOffset);
  return { headerLength, dataOffset, tensors, metadata, describedBytes };
}

const F32_SCRATCH = new Float32Array(1);
const U32_SCRATCH = new Uint32Array(F32_SCRATCH.buffer);
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** IEEE 754 half-precision bit pattern (low 16 bits of `bits`) → its exact value. */
export function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}

/** bfloat16 bit pattern (low 16 bits of `bits`) → its exact value (the upper half of a float32). */
export function bfloat16ToFloat32(bits: number): number {
  U32_SCRATCH[0] = (bits & 0xffff) << 16;
  return F32_SCRATCH[0];
}

/** A whole safetensors file held in memory, with validated tensor locations. */
export class SafetensorsFile {
  private constructor(
    private readonly bytes: Uint8Array,
    readonly fileName: string,
    readonly tensors: Map<string, TensorInfo>,
    readonly metadata: Record<string, string>,
  ) {}

  /**
   * Validates the header of a complete file (see {@link parseSafetensorsHeader}); the bytes are kept, not copied.
   * @throws SafetensorsError on any malformed or unsupported header
   */
  static parse(bytes: Uint8Array, fileName: string = DEFAULT_FILE): SafetensorsFile {
    const { tensors, metadata } = parseSafetensorsHeader(bytes, bytes.length, fileName);
    return new SafetensorsFile(bytes, fileName, tensors, metadata);
  }

  /**
   * A tensor as float32 without copying where possible: an aligned F32 tensor on a little-endian host is returned
   * as a read-only-by-contract view into the file's bytes; anything else is converted as {@link getFloat32} does.
   * NOTE: the converter uses this so that writing a 500 MB model does not also allocate (and leave for the garbage
   * collector) a second 500 MB of per-tensor copies; callers must not modify the returned array.
   * @throws SafetensorsError naming the tensor if the file has no such tensor
   */
  viewFloat32(name: string): Float32Array {
    const info = this.tensors.get(name);
    if (info && info.dtype === 'F32' && LITTLE_ENDIAN_HOST) {
      const start = this.bytes.byteOffset + info.byteOffset;
      if (start % 4 === 0) return new Float32Array(this.bytes.buffer, start, info.byteLength / 4);
    }
    return this.getFloat32(name);
  }

  /**
   * A float32 copy of a tensor, row-major: F16 and BF16 are widened exactly, F32 is read little-endian whatever
   * the host byte order and alignment of the tensor.
   * @throws SafetensorsError naming the tensor if the file has no such tensor
   */
  getFloat32(name: string): Float32Array {
    const info = this.tensors.get(name);
    if (!info) {
      throw tensorError(this.fileName, name, `not in the file (it has ${this.tensors.size} tensors)`);
    }
    const start = this.bytes.byteOffset + info.byteOffset;
    const view = new DataView(this.bytes.buffer, start, info.byteLength);
    if (info.dtype === 'F32') {
      const n = info.byteLength / 4;
      if (LITTLE_ENDIAN_HOST && start % 4 === 0) {
        return new Float32Array(this.bytes.buffer.slice(start, start + info.byteLength));
      }
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    }
    const n = info.byteLength / 2;
    const out = new Float32Array(n);
    if (info.dtype === 'BF16') {
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) bits[i] = view.getUint16(2 * i, true) << 16;
    } else {
      for (let i = 0; i < n; i++) out[i] = float16ToFloat32(view.getUint16(2 * i, true));
    }
    return out;
  }
}
