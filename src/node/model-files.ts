// Node-only file access for the CLIs and tests: read a Hugging Face checkpoint folder or a converted
// model folder from disk, with size limits, and turn it into a runner. Browser code never imports this.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as ortWeb from 'onnxruntime-web';
import { convertCheckpoint, type ConvertedModel } from '../model/convert';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, AdapterError, parseLoraConfigText, type AdapterFiles } from '../model/lora';
import { parseManifest, sha256Hex, ManifestError, type ModelManifest } from '../model/manifest';
import type { WeightStorage } from '../model/onnx/fp16';
import { OrtModelRunner, modelInfoFromConfig, type OrtModule, type SessionOptions } from '../runtime/ort-runner';

/** Largest file the CLIs read into memory (the 120M-parameter model is ~480 MB in fp32). */
export const MAX_MODEL_FILE_BYTES = 4 * 1024 ** 3;
const MAX_CONFIG_BYTES = 1024 * 1024;

async function readBounded(file: string, limit: number): Promise<Uint8Array> {
  const stat = await fs.stat(file).catch(() => {
    throw new Error(`${file}: file not found`);
  });
  if (!stat.isFile()) throw new Error(`${file}: not a regular file`);
  if (stat.size > limit) throw new Error(`${file}: ${stat.size} bytes is larger than the limit of ${limit} bytes`);
  const buf = await fs.readFile(file);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Options of {@link convertCheckpointDir}. */
export interface ConvertDirOptions {
  fused?: boolean;
  weightStorage?: WeightStorage;
  broadcastAttentionBias?: boolean;
  /** For an adapter folder: the base checkpoint folder (default: `base_model_name_or_path` beside the adapter). */
  base?: string;
}

/**
 * Reads and converts a checkpoint folder (`config.json` + `model.safetensors`), or a LoRA adapter folder
 * (`adapter_config.json` + `adapter_model.safetensors`) merged into its base checkpoint folder.
 */
export async function convertCheckpointDir(
  dir: string,
  name = path.basename(path.resolve(dir)),
  options: ConvertDirOptions = {},
): Promise<ConvertedModel> {
  let baseDir = dir;
  let adapter: AdapterFiles | undefined;
  if (await isAdapterDir(dir)) {
    adapter = await readAdapterDir(dir);
    baseDir = options.base ?? (await adapterBaseDir(dir, adapter));
  } else if (options.base !== undefined) {
    throw new AdapterError(`${dir}: a base model was given, but the folder holds no ${ADAPTER_CONFIG_FILE} (it is not a LoRA adapter).`, ADAPTER_CONFIG_FILE);
  }
  const configBytes = await readBounded(path.join(baseDir, 'config.json'), MAX_CONFIG_BYTES);
  const safetensors = await readBounded(path.join(baseDir, 'model.safetensors'), MAX_MODEL_FILE_BYTES);
  const source = adapter ? `${path.resolve(baseDir)} + LoRA ${path.resolve(dir)}` : path.resolve(dir);
  return convertCheckpoint(
    { configText: new TextDecoder().decode(configBytes), safetensors, ...(adapter ? { adapter } : {}) },
    { name, source, fused: options.fused, weightStorage: options.weightStorage, broadcastAttentionBias: options.broadcastAttentionBias, baseName: path.basename(path.resolve(baseDir)) },
  );
}

/** Whether `dir` holds a peft LoRA adapter (`adapter_config.json`). */
export async function isAdapterDir(dir: string): Promise<boolean> {
  return fs
    .stat(path.join(dir, ADAPTER_CONFIG_FILE))
    .then((s) => s.isFile())
    .catch(() => false);
}

/** Reads an adapter folder's two files (bounded). */
export async function readAdapterDir(dir: string): Promise<AdapterFiles> {
  const configText = new TextDecoder().decode(await readBounded(path.join(dir, ADAPTER_CONFIG_FILE), MAX_CONFIG_BYTES));
  const safetensors = await readBounded(path.join(dir, ADAPTER_WEIGHTS_FILE), MAX_MODEL_FILE_BYTES);
  return { configText, safetensors, name: path.basename(path.resolve(dir)) };
}

/**
 * The base checkpoint folder of an adapter folder: `base_model_name_or_path` as a path (absolute, or relative to
 * the adapter's parent folder, as upstream's fixtures lay them out side by side).
 * @throws AdapterError saying what was looked for and how to name the base instead
 */
export async function adapterBaseDir(dir: string, adapter: AdapterFiles): Promise<string> {
  const { baseModel } = parseLoraConfigText(adapter.configText, path.join(dir, ADAPTER_CONFIG_FILE));
  if (!baseModel) {
    throw new AdapterError(`${path.join(dir, ADAPTER_CONFIG_FILE)} names no base model (base_model_name_or_path is empty); give the base checkpoint explicitly.`, 'base_model_name_or_path');
  }
  const candidates = path.isAbsolute(baseModel) ? [baseModel] : [path.resolve(dir, '..', baseModel), path.resolve(dir, baseModel)];
  for (const candidate of candidates) if (await isCheckpointDir(candidate)) return candidate;
  throw new AdapterError(
    `The adapter ${path.resolve(dir)} was trained on "${baseModel}" (base_model_name_or_path), and no checkpoint folder of that name ` +
      `(config.json + model.safetensors) is at ${candidates.join(' or ')}. Put the base model there, give its folder explicitly, ` +
      'or load the adapter from the hub, where the base is downloaded by its repository id.',
    'base_model_name_or_path',
  );
}

/** Reads a converted model folder (`manifest.json` + the ONNX file it names) and checks its hash. */
export async function readConvertedDir(dir: string): Promise<{ onnx: Uint8Array; manifest: ModelManifest }> {
  const manifestPath = path.join(dir, 'manifest.json');
  const manifestText = new TextDecoder().decode(await readBounded(manifestPath, MAX_CONFIG_BYTES));
  let json: unknown;
  try {
    json = JSON.parse(manifestText);
  } catch (e) {
    throw new ManifestError(`${manifestPath}: not valid JSON (${(e as Error).message})`);
  }
  const manifest = parseManifest(json, manifestPath);
  const onnx = await readBounded(path.join(dir, manifest.onnxFile), MAX_MODEL_FILE_BYTES);
  const digest = await sha256Hex(onnx);
  if (digest !== manifest.sha256) throw new ManifestError(`${dir}/${manifest.onnxFile}: sha256 ${digest} does not match the manifest (${manifest.sha256})`);
  return { onnx, manifest };
}

/** Whether `dir` holds a Hugging Face checkpoint (as opposed to a converted model). */
export async function isCheckpointDir(dir: string): Promise<boolean> {
  return fs
    .stat(path.join(dir, 'model.safetensors'))
    .then((s) => s.isFile())
    .catch(() => false);
}

/** Options for {@link runnerFromDir}. */
export interface RunnerOptions {
  ort?: OrtModule;
  sessionOptions?: SessionOptions;
  /** Weight storage when a checkpoint folder is converted (default float32). */
  weightStorage?: WeightStorage;
}

/** A ModelRunner for a checkpoint or LoRA adapter folder (converted in memory) or a converted model folder. */
export async function runnerFromDir(dir: string, options: RunnerOptions = {}): Promise<OrtModelRunner> {
  const ort = options.ort ?? ortWeb;
  if ((await isCheckpointDir(dir)) || (await isAdapterDir(dir))) {
    const converted = await convertCheckpointDir(dir, undefined, { weightStorage: options.weightStorage });
    return OrtModelRunner.create(ort, converted.onnx, modelInfoFromConfig(converted.config), options.sessionOptions);
  }
  const { onnx, manifest } = await readConvertedDir(dir);
  return OrtModelRunner.create(ort, onnx, modelInfoFromConfig(manifest.config), options.sessionOptions);
}
