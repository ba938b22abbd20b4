// The manifest written next to a converted `model.onnx`: what the app and the runtime need to know
// about a model without parsing the graph (config summary, quantiles, sizes, integrity hash).
import { WEIGHT_STORAGES, type WeightStorage } from './onnx/fp16';
import { createSHA256 } from 'hash-wasm';
import { ConfigError, validateNormalisedConfig, type Chronos2Config } from './config';
import { jsonNestsDeeperThan } from './json-depth';
import { readOnnxMetadata } from './onnx-metadata';

/** Current manifest format version. */
export const MANIFEST_VERSION = 1;

/** Describes one converted Chronos-2 model. */
export interface ModelManifest {
  format: 'chronos-web-onnx';
  version: typeof MANIFEST_VERSION;
  /** Display name, e.g. `random-small` or `amazon/chronos-2`. */
  name: string;
  /** File name of the ONNX graph, relative to the manifest. */
  onnxFile: string;
  /** Size of the ONNX file in bytes. */
  onnxBytes: number;
  /** Hex sha256 of the ONNX file. */
  sha256: string;
  parameterCount: number;
  /** The normalised model configuration. */
  config: Chronos2Config;
  /** When and from what the graph was produced. */
  createdAt: string;
  source?: string;
  /** How weight matrices are stored; absent means float32. Compute is float32 either way. */
  weights?: WeightStorage;
}

/** How a manifest's model stores its weights (an absent field means float32). */
export function manifestWeights(manifest: Pick<ModelManifest, 'weights'>): WeightStorage {
  return manifest.weights ?? 'float32';
}

/** Thrown when a manifest is malformed or does not match its ONNX file. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

/**
 * Parses the text of a manifest.json and validates it with {@link parseManifest}.
 * @throws ManifestError when it is not JSON, nests absurdly deep, or is not a valid manifest
 */
export function parseManifestText(text: string, source = 'manifest.json'): ModelManifest {
  if (text.length > 1024 * 1024) throw new ManifestError(`${source}: ${text.length} characters is too large for a manifest; is this the right file?`);
  if (jsonNestsDeeperThan(text)) throw new ManifestError(`${source}: arrays or objects nest far too deep; this is not a manifest.`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ManifestError(`${source}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return parseManifest(json, source);
}

/**
 * Checks a manifest against the ONNX graph it describes: the quantile levels and patch size the converter wrote
 * into the graph's metadata must be the manifest's (relabelled levels would silently shift the median).
 * @throws ManifestError naming the mismatch
 */
export function checkManifestAgainstOnnx(manifest: ModelManifest, onnx: Uint8Array, source = manifest.name): void {
  const metadata = readOnnxMetadata(onnx);
  if (metadata === null) throw new ManifestError(`${source}: the ONNX file is not a valid ONNX model (its protobuf framing is broken).`);
  if (metadata.quantiles !== undefined) {
    let levels: unknown;
    try {
      levels = JSON.parse(metadata.quantiles);
    } catch {
      levels = metadata.quantiles;
    }
    const expected = manifest.config.quantiles;
    if (!Array.isArray(levels) || levels.length !== expected.length || levels.some((q, i) => q !== expected[i])) {
      throw new ManifestError(
        `${source}: the manifest's quantile levels [${expected.join(', ')}] are not the graph's [${Array.isArray(levels) ? levels.join(', ') : String(levels)}]; ` +
          'the manifest does not belong to this model.onnx (or was edited). Convert the checkpoint again.',
      );
    }
  }
  if (metadata.patch_size !== undefined && Number(metadata.patch_size) !== manifest.config.patchSize) {
    throw new ManifestError(
      `${source}: the manifest's patch size ${manifest.config.patchSize} is not the graph's ${metadata.patch_size}; the manifest does not belong to this model.onnx. Convert the checkpoint again.`,
    );
  }
}

/** Validates an untrusted manifest object (as read from JSON). */
export function parseManifest(json: unknown, source = 'manifest.json'): ModelManifest {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ManifestError(`${source}: not a JSON object`);
  const m = json as Record<string, unknown>;
  if (m.format !== 'chronos-web-onnx') throw new ManifestError(`${source}: format must be "chronos-web-onnx", found ${JSON.stringify(m.format)}`);
  if (m.version !== MANIFEST_VERSION) throw new ManifestError(`${source}: unsupported manifest version ${JSON.stringify(m.version)} (expected ${MANIFEST_VERSION})`);
  for (const key of ['name', 'onnxFile', 'sha256'] as const) {
    if (typeof m[key] !== 'string' || (m[key] as string).length === 0) throw new ManifestError(`${source}: ${key} must be a non-empty string`);
  }
  if (!/^[0-9a-f]{64}$/.test(m.sha256 as string)) throw new ManifestError(`${source}: sha256 must be 64 hex digits`);
  if (/[\\/]|\.\./.test(m.onnxFile as string)) throw new ManifestError(`${source}: onnxFile must be a plain file name, found ${JSON.stringify(m.onnxFile)}`);
  for (const key of ['onnxBytes', 'parameterCount'] as const) {
    if (!Number.isSafeInteger(m[key]) || (m[key] as number) <= 0) throw new ManifestError(`${source}: ${key} must be a positive integer`);
  }
  if (m.config === undefined) throw new ManifestError(`${source}: config missing`);
  try {
    m.config = validateNormalisedConfig(m.config, source);
  } catch (e) {
    if (e instanceof ConfigError) throw new ManifestError(e.message);
    throw e;
  }
  if (m.weights !== undefined && !WEIGHT_STORAGES.includes(m.weights as WeightStorage)) {
    throw new ManifestError(`${source}: weights must be one of ${WEIGHT_STORAGES.join(', ')}, found ${JSON.stringify(m.weights)}`);
  }
  return m as unknown as ModelManifest;
}

/**
 * Hex sha256 of bytes, hashed incrementally in 16 MiB slices.
 * NOTE: not WebCrypto: `crypto.subtle.digest` copies its whole input first, which for a 480 MB model
 * is another 480 MB at the peak of conversion.
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const hash = await createSHA256();
  hash.init();
  const slice = 16 * 1024 * 1024;
  for (let offset = 0; offset < bytes.byteLength; offset += slice) {
    hash.update(bytes.subarray(offset, Math.min(offset + slice, bytes.byteLength)));
    // Yield between slices so a worker stays responsive to cancel messages.
    if (offset + slice < bytes.byteLength) await Promise.resolve();
  }
  return hash.digest('hex');
}
