// Bounded, seeded fuzzing of the readers of untrusted model files (a few seconds in all): mutated safetensors
// files (the header bytes, its length field, truncations), mutated config.json texts and values, mutated manifests
// and ONNX bytes. Every input either parses into something within the limits or fails with the file's named error;
// never a RangeError, a TypeError or a hang. The seeds are fixed, so a failure reproduces.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { safetensorsInspector } from '../../src/hub/hub-model';
import { ConfigError, CONFIG_LIMITS, parseChronos2ConfigText, type Chronos2Config } from '../../src/model/config';
import { checkManifestAgainstOnnx, ManifestError, parseManifest, parseManifestText } from '../../src/model/manifest';
import { readOnnxMetadata } from '../../src/model/onnx-metadata';
import { parseSafetensorsHeader, SafetensorsError, SafetensorsFile } from '../../src/model/safetensors';
import { CheckpointError } from '../../src/model/checkpoint-names';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const smallDir = path.join(root, 'test/fixtures/chronos2/models/random-small');
const configText = readFileSync(path.join(smallDir, 'config.json'), 'utf8');
const weights = new Uint8Array(readFileSync(path.join(smallDir, 'model.safetensors')));
const manifestText = readFileSync(path.join(root, 'public/models/random-small/manifest.json'), 'utf8');
const onnx = new Uint8Array(readFileSync(path.join(root, 'public/models/random-small/model.onnx')));
const headerLength = Number(new DataView(weights.buffer, weights.byteOffset, 8).getBigUint64(0, true));

/** mulberry32: a small seeded PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (r: () => number, n: number): number => Math.floor(r() * n);
const pick = <T>(r: () => number, items: readonly T[]): T => items[int(r, items.length)];

/** Values a hostile file might hold. */
const NASTY: unknown[] = [
  0, -1, 1, 2 ** 31, 2 ** 53 - 1, 2 ** 53, 1e308, -1e308, 1e-320, 0.5, NaN, 'x', '', '__proto__', null, true, false, [], {}, [1, 2, 3],
  { a: 1 }, [[[[[[[[[[1]]]]]]]]]], 'a'.repeat(10_000), Array.from({ length: 300 }, (_, i) => i / 301),
];
const TOKENS = ['{', '}', '[', ']', '"', ':', ',', '\\', '\u0000', 'null', '1e999', '-', '0x10', '\ud800'];

function mutateText(r: () => number, text: string): string {
  const chars = [...text];
  const edits = 1 + int(r, 4);
  for (let e = 0; e < edits; e++) {
    const at = int(r, chars.length + 1);
    switch (int(r, 4)) {
      case 0:
        chars.splice(at, 1);
        break;
      case 1:
        chars.splice(at, 0, pick(r, TOKENS));
        break;
      case 2:
        chars[at] = String.fromCharCode(int(r, 128));
        break;
      default:
        chars.splice(at, int(r, 20));
    }
  }
  return chars.join('');
}

/** Replaces one value somewhere in a JSON document with a nasty one. */
function mutateValue(r: () => number, json: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(json)) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (let depth = 0; depth < 3; depth++) {
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = pick(r, keys);
    const child = node[key];
    if (typeof child === 'object' && child !== null && !Array.isArray(child) && r() < 0.5) {
      node = child as Record<string, unknown>;
      continue;
    }
    if (r() < 0.15) delete node[key];
    else node[key] = pick(r, NASTY);
    return copy;
  }
  node[pick(r, ['extra', 'd_model', 'context_length', 'quantiles'])] = pick(r, NASTY);
  return copy;
}

function expectWithinLimits(config: Chronos2Config): void {
  expect(config.contextLength).toBeLessThanOrEqual(CONFIG_LIMITS.contextLength);
  expect(config.maxOutputPatches).toBeLessThanOrEqual(CONFIG_LIMITS.maxOutputPatches);
  expect(config.patchSize).toBeLessThanOrEqual(CONFIG_LIMITS.patchSize);
  expect(config.dModel).toBeLessThanOrEqual(CONFIG_LIMITS.dModel);
  expect(config.quantiles.length).toBeLessThanOrEqual(CONFIG_LIMITS.quantiles);
}

