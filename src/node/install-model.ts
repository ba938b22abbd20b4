// Installs a Chronos-2 model into the app's model folder (public/models by default): from a Hugging Face
// repository through the same download and conversion code the browser uses, or from a checkpoint folder on
// disk. Writes `<name>/model.onnx` + `<name>/manifest.json` and adds the model to `index.json`, the registry
// the app reads, so `npm start` serves it with no network. Files are written to a temporary folder and renamed
// into place, so an interrupted install never leaves a half-written model or registry behind.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { prepareHubModel, type PrepareProgress } from '../hub/hub-model';
import type { PartialDownload } from '../hub/download';
import { DownloadInterruptedError } from '../hub/errors';
import { normalizeRepoId } from '../hub/repo';
import type { ModelManifest } from '../model/manifest';
import type { WeightStorage } from '../model/onnx/fp16';
import { isPlainName, parseRegistry, REGISTRY_VERSION, RegistryError, upsertEntry, type ModelRegistry, type RegistryEntry } from '../model/registry';
import { convertWeights } from '../model/convert';
import { AdapterError, parseLoraConfigText } from '../model/lora';
import { weightsFromOnnx } from '../model/onnx/weights-from-onnx';
import { adapterBaseDir, convertCheckpointDir, isAdapterDir, readAdapterDir } from './model-files';

/** Options of {@link installModel}. */
export interface InstallOptions {
  /** Folder holding the model folders and index.json. */
  modelsDir: string;
  /** Folder (and registry) name; default: the repository's or folder's name, with `-fp16` for fp16 storage. */
  name?: string;
  weights?: WeightStorage;
  /** Make this the app's default model. */
  makeDefault?: boolean;
  hubUrl?: string;
  revision?: string;
  token?: string;
  fetch?: typeof fetch;
  onProgress?: (progress: PrepareProgress) => void;
  /** How often a dropped download is resumed before giving up (default 5). */
  retries?: number;
  /**
   * For a LoRA adapter (a folder or a hub repository): its base, a checkpoint folder or a hub repository id
   * (default: the adapter's base_model_name_or_path, beside the adapter folder or on the hub).
   */
  base?: string;
}

/** The outcome of an install. */
export interface InstalledModel {
  entry: RegistryEntry;
  /** The model's folder. */
  dir: string;
  manifest: ModelManifest;
  /** Resumed downloads (dropped connections) along the way. */
  resumes: number;
}

/** Whether `target` names a folder on disk (else it is taken as a repository id). */
async function isDirectory(target: string): Promise<boolean> {
  return fs.stat(target).then((s) => s.isDirectory(), () => false);
}

