// Checks the safetensors reader against hand-built malformed files (all in memory), the fixture checkpoints and
// files written by writeSafetensors, and the exactness of the F16/BF16 widening.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseChronos2Config } from '../../src/model/config';
import {
  makeChronos2ConfigJson,
  randomChronos2Tensors,
  writeSafetensors,
} from '../../src/model/random-checkpoint';
import {
  MAX_HEADER_BYTES,
  SafetensorsError,
  SafetensorsFile,
  bfloat16ToFloat32,
  float16ToFloat32,
  parseSafetensorsHeader,
} from '../../src/model/safetensors';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const randomSmallDir = path.join(repoRoot, 'test/fixtures/chronos2/models/random-small');
const dummyDir = path.resolve(repoRoot, '../shared/fixtures/chronos2/models/dummy');
const dummyAvailable = existsSync(path.join(dummyDir, 'model.safetensors'));
// Outside CI a missing shared fixture only skips; in CI the test runs and fails on the missing file.
const itDummy = dummyAvailable || process.env.CI === 'true' ? it : it.skip;

/** A safetensors file: 8-byte LE header length, header (object → JSON, string or raw bytes), data. */
function buildFile(header: unknown, data: Uint8Array = new Uint8Array(0), headerLength?: bigint): Uint8Array {
  const headerBytes =
    header instanceof Uint8Array
      ? header
      : new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  out.set(data, 8 + headerBytes.length);
  return out;
}

function f32Bytes(values: number[]): Uint8Array {
  const out = new Uint8Array(4 * values.length);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return out;
}

/** Asserts a SafetensorsError for `file` (and `tensor`) whose message names them and mentions `mentions`. */
function expectSafetensorsError(
  fn: () => unknown,
  expected: { file?: string; tensor?: string; mentions?: string[] } = {},
): SafetensorsError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(SafetensorsError);
  const err = caught as SafetensorsError;
  const file = expected.file ?? 'model.safetensors';
  expect(err.name).toBe('SafetensorsError');
  expect(err.file).toBe(file);
  expect(err.message).toContain(file);
  expect(err.tensor).toBe(expected.tensor);
  if (expected.tensor !== undefined) expect(err.message).toContain(JSON.stringify(expected.tensor));
  for (const text of expected.mentions ?? []) expect(err.message).toContain(text);
  return err;
}

const parse = (bytes: Uint8Array, name?: string): SafetensorsFile => SafetensorsFile.parse(bytes, name);
const entry = (shape: number[], begin: number, end: number, dtype = 'F32'): Record<string, unknown> => ({
  dtype,
  shape,
  data_offsets: [begin, end],
});

describe('parseSafetensorsHeader: framing', () => {
  it('rejects files shorter than 8 bytes', () => {
    for (const size of [0, 1, 7]) {
      expectSafetensorsError(() => parse(new Uint8Array(size)), { mentions: [`${size} bytes`, 'too short'] });
    }
  });

  it('rejects a zero header length', () => {
    expectSafetensorsError(() => parse(buildFile('', new Uint8Array(16), 0n)), { mentions: ['header length is 0'] });
  });

  it('rejects huge header lengths before allocating anything', () => {
    for (const length of [2n ** 53n, 2n ** 64n - 1n, BigInt(MAX_HEADER_BYTES) + 1n]) {
      const bytes = buildFile('{}', new Uint8Array(0), length);
      expectSafetensorsError(() => parse(bytes, 'huge.safetensors'), {
        file: 'huge.safetensors',
        mentions: [String(length), 'exceeds'],
      });
    }
  });

  it('rejects a header length past the end of the file', () => {
    const bytes = buildFile('{}', new Uint8Array(0), 100n);
    expectSafetensorsError(() => parse(bytes), { mentions: ['header length 100', 'past the end', `${bytes.length}`] });
  });

  it('needs the whole header in the prefix, and streams with just that prefix', () => {
    const file = buildFile({ a: entry([2], 0, 8) }, f32Bytes([1, 2]));
    const headerLength = file.length - 8 - 8;
    expectSafetensorsError(() => parseSafetensorsHeader(file.subarray(0, 4), file.length), {
      mentions: ['first 8 bytes'],
    });
    expectSafetensorsError(() => parseSafetensorsHeader(file.subarray(0, 20), file.length), {
      mentions: [`first ${8 + headerLength} bytes`],
    });
    const header = parseSafetensorsHeader(file.subarray(0, 8 + headerLength), file.length);
    expect(header.headerLength).toBe(headerLength);
    expect(header.dataOffset).toBe(8 + headerLength);
    expect(header.tensors.get('a')).toEqual({
      name: 'a',
      dtype: 'F32',
      shape: [2],
      byteOffset: 8 + headerLength,
      byteLength: 8,
    });
  });

  it('rejects a header that is not UTF-8', () => {
    expectSafetensorsError(() => parse(buildFile(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))), {
      mentions: ['not valid UTF-8'],
    });
  });

  it('rejects a header that is not JSON', () => {
    expectSafetensorsError(() => parse(buildFile('{"a": {"dtype": "F32",')), { mentions: ['not valid JSON'] });
    expectSafetensorsError(() => parse(buildFile('PK\u0003\u0004 zip file')), { mentions: ['not valid JSON'] });
  });

  it('rejects a header that is not an object', () => {
    for (const header of ['[]', '42', 'null', '"F32"']) {
      expectSafetensorsError(() => parse(buildFile(header)), { mentions: ['must be a JSON object'] });
    }
  });

  it('accepts trailing space padding and reads metadata', () => {
    const json = JSON.stringify({ __metadata__: { format: 'pt' }, x: entry([1], 0, 4) });
    const file = parse(buildFile(json + ' '.repeat(5), f32Bytes([3.5])));
    expect({ ...file.metadata }).toEqual({ format: 'pt' });
    expect([...file.tensors.keys()]).toEqual(['x']);
    expect(file.getFloat32('x')).toEqual(new Float32Array([3.5]));
  });

  it('rejects non-string metadata', () => {
    expectSafetensorsError(() => parse(buildFile({ __metadata__: { step: 3 } })), {
      mentions: ['__metadata__.step'],
    });
    expectSafetensorsError(() => parse(buildFile({ __metadata__: 'pt' })), { mentions: ['__metadata__'] });
  });
});

