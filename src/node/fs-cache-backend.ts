// The model cache's storage on a Node file system (one folder per entry under `root`), so the cache logic the
// browser runs on OPFS runs unchanged on real files in tests and Node tools.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { CacheBackend } from '../hub/cache';

function isMissing(e: unknown): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && (e as { code?: string }).code === 'ENOENT';
}

function safe(name: string): string {
  if (!/^[\w.-]+$/.test(name) || name.startsWith('.')) throw new Error(`not a plain cache name: ${JSON.stringify(name)}`);
  return name;
}

/** A {@link CacheBackend} in the folder `root` (created on first write). */
export function fsCacheBackend(root: string): CacheBackend {
  const file = (entry: string, name: string): string => path.join(root, safe(entry), safe(name));
  return {
    async list() {
      try {
        return (await fs.readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
      } catch (e) {
        if (isMissing(e)) return [];
        throw e;
      }
    },
    async read(entry, name) {
      try {
        const buffer = await fs.readFile(file(entry, name));
        return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      } catch (e) {
        if (isMissing(e)) return null;
        throw e;
      }
    },
    async size(entry, name) {
      try {
        return (await fs.stat(file(entry, name))).size;
      } catch (e) {
        if (isMissing(e)) return null;
        throw e;
      }
    },
    async write(entry, name, bytes) {
      await fs.mkdir(path.join(root, safe(entry)), { recursive: true });
      await fs.writeFile(file(entry, name), bytes);
    },
    async remove(entry) {
      await fs.rm(path.join(root, safe(entry)), { recursive: true, force: true });
    },
  };
}
