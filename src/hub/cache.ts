// The browser's model cache: converted models (model.onnx + what the app needs to know about them) kept in the
// origin private file system (OPFS), one folder per model, keyed by where the model came from (hub URL, repo,
// revision and the SHA-256 of its weights, or the hash of local files) and the weight storage. A folder counts
// only once its `entry.json` exists, and that is written last, after the ONNX bytes were written and their size
// read back: an interrupted write, a full disk or a crashed tab never leaves a model that looks complete. The
// storage itself sits behind a small interface, so the same logic runs on real files in Node tests.
import { createSHA256 } from 'hash-wasm';
import { parseManifest, type ModelManifest } from '../model/manifest';
import type { WeightStorage } from '../model/onnx/fp16';
import { megabytes as mb } from './download';
import { CachedModelError } from './errors';

/** Where a cached model came from. */
export type CachedModelOrigin =
  | {
      kind: 'hub';
      hubUrl: string;
      repo: string;
      revision: string;
      /** SHA-256 of the downloaded model.safetensors. */
      sha256: string;
      /** The hub's ETag of model.safetensors, when it sent one (compared on later visits). */
      etag?: string;
      /** The commit the revision resolved to, when the hub said. */
      commit?: string;
      /** For a LoRA adapter merged into its base: the base (`sha256` is then the adapter file's). */
      base?: { repo: string; revision: string; sha256: string };
    }
  | {
      kind: 'local';
      /** Names of the files it was made from. */
      files: string[];
    };

/** One cached model, as listed. */
export interface CachedModel {
  /** Folder name and key. */
  id: string;
  /** Display name (repo id, or the local folder's name). */
  name: string;
  origin: CachedModelOrigin;
  weights: WeightStorage;
  onnxBytes: number;
  /** SHA-256 of the ONNX file (the manifest's). */
  sha256: string;
  parameterCount: number;
  /** When it was stored (ISO 8601). */
  storedAt: string;
  manifest: ModelManifest;
}

/** Storage of entry folders: OPFS in browsers, files on disk in Node. Names are plain (no slashes). */
export interface CacheBackend {
  /** Names of the entry folders. */
  list(): Promise<string[]>;
  /** A file's bytes, or null when it does not exist. */
  read(entry: string, file: string): Promise<Uint8Array | null>;
  /** A file's size, or null when it does not exist. */
  size(entry: string, file: string): Promise<number | null>;
  /** Creates or replaces a file (creating the folder). */
  write(entry: string, file: string, bytes: Uint8Array): Promise<void>;
  /** Removes a folder and everything in it (no error when absent). */
  remove(entry: string): Promise<void>;
  /** Bytes that can still be stored, when the platform says. */
  available?(): Promise<number | null>;
}

const ONNX_FILE = 'model.onnx';
const ENTRY_FILE = 'entry.json';

/** A key for a model: hex SHA-256 (first 32 digits) of its identifying parts. */
export async function cacheKey(parts: readonly string[]): Promise<string> {
  const hash = await createSHA256();
  hash.init();
  hash.update(parts.join('\n'));
  return hash.digest('hex').slice(0, 32);
}