describe('parseSafetensorsHeader: tensor entries', () => {
  it('rejects an entry that is not an object', () => {
    expectSafetensorsError(() => parse(buildFile({ w: [1, 2] })), { tensor: 'w', mentions: ['must be an object'] });
  });

  it.each(['I64', 'F64', 'BOOL', 'U8', 'F8_E4M3', 'f32', 42, undefined])('rejects dtype %s', (dtype) => {
    const header = { w: { dtype, shape: [2], data_offsets: [0, 16] } };
    expectSafetensorsError(() => parse(buildFile(header, new Uint8Array(16))), {
      tensor: 'w',
      mentions: ['unsupported dtype', 'F32, F16, BF16'],
    });
  });

  it.each<[string, unknown]>([
    ['missing', undefined],
    ['a number', 4],
    ['negative', [-1, 4]],
    ['fractional', [1.5, 2]],
    ['a string entry', ['2', 2]],
    ['unsafe', [2 ** 53, 1]],
  ])('rejects a shape that is %s', (_label, shape) => {
    const header = { w: { dtype: 'F32', shape, data_offsets: [0, 16] } };
    expectSafetensorsError(() => parse(buildFile(header, new Uint8Array(16))), {
      tensor: 'w',
      mentions: ['shape must be an array of non-negative integers'],
    });
  });

  it('rejects shapes whose element count is not a safe integer', () => {
    const header = { w: { dtype: 'F32', shape: [2 ** 30, 2 ** 30, 2 ** 30], data_offsets: [0, 16] } };
    expectSafetensorsError(() => parse(buildFile(header, new Uint8Array(16))), {
      tensor: 'w',
      mentions: ['too many elements'],
    });
  });

  it.each<[string, unknown]>([
    ['missing', undefined],
    ['reversed', [8, 0]],
    ['one number', [0]],
    ['three numbers', [0, 4, 8]],
    ['strings', ['0', '8']],
    ['negative', [-8, 0]],
    ['fractional', [0, 7.5]],
  ])('rejects data_offsets that are %s', (_label, offsets) => {
    const header = { w: { dtype: 'F32', shape: [2], data_offsets: offsets } };
    expectSafetensorsError(() => parse(buildFile(header, new Uint8Array(16))), {
      tensor: 'w',
      mentions: ['data_offsets must be [begin, end]'],
    });
  });

  it('rejects data past the end of the file (truncated file)', () => {
    const header = { a: entry([2], 0, 8), b: entry([4], 8, 24) };
    const full = buildFile(header, new Uint8Array(24));
    expect(() => parse(full)).not.toThrow();
    expectSafetensorsError(() => parse(full.subarray(0, full.length - 1)), {
      tensor: 'b',
      mentions: ['beyond the data buffer', '23 bytes', 'truncated'],
    });
  });

  it('rejects a byte length that does not match shape × dtype size', () => {
    expectSafetensorsError(() => parse(buildFile({ w: entry([2, 3], 0, 16) }, new Uint8Array(24))), {
      tensor: 'w',
      mentions: ['16 bytes', 'needs 24'],
    });
    expectSafetensorsError(() => parse(buildFile({ w: entry([2, 3], 0, 24, 'BF16') }, new Uint8Array(24))), {
      tensor: 'w',
      mentions: ['BF16 needs 12'],
    });
  });

  it('rejects overlapping tensors, whatever the header order', () => {
    const header = { z: entry([4], 0, 16), a: entry([2], 12, 20) };
    expectSafetensorsError(() => parse(buildFile(header, new Uint8Array(20))), {
      tensor: 'a',
      mentions: ['overlaps tensor "z"'],
    });
    const same = { a: entry([2], 0, 8), b: entry([2], 0, 8) };
    expectSafetensorsError(() => parse(buildFile(same, new Uint8Array(8))), { tensor: 'b', mentions: ['overlaps'] });
  });

  it('accepts empty tensors, gaps and trailing bytes', () => {
    const header = { empty: entry([0, 5], 4, 4), a: entry([1], 0, 4), b: entry([1], 8, 12) };
    const file = parse(buildFile(header, f32Bytes([1, 99, 2, 77])));
    expect(file.getFloat32('empty')).toEqual(new Float32Array(0));
    expect(file.getFloat32('b')).toEqual(new Float32Array([2]));
  });

  it('rejects duplicate tensor names that JSON.parse would merge', () => {
    const text = `{"w": ${JSON.stringify(entry([1], 0, 4))}, "w": ${JSON.stringify(entry([1], 4, 8))}}`;
    expectSafetensorsError(() => parse(buildFile(text, new Uint8Array(8))), {
      tensor: 'w',
      mentions: ['twice'],
    });
    const escaped = `{"\\u0077": ${JSON.stringify(entry([1], 0, 4))}, "w": ${JSON.stringify(entry([1], 4, 8))}}`;
    expectSafetensorsError(() => parse(buildFile(escaped, new Uint8Array(8))), { tensor: 'w' });
    const nested = '{"w": {"dtype": "F32", "dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}';
    expectSafetensorsError(() => parse(buildFile(nested, new Uint8Array(4))), { mentions: ['"dtype" twice'] });
  });

  it('handles a tensor named "__proto__" as an ordinary name', () => {
    const text =
      '{"__metadata__": {"__proto__": "meta", "polluted": "no"}, ' +
      '"__proto__": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, ' +
      '"constructor": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}}';
    const file = parse(buildFile(text, f32Bytes([1.25, -2.5, 7])));
    expect([...file.tensors.keys()].sort()).toEqual(['__proto__', 'constructor']);
    expect(file.getFloat32('__proto__')).toEqual(new Float32Array([1.25, -2.5]));
    expect(file.getFloat32('constructor')).toEqual(new Float32Array([7]));
    expect(Object.keys(file.metadata).sort()).toEqual(['__proto__', 'polluted']);
    expect(file.metadata['__proto__']).toBe('meta');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).dtype).toBeUndefined();
    // A malformed "__proto__" entry is still checked.
    const bad = '{"__proto__": {"dtype": "I64", "shape": [], "data_offsets": [0, 8]}}';
    expectSafetensorsError(() => parse(buildFile(bad, new Uint8Array(8))), {
      tensor: '__proto__',
      mentions: ['unsupported dtype'],
    });
  });
});

