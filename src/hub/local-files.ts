// Models from the user's own disk, picked or dropped as files: a Hugging Face checkpoint folder (config.json +
// model.safetensors, converted here) or a converted model (model.onnx + manifest.json, verified against each
// other). Either is cached like a hub model, so it is still there after a reload. Works on `File` objects, which
// cross into the worker cheaply (no bytes are read on the UI thread).
import { checkManifestAgainstOnnx, parseManifest, sha256Hex, ManifestError, type ModelManifest } from '../model/manifest';
import type { WeightStorage } from '../model/onnx/fp16';
import { parseChronos2ConfigText } from '../model/config';
import { cacheKey } from './cache';
import { allocateModelBuffer, DEFAULT_MAX_MODEL_BYTES, megabytes, type InspectResult } from './download';
import { ModelFilesError, ModelTooLargeError } from './errors';
import { conversionMemoryFactor, convertBytes, safetensorsInspector, storeConverted, type PrepareDeps, type PreparedModel } from './hub-model';

/** What a set of files is. */
export type LocalModelFiles =
  | { kind: 'checkpoint'; name: string; config: File; weights: File }
  | { kind: 'onnx'; name: string; onnx: File; manifest: File };

const MAX_TEXT_BYTES = 1024 * 1024;

function folderOf(file: File): string | undefined {
  const relative = (file as File & { webkitRelativePath?: string }).webkitRelativePath;
  const parts = relative ? relative.split('/') : [];
  return parts.length > 1 ? parts[parts.length - 2] : undefined;
}

/**
 * Finds the model among picked or dropped files (other files, e.g. a README or tokenizer files, are ignored).
 * @throws ModelFilesError saying which files a model needs, and which were given
 */
export function classifyModelFiles(files: readonly File[]): LocalModelFiles {
  const byName = (predicate: (name: string) => boolean): File | undefined => files.find((f) => predicate(f.name.toLowerCase()));
  const weights = byName((n) => n === 'model.safetensors') ?? byName((n) => n.endsWith('.safetensors'));
  const config = byName((n) => n === 'config.json');
  const onnx = byName((n) => n.endsWith('.onnx'));
  const manifest = byName((n) => n === 'manifest.json');
  if (weights && config) return { kind: 'checkpoint', name: folderOf(weights) ?? folderOf(config) ?? 'local checkpoint', config, weights };
  if (onnx && manifest) return { kind: 'onnx', name: folderOf(onnx) ?? onnx.name.replace(/\.onnx$/i, ''), onnx, manifest };
  const given = files.length === 0 ? 'no files' : files.map((f) => f.name).slice(0, 6).join(', ') + (files.length > 6 ? ', …' : '');
  const hint =
    weights && !config
      ? ' The checkpoint needs its config.json too.'
      : config && !weights
        ? ' The checkpoint needs its model.safetensors too.'
        : onnx && !manifest
          ? ' The ONNX model needs the manifest.json written next to it by the converter.'
          : '';
  throw new ModelFilesError(
    `These files are not a model (${given}). Open a Chronos-2 checkpoint folder (config.json + model.safetensors) ` +
      `or a converted model (model.onnx + manifest.json).${hint}`,
  );
}

async function readText(file: File): Promise<string> {
  if (file.size > MAX_TEXT_BYTES) throw new ModelFilesError(`${file.name} is ${megabytes(file.size)}; a model's ${file.name} is a few KB. Is it the right file?`);
  return file.text();
}

async function readBytes(file: File, maxBytes: number, memoryFactor: number): Promise<Uint8Array> {
  // Checked before reading, so a file the browser cannot hold fails with a clear message instead of a crash.
  if (file.size > maxBytes) allocateModelBuffer(file.size, file.name, maxBytes, memoryFactor);
  try {
    return new Uint8Array(await file.arrayBuffer());
  } catch (e) {
    if (e instanceof RangeError) {
      throw new ModelTooLargeError(`This model needs more memory than the browser can give it: reading ${file.name} (${megabytes(file.size)}) failed (${e.message}).`);
    }
    throw e;
  }
}