/** Runs `fn`, allowing only the named errors. */
function onlyNamed(fn: () => unknown, ...allowed: Array<new (...args: never[]) => Error>): void {
  try {
    fn();
  } catch (e) {
    if (!allowed.some((cls) => e instanceof cls)) throw e;
  }
}

describe('fuzz: safetensors', () => {
  it('2000 mutated headers, length fields and truncations: a valid file or a SafetensorsError', () => {
    const r = rng(1);
    const config = parseChronos2ConfigText(configText);
    for (let i = 0; i < 2000; i++) {
      const bytes = weights.slice();
      const kind = i % 4;
      let file = bytes;
      if (kind === 0) {
        const text = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
        const mutated = new TextEncoder().encode(mutateText(r, text));
        file = new Uint8Array(8 + mutated.length + (bytes.length - 8 - headerLength));
        new DataView(file.buffer).setBigUint64(0, BigInt(mutated.length), true);
        file.set(mutated, 8);
        file.set(bytes.subarray(8 + headerLength), 8 + mutated.length);
      } else if (kind === 1) {
        for (let k = 0; k < 1 + int(r, 8); k++) bytes[8 + int(r, headerLength)] = int(r, 256);
      } else if (kind === 2) {
        bytes[int(r, 8)] = int(r, 256);
      } else {
        file = bytes.subarray(0, int(r, bytes.length));
      }
      onlyNamed(() => SafetensorsFile.parse(file), SafetensorsError);
      const inspect = safetensorsInspector(config, 'model.safetensors', 'fuzz');
      onlyNamed(() => inspect(file.subarray(0, Math.min(file.length, 8 + int(r, headerLength + 16))), r() < 0.5 ? file.length : undefined), SafetensorsError, CheckpointError);
      onlyNamed(() => parseSafetensorsHeader(file, undefined), SafetensorsError);
    }
  });
});

describe('fuzz: config.json', () => {
  it('3000 mutated texts and values: a config within the limits or a ConfigError', () => {
    const r = rng(2);
    const json = JSON.parse(configText) as unknown;
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const text = i % 2 === 0 ? mutateText(r, configText) : JSON.stringify(mutateValue(r, json));
      try {
        expectWithinLimits(parseChronos2ConfigText(text));
        accepted++;
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
      }
    }
    // The mutations are not all fatal: the test exercises the accepting side too.
    expect(accepted).toBeGreaterThan(50);
  });
});

describe('fuzz: manifest.json and its ONNX file', () => {
  it('2000 mutated manifests: a valid manifest (matching the graph or refused as not matching) or a ManifestError', () => {
    const r = rng(3);
    const json = JSON.parse(manifestText) as unknown;
    for (let i = 0; i < 2000; i++) {
      let manifest;
      try {
        manifest = i % 2 === 0 ? parseManifestText(mutateText(r, manifestText)) : parseManifest(mutateValue(r, json));
      } catch (e) {
        if (!(e instanceof ManifestError)) throw e;
        continue;
      }
      expectWithinLimits(manifest.config);
      onlyNamed(() => checkManifestAgainstOnnx(manifest, onnx), ManifestError);
    }
  });

  it('1000 mutated ONNX files: the metadata reader returns metadata or null, never throws', () => {
    const r = rng(4);
    for (let i = 0; i < 1000; i++) {
      let bytes = onnx.slice();
      if (i % 3 === 0) bytes = bytes.subarray(0, int(r, bytes.length));
      else for (let k = 0; k < 1 + int(r, 16); k++) bytes[r() < 0.5 ? int(r, 256) : bytes.length - 1 - int(r, 4096)] = int(r, 256);
      const metadata = readOnnxMetadata(bytes);
      expect(metadata === null || typeof metadata === 'object').toBe(true);
    }
  });
});