describe('SafetensorsFile.getFloat32', () => {
  it('names a missing tensor', () => {
    const file = parse(buildFile({ a: entry([1], 0, 4) }, f32Bytes([1])), 'm.safetensors');
    expectSafetensorsError(() => file.getFloat32('b'), {
      file: 'm.safetensors',
      tensor: 'b',
      mentions: ['not in the file'],
    });
  });

  it('reads F32 at unaligned offsets and from a view into a larger buffer', () => {
    const values = [1.5, -0.1, 3e38, Number.NaN, -0, 1e-45];
    const data = new Uint8Array(1 + 4 * values.length);
    data.set(f32Bytes(values), 1); // the tensor starts one byte into the data buffer
    for (const pad of [0, 1, 2, 3]) {
      const file = buildFile(`{"t": ${JSON.stringify(entry([2, 3], 1, data.length))}}${' '.repeat(pad)}`, data);
      const host = new Uint8Array(file.length + 5);
      host.set(file, 5);
      const got = parse(host.subarray(5)).getFloat32('t');
      expect(Array.from(got)).toEqual(values.map((v) => Math.fround(v)));
      expect(Object.is(got[4], -0)).toBe(true);
    }
  });

  it('returns a copy, not a view of the file bytes', () => {
    const bytes = buildFile({ a: entry([1], 0, 4) }, f32Bytes([1]));
    const file = parse(bytes);
    const got = file.getFloat32('a');
    got[0] = 42;
    expect(file.getFloat32('a')[0]).toBe(1);
  });

  it('widens F16 and BF16 tensors exactly', () => {
    const f16 = [0x3c00, 0xc000, 0x7bff, 0x0001];
    const bf16 = [0x3f80, 0xc000, 0x7f7f, 0x0001];
    const data = new Uint8Array(16);
    const view = new DataView(data.buffer);
    f16.forEach((b, i) => view.setUint16(2 * i, b, true));
    bf16.forEach((b, i) => view.setUint16(8 + 2 * i, b, true));
    const file = parse(buildFile({ h: entry([4], 0, 8, 'F16'), b: entry([2, 2], 8, 16, 'BF16') }, data));
    expect(Array.from(file.getFloat32('h'))).toEqual([1, -2, 65504, 2 ** -24]);
    expect(Array.from(file.getFloat32('b'))).toEqual([1, -2, 3.3895313892515355e38, 2 ** -133]);
  });
});