/** Reads `index.json` of a models folder; an absent file is an empty registry. */
export async function readRegistry(modelsDir: string): Promise<ModelRegistry> {
  const file = path.join(modelsDir, 'index.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return { version: REGISTRY_VERSION, models: [] };
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new RegistryError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return parseRegistry(json, file);
}

/** Writes `index.json` atomically. */
export async function writeRegistry(modelsDir: string, registry: ModelRegistry): Promise<void> {
  const file = path.join(modelsDir, 'index.json');
  const temp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(temp, `${JSON.stringify(parseRegistry(registry, file), null, 2)}\n`);
  await fs.rename(temp, file);
}

function defaultName(target: string, fromDisk: boolean, weights: WeightStorage): string {
  const base = fromDisk ? path.basename(path.resolve(target)) : target.split('/').pop() ?? target;
  const name = base.replace(/[^\w.-]+/g, '-').replace(/^[^\w]+/, '') || 'model';
  return weights === 'float16' ? `${name}-fp16` : name;
}

/**
 * A LoRA adapter folder merged into its base: a checkpoint folder (`options.base`, or base_model_name_or_path
 * beside the adapter), else the base repository downloaded from the hub (options.base or base_model_name_or_path).
 */
async function convertAdapterDir(dir: string, name: string, weights: WeightStorage, options: InstallOptions): Promise<{ onnx: Uint8Array; manifest: ModelManifest }> {
  const adapter = await readAdapterDir(dir);
  if (options.base !== undefined && (await isDirectory(options.base))) return convertCheckpointDir(dir, name, { weightStorage: weights, base: options.base });
  let lookedBeside: Error | undefined;
  if (options.base === undefined) {
    try {
      return convertCheckpointDir(dir, name, { weightStorage: weights, base: await adapterBaseDir(dir, adapter) });
    } catch (e) {
      if (!(e instanceof AdapterError) || e.field !== 'base_model_name_or_path') throw e;
      lookedBeside = e;
    }
  }
  const baseId = options.base ?? parseLoraConfigText(adapter.configText).baseModel ?? '';
  let repo: string;
  try {
    repo = normalizeRepoId(baseId);
  } catch {
    throw lookedBeside ?? new AdapterError(`--base ${baseId} is neither a checkpoint folder nor a hub repository id.`, 'base_model_name_or_path');
  }
  const base = await prepareHubModel(
    { repo, hubUrl: options.hubUrl, token: options.token, weights: 'float32' },
    { fetch: options.fetch ?? globalThis.fetch.bind(globalThis), cache: null, onProgress: options.onProgress },
  );
  return convertWeights(base.manifest.config, weightsFromOnnx(base.onnx, base.manifest.config, repo), adapter, {
    name,
    source: `${path.resolve(dir)} (LoRA) on ${base.manifest.source ?? repo}`,
    weightStorage: weights,
    baseName: repo,
  });
}

/**
 * Downloads (or reads) and converts a model, writes it into `modelsDir/<name>/` and registers it.
 * @throws the hub and conversion errors of `prepareHubModel` / `convertCheckpointDir`, or RegistryError
 */
export async function installModel(target: string, options: InstallOptions): Promise<InstalledModel> {
  const weights = options.weights ?? 'float32';
  const fromDisk = await isDirectory(target);
  const name = options.name ?? defaultName(target, fromDisk, weights);
  if (!isPlainName(name)) throw new RegistryError(`"${name}" cannot be a model folder name: use letters, digits, ".", "_" or "-".`);
  const registry = await readRegistry(options.modelsDir);

  let converted: { onnx: Uint8Array; manifest: ModelManifest };
  let source: string;
  let resumes = 0;
  if (fromDisk && (await isAdapterDir(target))) {
    source = path.resolve(target);
    converted = await convertAdapterDir(target, name, weights, options);
  } else if (fromDisk) {
    source = path.resolve(target);
    if (options.base !== undefined) throw new RegistryError(`--base is for LoRA adapters, and ${target} holds no adapter_config.json.`);
    converted = await convertCheckpointDir(target, name, { weightStorage: weights });
  } else {
    const repo = normalizeRepoId(target);
    source = repo;
    let partial: PartialDownload | null = null;
    const retries = options.retries ?? 5;
    for (;;) {
      try {
        const base = options.base === undefined ? undefined : await isDirectory(options.base) ? null : { repo: options.base };
        if (base === null) throw new RegistryError('For an adapter on the hub, --base must be a hub repository id (a local base folder works with a local adapter folder).');
        const prepared = await prepareHubModel(
          { repo, revision: options.revision, hubUrl: options.hubUrl, token: options.token, weights, ...(base ? { base } : {}) },
          {
            fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
            cache: null,
            onProgress: options.onProgress,
            partials: { get: () => partial, set: (p) => void (partial = p) },
          },
        );
        converted = prepared;
        break;
      } catch (e) {
        if (!(e instanceof DownloadInterruptedError) || resumes >= retries) throw e;
        resumes += 1;
      }
    }
  }

  const dir = path.join(options.modelsDir, name);
  const temp = path.join(options.modelsDir, `.${name}.tmp-${process.pid}`);
  await fs.rm(temp, { recursive: true, force: true });
  await fs.mkdir(temp, { recursive: true });
  try {
    await fs.writeFile(path.join(temp, converted.manifest.onnxFile), converted.onnx);
    await fs.writeFile(path.join(temp, 'manifest.json'), `${JSON.stringify(converted.manifest, null, 2)}\n`);
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(temp, dir);
  } catch (e) {
    await fs.rm(temp, { recursive: true, force: true });
    throw e;
  }
  const { manifest } = converted;
  const entry: RegistryEntry = {
    name,
    folder: name,
    parameters: manifest.parameterCount,
    size: manifest.onnxBytes,
    description: `${manifest.name}${weights === 'float16' ? ', fp16 weights' : ''}`,
    source,
    ...(weights === 'float16' ? { weights } : {}),
    ...(options.makeDefault ? { default: true } : {}),
  };
  const previous = registry.models.find((m) => m.name === name);
  if (previous?.default && !options.makeDefault) entry.default = true;
  await writeRegistry(options.modelsDir, upsertEntry(registry, entry));
  return { entry, dir, manifest, resumes };
}
