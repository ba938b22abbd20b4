// Checkpoint → ONNX conversion as one function usable in the browser (worker) and in Node:
// config.json text + model.safetensors bytes in, model.onnx bytes + manifest out. All validation of
// the untrusted inputs happens here, before any graph is built.
import { parseChronos2ConfigText, type Chronos2Config } from './config';
import { validateCheckpointTensors } from './checkpoint-names';
import { SafetensorsFile } from './safetensors';
import { buildChronos2Graph, type WeightSource } from './onnx/chronos2';
import { MANIFEST_VERSION, sha256Hex, type ModelManifest } from './manifest';
import type { WeightStorage } from './onnx/fp16';
import { mergedWeightSource, parseLoraAdapter, type AdapterFiles } from './lora';

/** Inputs of a conversion. */
export interface CheckpointFiles {
  /** Text of `config.json`. */
  configText: string;
  /** Bytes of `model.safetensors`. */
  safetensors: Uint8Array;
  /** A LoRA adapter to merge into these (base) weights (see lora.ts). */
  adapter?: AdapterFiles;
}

/** Options of {@link convertCheckpoint}. */
export interface ConvertOptions {
  /** Model name for the manifest. */
  name: string;
  /** Where the checkpoint came from (path or repo id), recorded in the manifest. */
  source?: string;
  /** Use onnxruntime's fused kernels (default true); false emits standard ONNX ops only. */
  fused?: boolean;
  /** Store weight matrices as float16 (half the file; compute stays float32). Default float32. */
  weightStorage?: WeightStorage;
  /** See Chronos2GraphOptions.broadcastAttentionBias. */
  broadcastAttentionBias?: boolean;
  /** Name of the base model in adapter error messages. */
  baseName?: string;
}

/** A converted model. */
export interface ConvertedModel {
  onnx: Uint8Array;
  manifest: ModelManifest;
  config: Chronos2Config;
}

/**
 * Converts a Chronos-2 checkpoint into an ONNX graph and its manifest.
 * With `files.adapter`, the checkpoint is the base and the adapter is merged into it (W + (alpha / r)·B·A).
 * @throws ConfigError, SafetensorsError, CheckpointError or AdapterError for invalid inputs; Float16RangeError when float16
 *   storage is asked for and a weight does not fit it.
 */
export async function convertCheckpoint(files: CheckpointFiles, options: ConvertOptions): Promise<ConvertedModel> {
  const config = parseChronos2ConfigText(files.configText, 'config.json');
  const weights = SafetensorsFile.parse(files.safetensors, 'model.safetensors');
  validateCheckpointTensors(config, weights.tensors, 'model.safetensors');
  // Views, not copies: each weight is copied once, straight into the ONNX buffer (graph-builder's toModelBytes).
  return convertWeights(config, (name) => weights.viewFloat32(name), files.adapter, options);
}

/**
 * Converts weights already checked against `config` (a safetensors checkpoint, or a converted base read back with
 * weightsFromOnnx), merging `adapter` into them when given.
 * @throws AdapterError when the adapter does not fit `config`; Float16RangeError as convertCheckpoint
 */
export async function convertWeights(
  config: Chronos2Config,
  baseWeights: WeightSource,
  adapter: AdapterFiles | undefined,
  options: ConvertOptions,
): Promise<ConvertedModel> {
  const lora = adapter ? parseLoraAdapter(adapter, config, options.baseName) : undefined;
  const graph = buildChronos2Graph(config, lora ? mergedWeightSource(baseWeights, lora) : baseWeights, {
    fused: options.fused,
    weightStorage: options.weightStorage,
    broadcastAttentionBias: options.broadcastAttentionBias,
    metadata: { name: options.name, ...(options.source ? { source: options.source } : {}), ...(lora ? { lora: `r=${lora.config.r} alpha=${lora.config.loraAlpha} layers=${lora.layers.size}` } : {}) },
  });
  const manifest: ModelManifest = {
    format: 'chronos-web-onnx',
    version: MANIFEST_VERSION,
    name: options.name,
    onnxFile: 'model.onnx',
    onnxBytes: graph.bytes.byteLength,
    sha256: await sha256Hex(graph.bytes),
    parameterCount: graph.parameterCount,
    config,
    createdAt: new Date().toISOString(),
    ...(options.source ? { source: options.source } : {}),
    ...(options.weightStorage && options.weightStorage !== 'float32' ? { weights: options.weightStorage } : {}),
  };
  return { onnx: graph.bytes, manifest, config };
}