describe('float16ToFloat32 / bfloat16ToFloat32', () => {
  it.each<[number, number]>([
    [0x3c00, 1],
    [0xc000, -2],
    [0x7bff, 65504],
    [0xfbff, -65504],
    [0x3555, 0.333251953125],
    [0x0400, 2 ** -14], // smallest normal
    [0x03ff, 1023 * 2 ** -24], // largest subnormal
    [0x0001, 2 ** -24], // smallest subnormal
    [0x8001, -(2 ** -24)],
    [0x7c00, Number.POSITIVE_INFINITY],
    [0xfc00, Number.NEGATIVE_INFINITY],
    [0x0000, 0],
    [0x8000, -0],
  ])('F16 0x%s', (bits, value) => {
    expect(Object.is(float16ToFloat32(bits), value)).toBe(true);
  });

  it('F16 NaNs stay NaN', () => {
    for (const bits of [0x7e00, 0x7c01, 0xfe00, 0x7fff]) expect(float16ToFloat32(bits)).toBeNaN();
  });

  it('every finite F16 value is a float32 and the positive ones increase strictly', () => {
    const bad: number[] = [];
    let previous = -1;
    for (let bits = 0; bits <= 0x7c00; bits++) {
      const value = float16ToFloat32(bits);
      const ok = Math.fround(value) === value && value > previous && float16ToFloat32(bits | 0x8000) === -value;
      if (!ok) bad.push(bits);
      previous = value;
    }
    expect(bad).toEqual([]);
  });

  it.each<[number, number]>([
    [0x3f80, 1],
    [0xc000, -2],
    [0x4780, 65536],
    [0x7f7f, 3.3895313892515355e38], // largest finite
    [0x0080, 2 ** -126], // smallest normal
    [0x0001, 2 ** -133], // smallest subnormal
    [0x7f80, Number.POSITIVE_INFINITY],
    [0xff80, Number.NEGATIVE_INFINITY],
    [0x8000, -0],
  ])('BF16 0x%s', (bits, value) => {
    expect(Object.is(bfloat16ToFloat32(bits), value)).toBe(true);
  });

  it('BF16 NaNs stay NaN and match the upper half of a float32', () => {
    for (const bits of [0x7fc0, 0xffc0, 0x7f81]) expect(bfloat16ToFloat32(bits)).toBeNaN();
    const view = new DataView(new ArrayBuffer(4));
    for (let bits = 0; bits < 0x10000; bits += 257) {
      view.setUint32(0, bits * 65536);
      const expected = view.getFloat32(0);
      if (Number.isNaN(expected)) continue;
      expect(Object.is(bfloat16ToFloat32(bits), expected)).toBe(true);
    }
  });
});

/** Reads element `index` of a tensor straight from the file bytes, independently of SafetensorsFile. */
function readFloatDirect(bytes: Uint8Array, tensor: string, index: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<
    string,
    { data_offsets: [number, number] }
  >;
  return view.getFloat32(8 + headerLength + header[tensor].data_offsets[0] + 4 * index, true);
}

