// Installs a Chronos-2 model into the app's model folder (public/models by default): from a Hugging Face
// repository through the same download and conversion code the browser uses, or from a checkpoint folder on
// disk. Writes `<name>/model.onnx` + `<name>/manifest.json` and adds the model to `index.json`, the registry
// the app reads, so `npm start` serves it with no network. Files are written to a temporary folder and renamed
// into place (atomic-files.ts), so an interrupted install (Ctrl-C included) never leaves a half-written model, a
// temporary folder or a broken registry behind. Names that are not safe as a model folder are refused.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { prepareHubModel, type PrepareProgress } from '../hub/hub-model';
import type { PartialDownload } from '../hub/download';
import { DownloadInterruptedError } from '../hub/errors';
import { normalizeRepoId } from '../hub/repo';
import type { ModelManifest } from '../model/manifest';
import type { WeightStorage } from '../model/onnx/fp16';
import { isPlainName, parseRegistry, REGISTRY_VERSION, RegistryError, upsertEntry, type ModelRegistry, type RegistryEntry } from '../model/registry';
import { replaceFolderAtomically, writeFilesAtomically } from './atomic-files';
import { convertCheckpointDir } from './model-files';

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
  await writeFilesAtomically(modelsDir, [{ name: 'index.json', bytes: `${JSON.stringify(parseRegistry(registry, file), null, 2)}\n` }]);
}

const WINDOWS_DEVICES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
const FILE_LIKE = /\.(json|onnx|safetensors|md|txt|html?|js|mjs|css|csv|wasm)$/i;

/**
 * Why `name` cannot be a model folder in `modelsDir`, or null when it can: it must be a plain name, not the
 * registry or any other file's name, not a temporary name, not a Windows device name, and not an existing file
 * or a folder this tool did not install.
 */
export async function folderNameProblem(name: string, modelsDir: string, registry: ModelRegistry): Promise<string | null> {
  if (!isPlainName(name)) return 'use letters, digits, ".", "_" or "-" (starting with a letter or digit), at most 128 characters';
  if (name.toLowerCase() === 'index.json') return 'index.json is the registry of installed models';
  if (FILE_LIKE.test(name)) return 'it looks like a file name (.json, .onnx, ...), and the models folder keeps files such as index.json beside the model folders';
  if (WINDOWS_DEVICES.test(name)) return 'it is a reserved device name on Windows';
  if (/\.(tmp|old)-\d+$/.test(name)) return 'names ending in .tmp-<n> or .old-<n> are used for partly written files';
  if (/[. ]$/.test(name)) return 'a name may not end in a dot';
  const stat = await fs.stat(path.join(modelsDir, name)).catch(() => null);
  if (stat && !stat.isDirectory()) return `${path.join(modelsDir, name)} is a file`;
  if (stat && !registry.models.some((m) => m.folder === name)) {
    return `${path.join(modelsDir, name)} exists and is not a model installed here; pick another name or remove that folder first`;
  }
  return null;
}

function defaultName(target: string, fromDisk: boolean, weights: WeightStorage): string {
  const base = fromDisk ? path.basename(path.resolve(target)) : target.split('/').pop() ?? target;
  const name = base.replace(/[^\w.-]+/g, '-').replace(/^[^\w]+/, '') || 'model';
  return weights === 'float16' ? `${name}-fp16` : name;
}

/**
 * Downloads (or reads) and converts a model, writes it into `modelsDir/<name>/` and registers it.
 * @throws the hub and conversion errors of `prepareHubModel` / `convertCheckpointDir`, or RegistryError
 */
export async function installModel(target: string, options: InstallOptions): Promise<InstalledModel> {
  const weights = options.weights ?? 'float32';
  const fromDisk = await isDirectory(target);
  const name = options.name ?? defaultName(target, fromDisk, weights);
  const registry = await readRegistry(options.modelsDir);
  const problem = await folderNameProblem(name, options.modelsDir, registry);
  if (problem) throw new RegistryError(`"${name}" cannot be a model folder name: ${problem}.`);

  let converted: { onnx: Uint8Array; manifest: ModelManifest };
  let source: string;
  let resumes = 0;
  if (fromDisk) {
    source = path.resolve(target);
    converted = await convertCheckpointDir(target, name, { weightStorage: weights });
  } else {
    const repo = normalizeRepoId(target);
    source = repo;
    let partial: PartialDownload | null = null;
    const retries = options.retries ?? 5;
    for (;;) {
      try {
        const prepared = await prepareHubModel(
          { repo, revision: options.revision, hubUrl: options.hubUrl, token: options.token, weights },
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
  await replaceFolderAtomically(dir, async (temp) => {
    await fs.writeFile(path.join(temp, converted.manifest.onnxFile), converted.onnx);
    await fs.writeFile(path.join(temp, 'manifest.json'), `${JSON.stringify(converted.manifest, null, 2)}\n`);
  });
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