/** Verifies a converted model against its manifest (size and SHA-256). */
export async function verifyOnnx(onnx: Uint8Array, manifest: ModelManifest): Promise<void> {
  if (onnx.byteLength !== manifest.onnxBytes) {
    throw new ManifestError(
      `${manifest.name}: the ONNX file has ${onnx.byteLength} bytes, the manifest says ${manifest.onnxBytes}; pick the model.onnx that belongs to this manifest.`,
    );
  }
  if ((await sha256Hex(onnx)) !== manifest.sha256) {
    throw new ManifestError(`${manifest.name}: the ONNX file does not match the manifest's sha256 (wrong or corrupt file).`);
  }
  checkManifestAgainstOnnx(manifest, onnx);
}

/**
 * Loads a model from local files: converts a checkpoint (optionally to fp16 storage) or verifies a converted
 * model, then caches it.
 * @throws ModelFilesError, ConfigError, SafetensorsError, CheckpointError, ManifestError, ModelTooLargeError
 */
export async function prepareLocalModel(
  files: readonly File[],
  weights: WeightStorage,
  deps: Omit<PrepareDeps, 'fetch' | 'partials'>,
): Promise<PreparedModel> {
  const found = classifyModelFiles(files);
  const maxBytes = deps.maxBytes ?? DEFAULT_MAX_MODEL_BYTES;
  if (found.kind === 'onnx') {
    let json: unknown;
    try {
      json = JSON.parse(await readText(found.manifest));
    } catch (e) {
      if (e instanceof ModelFilesError) throw e;
      throw new ManifestError(`${found.manifest.name}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    const manifest = parseManifest(json, found.manifest.name);
    const onnx = await readBytes(found.onnx, maxBytes, 2);
    await verifyOnnx(onnx, manifest);
    const id = await cacheKey(['local-onnx', manifest.sha256]);
    const stored = await storeConverted(
      deps.cache,
      { id, name: manifest.name, origin: { kind: 'local', files: [found.onnx.name, found.manifest.name] }, weights: manifest.weights ?? 'float32' },
      { onnx, manifest },
      deps.onProgress,
    );
    return { onnx, manifest, cached: stored.cached, fromCache: false, ...(stored.note ? { note: stored.note } : {}) };
  }

  const configText = await readText(found.config);
  const config = parseChronos2ConfigText(configText, `${found.name}/config.json`);
  const inspect = safetensorsInspector(config, found.weights.name, found.name);
  const converted = await convertBytes(configText, await checkedBytes(found.weights, maxBytes, conversionMemoryFactor(weights), inspect), {
    name: found.name,
    source: `local files: ${found.name}`,
    weights,
    onProgress: deps.onProgress,
  });
  const id = await cacheKey(['local', found.name, converted.manifest.sha256, weights]);
  const stored = await storeConverted(
    deps.cache,
    { id, name: found.name, origin: { kind: 'local', files: [found.config.name, found.weights.name] }, weights },
    converted,
    deps.onProgress,
  );
  return { ...converted, cached: stored.cached, fromCache: false, ...(stored.note ? { note: stored.note } : {}) };
}

/** Reads a safetensors file after checking its header from the first bytes only. */
async function checkedBytes(file: File, maxBytes: number, memoryFactor: number, inspect: (received: Uint8Array, total: number | undefined) => InspectResult): Promise<Uint8Array> {
  const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  if (inspect(head, file.size) === false && head.length === 8) {
    const headerLength = Number(new DataView(head.buffer).getBigUint64(0, true));
    inspect(new Uint8Array(await file.slice(0, 8 + headerLength).arrayBuffer()), file.size);
  }
  return readBytes(file, maxBytes, memoryFactor);
}