/** The key of a hub model: hub URL, repo, revision, weights' SHA-256 and weight storage. */
export function hubCacheKey(origin: { hubUrl: string; repo: string; revision: string; sha256: string }, weights: WeightStorage): Promise<string> {
  return cacheKey(['hub', origin.hubUrl, origin.repo, origin.revision, origin.sha256, weights]);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates an `entry.json` read back from storage (it may be from an older version, or damaged). */
function parseEntry(json: unknown, id: string): CachedModel | null {
  if (!isRecord(json) || json.id !== id || typeof json.name !== 'string' || !isRecord(json.origin)) return null;
  if (json.weights !== 'float32' && json.weights !== 'float16') return null;
  if (!Number.isSafeInteger(json.onnxBytes) || typeof json.sha256 !== 'string' || typeof json.storedAt !== 'string') return null;
  const origin = json.origin;
  if (origin.kind === 'hub') {
    if (typeof origin.hubUrl !== 'string' || typeof origin.repo !== 'string' || typeof origin.revision !== 'string' || typeof origin.sha256 !== 'string') return null;
  } else if (origin.kind !== 'local' || !Array.isArray(origin.files)) {
    return null;
  }
  try {
    const manifest = parseManifest(json.manifest, `cached model ${id}`);
    if (manifest.sha256 !== json.sha256 || manifest.onnxBytes !== json.onnxBytes) return null;
    return { ...(json as unknown as CachedModel), manifest };
  } catch {
    return null;
  }
}

/** The model cache over a {@link CacheBackend}. */
export class ModelCache {
  constructor(private readonly backend: CacheBackend) {}

  /** Complete entries, most recently stored first. Folders still being written (no entry.json) are skipped. */
  async list(): Promise<CachedModel[]> {
    const ids = await this.backend.list();
    const entries = await Promise.all(ids.map((id) => this.get(id)));
    return entries.filter((e): e is CachedModel => e !== null).sort((a, b) => b.storedAt.localeCompare(a.storedAt));
  }

  /** One complete entry, or null. */
  async get(id: string): Promise<CachedModel | null> {
    const bytes = await this.backend.read(id, ENTRY_FILE).catch(() => null);
    if (!bytes) return null;
    try {
      return parseEntry(JSON.parse(new TextDecoder().decode(bytes)), id);
    } catch {
      return null;
    }
  }

  /** Cached copies of a hub model (any weights' hash), newest first. */
  async findHub(hubUrl: string, repo: string, revision: string, weights: WeightStorage): Promise<CachedModel[]> {
    return (await this.list()).filter(
      (e) => e.origin.kind === 'hub' && e.origin.hubUrl === hubUrl && e.origin.repo === repo && e.origin.revision === revision && e.weights === weights,
    );
  }

  /**
   * Reads a cached model. The size is checked here; the caller checks the SHA-256 against the manifest.
   * @throws CachedModelError when it is missing or its file is damaged
   */
  async read(id: string): Promise<{ model: CachedModel; onnx: Uint8Array }> {
    const model = await this.get(id);
    if (!model) {
      throw new CachedModelError(
        `The cached model ${id} is not in this browser's storage any more (deleted, or cleared by the browser). Load it again.`,
      );
    }
    const onnx = await this.backend.read(id, ONNX_FILE);
    if (!onnx || onnx.byteLength !== model.onnxBytes) {
      await this.backend.remove(id).catch(() => undefined);
      throw new CachedModelError(
        `The cached copy of ${model.name} is damaged (${onnx ? `${onnx.byteLength} of ${model.onnxBytes} bytes` : 'its model file is missing'}) ` +
          'and was removed. Load the model again.',
      );
    }
    return { model, onnx };
  }

  /**
   * Stores a converted model under `meta.id`, replacing an entry with the same id.
   * @throws CachedModelError when storage is full or the write fails; nothing of the entry is left behind then.
   */
  async put(meta: Omit<CachedModel, 'storedAt' | 'onnxBytes' | 'sha256' | 'parameterCount'>, onnx: Uint8Array): Promise<CachedModel> {
    const { manifest } = meta;
    const model: CachedModel = {
      ...meta,
      onnxBytes: onnx.byteLength,
      sha256: manifest.sha256,
      parameterCount: manifest.parameterCount,
      storedAt: new Date().toISOString(),
    };
    if (manifest.onnxBytes !== onnx.byteLength) throw new CachedModelError(`internal: ${meta.name}: manifest size does not match the ONNX bytes`);
    const available = (await this.backend.available?.().catch(() => null)) ?? null;
    if (available !== null && available < onnx.byteLength) {
      throw new CachedModelError(
        `There is not enough browser storage to cache ${meta.name} (${mb(onnx.byteLength)} needed, ${mb(available)} free); ` +
          'it works now but will be downloaded again next time. Delete cached models to make room.',
      );
    }
    try {
      await this.backend.remove(meta.id);
      await this.backend.write(meta.id, ONNX_FILE, onnx);
      const written = await this.backend.size(meta.id, ONNX_FILE);
      if (written !== onnx.byteLength) throw new Error(`wrote ${written ?? 0} of ${onnx.byteLength} bytes`);
      await this.backend.write(meta.id, ENTRY_FILE, new TextEncoder().encode(JSON.stringify(model)));
    } catch (e) {
      await this.backend.remove(meta.id).catch(() => undefined);
      throw new CachedModelError(
        `Caching ${meta.name} failed (${e instanceof Error ? e.message : String(e)}); it works now but will be downloaded again next time.`,
      );
    }
    return model;
  }

  /** Deletes a cached model (no error when it is already gone). */
  async delete(id: string): Promise<void> {
    await this.backend.remove(id);
  }

  /** Removes folders that are not complete entries (left by an interrupted write). Only the writer calls this. */
  async removeIncomplete(): Promise<void> {
    for (const id of await this.backend.list()) {
      if ((await this.get(id)) === null) await this.backend.remove(id).catch(() => undefined);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// OPFS

/** The parts of the File System Access API used here (typed locally: not every TS lib has all of them). */
interface DirectoryHandle {
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<DirectoryHandle>;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<FileHandle>;
  removeEntry(name: string, options?: { recursive?: boolean }): Promise<void>;
  keys(): AsyncIterable<string>;
}
interface FileHandle {
  getFile(): Promise<File>;
  createSyncAccessHandle?: () => Promise<SyncAccessHandle>;
  createWritable?: () => Promise<{ write(data: Uint8Array): Promise<void>; close(): Promise<void> }>;
}
interface SyncAccessHandle {
  truncate(size: number): void;
  write(data: Uint8Array, options: { at: number }): number;
  flush(): void;
  close(): void;
}
interface StorageWithDirectory {
  getDirectory?: () => Promise<DirectoryHandle>;
  estimate?: () => Promise<{ quota?: number; usage?: number }>;
}

function storageManager(): StorageWithDirectory | undefined {
  return (globalThis.navigator as unknown as { storage?: StorageWithDirectory } | undefined)?.storage;
}

/** Whether this context has the origin private file system. */
export function hasOpfs(): boolean {
  return typeof storageManager()?.getDirectory === 'function';
}

/** Largest slice written at once (see the NOTE in `write`). */
const WRITE_SLICE_BYTES = 8 * 1024 * 1024;

function isNotFound(e: unknown): boolean {
  return e instanceof Error && (e.name === 'NotFoundError' || e.name === 'TypeMismatchError');
}

/**
 * A {@link CacheBackend} in the origin private file system, under the folder `root`. In a worker, files are
 * written through a sync access handle straight from the caller's buffer (no copy of a 500 MB model).
 */
export function opfsCacheBackend(root = 'chronos-web-models'): CacheBackend {
  let dir: Promise<DirectoryHandle> | null = null;
  const base = (): Promise<DirectoryHandle> => {
    const storage = storageManager();
    if (!storage?.getDirectory) return Promise.reject(new CachedModelError('This browser has no origin private file system to cache models in.'));
    dir ??= storage.getDirectory().then((d) => d.getDirectoryHandle(root, { create: true }));
    return dir;
  };
  const fileHandle = async (entry: string, file: string, create: boolean): Promise<FileHandle | null> => {
    try {
      const folder = await (await base()).getDirectoryHandle(entry, { create });
      return await folder.getFileHandle(file, { create });
    } catch (e) {
      if (!create && isNotFound(e)) return null;
      throw e;
    }
  };
  return {
    async list() {
      const names: string[] = [];
      for await (const name of (await base()).keys()) names.push(name);
      return names;
    },
    async read(entry, file) {
      const handle = await fileHandle(entry, file, false);
      return handle ? new Uint8Array(await (await handle.getFile()).arrayBuffer()) : null;
    },
    async size(entry, file) {
      const handle = await fileHandle(entry, file, false);
      return handle ? (await handle.getFile()).size : null;
    },
    async write(entry, file, bytes) {
      const handle = await fileHandle(entry, file, true);
      if (!handle) throw new CachedModelError(`could not create ${entry}/${file}`);
      if (handle.createSyncAccessHandle) {
        const access = await handle.createSyncAccessHandle();
        try {
          access.truncate(0);
          // NOTE: in slices: where the file lives in the browser process (incognito profiles), each write is one
          // IPC message holding a copy of its bytes, and one 500 MB message would double the model in memory.
          for (let at = 0; at < bytes.byteLength; ) {
            const written = access.write(bytes.subarray(at, Math.min(bytes.byteLength, at + WRITE_SLICE_BYTES)), { at });
            if (written <= 0) throw new Error(`the write stopped at byte ${at}`);
            at += written;
          }
          access.flush();
        } finally {
          access.close();
        }
        return;
      }
      if (!handle.createWritable) throw new CachedModelError('This browser cannot write files in its origin private file system.');
      const writable = await handle.createWritable();
      for (let at = 0; at < bytes.byteLength; at += WRITE_SLICE_BYTES) {
        await writable.write(bytes.subarray(at, Math.min(bytes.byteLength, at + WRITE_SLICE_BYTES)));
      }
      await writable.close();
    },
    async remove(entry) {
      try {
        await (await base()).removeEntry(entry, { recursive: true });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },
    async available() {
      const estimate = await storageManager()?.estimate?.();
      if (!estimate || estimate.quota === undefined) return null;
      return Math.max(0, estimate.quota - (estimate.usage ?? 0));
    },
  };
}

/** The browser's model cache, or null where there is no OPFS (then models are simply not cached). */
export function openBrowserModelCache(): ModelCache | null {
  return hasOpfs() ? new ModelCache(opfsCacheBackend()) : null;
}
