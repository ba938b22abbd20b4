// The model cache on real files: entries round-trip, a folder without entry.json (an interrupted write) is never
// listed and is cleaned up by the writer, a damaged model file is detected and removed, and a store that does not
// fit leaves nothing behind.
import { mkdtempSync, promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { cacheKey, ModelCache, type CacheBackend } from '../../src/hub/cache';
import { CachedModelError } from '../../src/hub/errors';
import { sha256Hex, type ModelManifest } from '../../src/model/manifest';
import { fsCacheBackend } from '../../src/node/fs-cache-backend';
import { readConvertedModel } from '../worker/helpers';

let dir: string;
let backend: CacheBackend;
let cache: ModelCache;
let onnx: Uint8Array;
let manifest: ModelManifest;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'chronos-cache-'));
  backend = fsCacheBackend(dir);
  cache = new ModelCache(backend);
  ({ onnx, manifest } = await readConvertedModel());
  return () => rmSync(dir, { recursive: true, force: true });
});

const meta = async (name = 'm') => ({
  id: await cacheKey(['test', name]),
  name,
  origin: { kind: 'local' as const, files: ['model.onnx', 'manifest.json'] },
  weights: 'float32' as const,
  manifest,
});

describe('ModelCache', () => {
  it('stores, lists, reads and deletes', async () => {
    const stored = await cache.put(await meta('a'), onnx);
    expect(stored).toMatchObject({ name: 'a', onnxBytes: onnx.byteLength, sha256: manifest.sha256, parameterCount: manifest.parameterCount });
    await cache.put(await meta('b'), onnx);
    expect((await cache.list()).map((m) => m.name).sort()).toEqual(['a', 'b']);
    const read = await cache.read(stored.id);
    expect(await sha256Hex(read.onnx)).toBe(manifest.sha256);
    await cache.delete(stored.id);
    expect((await cache.list()).map((m) => m.name)).toEqual(['b']);
    await cache.delete(stored.id); // already gone: no error
  });

  it('never lists a folder whose entry.json was not written, and the writer removes it', async () => {
    const m = await meta('half');
    await backend.write(m.id, 'model.onnx', onnx.subarray(0, 1000));
    expect(await cache.list()).toEqual([]);
    await expect(cache.read(m.id)).rejects.toThrow(/not in this browser's storage any more/);
    await cache.removeIncomplete();
    expect(await backend.list()).toEqual([]);
  });

  it('detects a damaged model file and removes the entry', async () => {
    const stored = await cache.put(await meta('a'), onnx);
    await fs.truncate(path.join(dir, stored.id, 'model.onnx'), 100);
    const error = await cache.read(stored.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CachedModelError);
    expect((error as Error).message).toMatch(/The cached copy of a is damaged \(100 of \d+ bytes\) and was removed/);
    expect(await backend.list()).toEqual([]);
  });

  it('refuses a model that does not fit, leaving nothing behind', async () => {
    const small: CacheBackend = { ...backend, available: async () => 1000 };
    await expect(new ModelCache(small).put(await meta('a'), onnx)).rejects.toThrow(/not enough browser storage to cache a \(0\.4 MB needed, 0 MB free\)/);
    const failing: CacheBackend = { ...backend, write: async (entry, file, bytes) => (file === 'entry.json' ? Promise.reject(new Error('disk full')) : backend.write(entry, file, bytes)) };
    await expect(new ModelCache(failing).put(await meta('a'), onnx)).rejects.toThrow(/Caching a failed \(disk full\)/);
    expect(await backend.list()).toEqual([]);
  });
});
