// Limits on what untrusted model files may ask for: JSON nested 10k deep in config.json, a safetensors header or
// a manifest gets the file's named error (not a RangeError); a 23 MB header is refused from its first 8 bytes;
// config values no weight depends on (context_length 1e8, max_output_patches 1e7, values near 2^53) are refused
// by range, and the largest accepted ones convert into a graph whose tables stay small; a manifest's config is
// validated like config.json and checked against the ONNX graph it describes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { safetensorsInspector } from '../../src/hub/hub-model';
import { verifyOnnx } from '../../src/hub/local-files';
import { ConfigError, CONFIG_LIMITS, parseChronos2ConfigText } from '../../src/model/config';
import { convertCheckpoint } from '../../src/model/convert';
import { checkManifestAgainstOnnx, ManifestError, parseManifest, parseManifestText } from '../../src/model/manifest';
import { MAX_HEADER_BYTES, parseSafetensorsHeader, SafetensorsError } from '../../src/model/safetensors';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const smallDir = path.join(root, 'test/fixtures/chronos2/models/random-small');
const configText = readFileSync(path.join(smallDir, 'config.json'), 'utf8');
const safetensors = new Uint8Array(readFileSync(path.join(smallDir, 'model.safetensors')));
const deep = '['.repeat(10_000) + ']'.repeat(10_000);

function withChronos(patch: Record<string, unknown>): string {
  const json = JSON.parse(configText) as { chronos_config: Record<string, unknown> };
  Object.assign(json.chronos_config, patch);
  return JSON.stringify(json);
}

function header(text: string, extra = 0): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + bytes.length + extra);
  new DataView(out.buffer).setBigUint64(0, BigInt(bytes.length), true);
  out.set(bytes, 8);
  return out;
}

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('JSON nested 10k deep', () => {
  it('config.json: a ConfigError, wherever the nesting is', () => {
    for (const text of [deep, `{"chronos_config": ${deep}}`, `{"d_model": ${deep}}`, `{"chronos_config": {"quantiles": ${deep}}}`]) {
      const error = caught(() => parseChronos2ConfigText(text));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toBe('config.json: arrays or objects nest more than 32 deep; a model config is flat. Is this the right file?');
    }
  });

  it('a safetensors header: a SafetensorsError', () => {
    for (const text of [deep, `{"a": ${deep}}`, `{"__metadata__": ${deep}}`, `{"a": {"dtype": "F32", "shape": ${deep}, "data_offsets": [0, 0]}}`]) {
      const bytes = header(text);
      const error = caught(() => parseSafetensorsHeader(bytes, bytes.length));
      expect(error).toBeInstanceOf(SafetensorsError);
      expect(error.message).toBe('model.safetensors: header nests arrays or objects more than 32 deep; not a safetensors header');
    }
  });

  it('a manifest: a ManifestError, from text and from an already parsed object', () => {
    const manifest = JSON.parse(readFileSync(path.join(root, 'public/models/random-small/manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(caught(() => parseManifestText(`{"config": ${deep}}`))).toBeInstanceOf(ManifestError);
    const error = caught(() => parseManifest({ ...manifest, config: JSON.parse(deep) }));
    expect(error).toBeInstanceOf(ManifestError);
    expect(error.message).toBe('manifest.json: config must be an object, found an array of 1');
  });
});

describe('a 23 MB safetensors header', () => {
  it('is refused by its length alone: from the first 8 bytes, before the rest is downloaded or parsed', () => {
    expect(MAX_HEADER_BYTES).toBe(4 * 1024 * 1024);
    const length = 23_000_000;
    const first8 = new Uint8Array(8);
    new DataView(first8.buffer).setBigUint64(0, BigInt(length), true);
    const inspect = safetensorsInspector(parseChronos2ConfigText(configText), 'model.safetensors', 'test/repo');
    const error = caught(() => inspect(first8, 30_000_000));
    expect(error).toBeInstanceOf(SafetensorsError);
    expect(error.message).toMatch(/^test\/repo: model\.safetensors: header length 23000000 exceeds the limit of 4194304 bytes/);
  });
});

describe('config values no weight depends on', () => {
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ context_length: 1e8 }, 'chronos_config.context_length', /must be a positive integer of at most 65,536/],
    [{ max_output_patches: 1e7 }, 'chronos_config.max_output_patches', /must be a positive integer of at most 1,024/],
    [{ context_length: 2 ** 53 - 1 }, 'chronos_config.context_length', /at most 65,536/],
    [{ time_encoding_scale: 2 ** 53 }, 'chronos_config.time_encoding_scale', /at most 1000000000000/],
    [{ context_length: 65_536, input_patch_size: 1, output_patch_size: 1, input_patch_stride: 1 }, 'chronos_config.context_length', /makes model calls of 65,545 tokens; at most 8,192/],
  ];
  for (const [patch, field, message] of cases) {
    it(`${JSON.stringify(patch)} is refused, naming ${field}`, () => {
      const error = caught(() => parseChronos2ConfigText(withChronos(patch))) as ConfigError;
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.field).toBe(field);
      expect(error.message).toMatch(message);
    });
  }

  it('refuses top-level sizes near 2^53 with a ConfigError, not a RangeError', () => {
    for (const key of ['d_model', 'd_ff', 'num_layers', 'num_heads', 'd_kv']) {
      const json = JSON.parse(configText) as Record<string, unknown>;
      json[key] = 2 ** 53 - 2;
      const error = caught(() => parseChronos2ConfigText(JSON.stringify(json))) as ConfigError;
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.field).toBe(key);
    }
  });

  it('the largest context and horizon accepted convert the 322 KB checkpoint into a graph of about the same size', async () => {
    const normal = await convertCheckpoint({ configText, safetensors }, { name: 'normal' });
    const largest = await convertCheckpoint(
      { configText: withChronos({ context_length: CONFIG_LIMITS.contextLength, max_output_patches: CONFIG_LIMITS.maxOutputPatches }), safetensors },
      { name: 'largest' },
    );
    expect(largest.config.contextLength).toBe(65_536);
    // RoPE tables for 4096 + 1 + 1024 positions of d_kv 8 (cos and sin, half width for the fused op): ~164 KB.
    expect(largest.onnx.byteLength - normal.onnx.byteLength).toBeLessThan(400_000);
    expect(largest.onnx.byteLength).toBeLessThan(1_000_000);
  });
});