function checkFixture(dir: string, tensorCount: number): void {
  const bytes = new Uint8Array(readFileSync(path.join(dir, 'model.safetensors')));
  const file = SafetensorsFile.parse(bytes, 'model.safetensors');
  expect(file.tensors.size).toBe(tensorCount);
  expect({ ...file.metadata }).toEqual({ format: 'pt' });
  for (const info of file.tensors.values()) expect(info.dtype).toBe('F32');
  for (const [name, index] of [
    ['shared.weight', 1],
    ['encoder.block.0.layer.0.self_attention.q.weight', 5],
    ['output_patch_embedding.output_layer.bias', 20],
    ['encoder.final_layer_norm.weight', 0],
  ] as const) {
    const expected = readFloatDirect(bytes, name, index);
    expect(Number.isFinite(expected)).toBe(true);
    expect(file.getFloat32(name)[index]).toBe(expected);
  }
}

describe('fixture checkpoints', () => {
  it('parses random-small and reads values exactly', () => {
    checkFixture(randomSmallDir, 1 + 2 * 6 + 13 * 3 + 1);
    const bytes = new Uint8Array(readFileSync(path.join(randomSmallDir, 'model.safetensors')));
    const file = SafetensorsFile.parse(bytes);
    // Values printed by Python's safetensors for this file.
    expect(file.getFloat32('encoder.block.0.layer.0.layer_norm.weight')[0]).toBe(Math.fround(1.0921828746795654));
    expect(file.getFloat32('shared.weight')[0]).toBe(Math.fround(-1.14413583278656));
    expect(file.tensors.get('shared.weight')?.shape).toEqual([2, 32]);
  });

  itDummy('parses the shared dummy model and reads values exactly', () => {
    expect(dummyAvailable, `missing fixture ${dummyDir}`).toBe(true);
    checkFixture(dummyDir, 1 + 2 * 6 + 13 * 2 + 1);
  });
});

describe('writeSafetensors', () => {
  it('writes a random checkpoint that parses back identically', () => {
    const config = parseChronos2Config(makeChronos2ConfigJson({ numLayers: 2, dModel: 16, dFf: 24 }));
    const tensors = randomChronos2Tensors(config, 7);
    const bytes = writeSafetensors(tensors, { format: 'pt' });
    const file = SafetensorsFile.parse(bytes, 'random.safetensors');
    const header = parseSafetensorsHeader(bytes, bytes.length);
    expect(header.headerLength % 8).toBe(0);
    expect({ ...file.metadata }).toEqual({ format: 'pt' });
    expect(file.tensors.size).toBe(tensors.length);
    for (const t of tensors) {
      expect(file.tensors.get(t.name)?.shape).toEqual(t.shape);
      expect(file.getFloat32(t.name)).toEqual(t.data);
    }
    // Keys sorted, data laid out in key order, header right-padded with spaces.
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + header.headerLength));
    const keys = Object.keys(JSON.parse(text) as object).filter((k) => k !== '__metadata__');
    expect(keys).toEqual([...keys].sort());
    expect(text.trimEnd().endsWith('}')).toBe(true);
    expect(/^ *$/.test(text.slice(text.trimEnd().length))).toBe(true);
    const offsets = keys.map((k) => file.tensors.get(k)?.byteOffset ?? -1);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(bytes.length).toBe(header.dataOffset + tensors.reduce((a, t) => a + 4 * t.data.length, 0));
  });

  it('writes bytes like the Python library for the fixture', () => {
    const bytes = new Uint8Array(readFileSync(path.join(randomSmallDir, 'model.safetensors')));
    const file = SafetensorsFile.parse(bytes);
    const tensors = [...file.tensors.values()].map((t) => ({
      name: t.name,
      shape: t.shape,
      data: file.getFloat32(t.name),
    }));
    expect(writeSafetensors(tensors, { format: 'pt' })).toEqual(bytes);
  });

  it('writes a tensor named "__proto__" as an ordinary key', () => {
    const bytes = writeSafetensors([{ name: '__proto__', shape: [2], data: new Float32Array([1, 2]) }], {
      __proto__: 'x',
    } as Record<string, string>);
    const file = SafetensorsFile.parse(bytes);
    expect([...file.tensors.keys()]).toEqual(['__proto__']);
    expect(file.getFloat32('__proto__')).toEqual(new Float32Array([1, 2]));
  });

  it('refuses inconsistent input', () => {
    expect(() => writeSafetensors([{ name: 'a', shape: [3], data: new Float32Array(2) }])).toThrow(SafetensorsError);
    const a = { name: 'a', shape: [1], data: new Float32Array(1) };
    expect(() => writeSafetensors([a, a])).toThrow(/duplicate/);
  });
});
