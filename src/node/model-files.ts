// Node-only file access for the CLIs and tests: read a Hugging Face checkpoint folder or a converted
// model folder from disk, with size limits, and turn it into a runner. Browser code never imports this.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as ortWeb from 'onnxruntime-web';
import { convertCheckpoint, type ConvertedModel } from '../model/convert';
import { checkManifestAgainstOnnx, parseManifestText, sha256Hex, ManifestError, type ModelManifest } from '../model/manifest';
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

/** Reads and converts a checkpoint folder (`config.json` + `model.safetensors`). */
export async function convertCheckpointDir(
  dir: string,
  name = path.basename(path.resolve(dir)),
  options: { fused?: boolean; weightStorage?: WeightStorage; broadcastAttentionBias?: boolean } = {},
): Promise<ConvertedModel> {
  const configBytes = await readBounded(path.join(dir, 'config.json'), MAX_CONFIG_BYTES);
  const safetensors = await readBounded(path.join(dir, 'model.safetensors'), MAX_MODEL_FILE_BYTES);
  return convertCheckpoint(
    { configText: new TextDecoder().decode(configBytes), safetensors },
    { name, source: path.resolve(dir), fused: options.fused, weightStorage: options.weightStorage, broadcastAttentionBias: options.broadcastAttentionBias },
  );
}

/** Reads a converted model folder (`manifest.json` + the ONNX file it names) and checks its hash. */
export async function readConvertedDir(dir: string): Promise<{ onnx: Uint8Array; manifest: ModelManifest }> {
  const manifestPath = path.join(dir, 'manifest.json');
  const manifestText = new TextDecoder().decode(await readBounded(manifestPath, MAX_CONFIG_BYTES));
  const manifest = parseManifestText(manifestText, manifestPath);
  const onnx = await readBounded(path.join(dir, manifest.onnxFile), MAX_MODEL_FILE_BYTES);
  const digest = await sha256Hex(onnx);
  if (digest !== manifest.sha256) throw new ManifestError(`${dir}/${manifest.onnxFile}: sha256 ${digest} does not match the manifest (${manifest.sha256})`);
  checkManifestAgainstOnnx(manifest, onnx, manifestPath);
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

/** A ModelRunner for a checkpoint folder (converted in memory) or a converted model folder. */
export async function runnerFromDir(dir: string, options: RunnerOptions = {}): Promise<OrtModelRunner> {
  const ort = options.ort ?? ortWeb;
  if (await isCheckpointDir(dir)) {
    const converted = await convertCheckpointDir(dir, undefined, { weightStorage: options.weightStorage });
    return OrtModelRunner.create(ort, converted.onnx, modelInfoFromConfig(converted.config), options.sessionOptions);
  }
  const { onnx, manifest } = await readConvertedDir(dir);
  return OrtModelRunner.create(ort, onnx, modelInfoFromConfig(manifest.config), options.sessionOptions);
}