describe("manifest.json's config", () => {
  const manifestText = readFileSync(path.join(root, 'public/models/random-small/manifest.json'), 'utf8');
  const onnx = new Uint8Array(readFileSync(path.join(root, 'public/models/random-small/model.onnx')));
  const good = (): Record<string, unknown> & { config: Record<string, unknown> } => JSON.parse(manifestText);

  it('is validated like config.json: missing fields, absurd sizes', () => {
    const empty = caught(() => parseManifest({ ...good(), config: {} }));
    expect(empty).toBeInstanceOf(ManifestError);
    expect(empty.message).toBe('manifest.json: config.dKv (missing) is required');
    const huge = good();
    huge.config.patchSize = 1e9;
    expect(caught(() => parseManifest(huge)).message).toBe('manifest.json: config.patchSize (1000000000) must be a positive integer of at most 1,024');
    const unsorted = good();
    unsorted.config.quantiles = [0.5, 0.1];
    expect(caught(() => parseManifest(unsorted)).message).toMatch(/config\.quantiles .* must be strictly increasing/);
    expect(parseManifest(good()).config.quantiles.length).toBeGreaterThan(0);
  });

  it('is checked against the ONNX graph: relabelled quantile levels or another patch size are refused', async () => {
    const manifest = parseManifest(good());
    await verifyOnnx(onnx, manifest);
    const relabelled = parseManifest(good());
    const levels = relabelled.config.quantiles;
    relabelled.config.quantiles = levels.map((q, i) => (i === Math.floor(levels.length / 2) ? Math.min(0.999, q + 0.05) : q)).sort((a, b) => a - b);
    await expect(verifyOnnx(onnx, relabelled)).rejects.toThrow(ManifestError);
    await expect(verifyOnnx(onnx, relabelled)).rejects.toThrow(/the manifest's quantile levels \[.*\] are not the graph's \[.*\]; the manifest does not belong to this model\.onnx/);
    const patched = parseManifest(good());
    patched.config.patchSize = manifest.config.patchSize * 2;
    expect(() => checkManifestAgainstOnnx(patched, onnx)).toThrow(/patch size 32 is not the graph's 16/);
    expect(() => checkManifestAgainstOnnx(manifest, onnx.subarray(0, onnx.length - 3))).toThrow(/not a valid ONNX model/);
  });
});
