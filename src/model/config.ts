// Normalises and validates a Hugging Face `config.json` of a Chronos-2 model at the boundary, so that graph
// building and the pipeline can trust a small typed `Chronos2Config` instead of re-checking loose JSON.
// Semantics follow upstream `Chronos2CoreConfig` (defaults, activation from `feed_forward_proj`) and the
// checks in the `Chronos2Model` constructor (required `chronos_config`, equal patch sizes).
import { describeValue } from './describe-value';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from './json-depth';

/** Activations the converter can express (the subset of transformers' `ACT2FN` a Chronos-2 MLP may name). */
export type ActivationName =
  | 'relu'
  | 'gelu'
  | 'gelu_new'
  | 'gelu_pytorch_tanh'
  | 'silu'
  | 'swish'
  | 'tanh'
  | 'sigmoid';

/** A validated, normalised Chronos-2 configuration (camelCase of the Hugging Face fields). */
export interface Chronos2Config {
  /** Hidden size. */
  dModel: number;
  /** Size of one attention head (q/k/v projections have `numHeads * dKv` outputs). Even (RoPE). */
  dKv: number;
  numHeads: number;
  /** Inner size of the MLPs and of the patch-embedding residual blocks. */
  dFf: number;
  /** Number of encoder blocks. */
  numLayers: number;
  /** Activation of the MLPs and residual blocks. */
  denseActFn: ActivationName;
  /** Epsilon of the T5 RMS norms. */
  layerNormEpsilon: number;
  /** RoPE base. */
  ropeTheta: number;
  /** Longest context the model reads (longer inputs keep their last `contextLength` steps). */
  contextLength: number;
  /** Patch size P: input patch size = output patch size = input patch stride. */
  patchSize: number;
  /** Most output patches one model call produces. */
  maxOutputPatches: number;
  /** Quantile levels of the output, strictly increasing, in the model's order. */
  quantiles: number[];
  /** Divisor of the time encoding (defaults to `contextLength`). */
  timeEncodingScale: number;
  /** Whether the instance norm applies arcsinh after scaling. */
  useArcsinh: boolean;
  /** Whether a REG token is appended after the context patches (`shared.weight` then has 2 rows). */
  useRegToken: boolean;
}

/** `config.json` is malformed or describes a model this project cannot run. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** Path of the offending field, e.g. `chronos_config.quantiles`; `(root)` for the document itself. */
  readonly field: string;

  constructor(message: string, field: string) {
    super(message);
    this.field = field;
  }
}

const ACTIVATIONS: readonly ActivationName[] = [
  'relu',
  'gelu',
  'gelu_new',
  'gelu_pytorch_tanh',
  'silu',
  'swish',
  'tanh',
  'sigmoid',
];

/**
 * Ranges of every size in a config. Weight shapes bound the sizes the weights depend on anyway, but a value no
 * weight depends on (`context_length`, `max_output_patches`) sizes the graph's tables and the pipeline's buffers
 * by itself, so an absurd one (1e8, 2^53) would allocate gigabytes or throw a RangeError. The limits are far above
 * every released Chronos-2 model (context 8192, 64 output patches, 577 tokens per call).
 */
export const CONFIG_LIMITS = {
  dModel: 16_384,
  dKv: 1024,
  numHeads: 256,
  dFf: 65_536,
  numLayers: 256,
  contextLength: 65_536,
  patchSize: 1024,
  maxOutputPatches: 1024,
  /** Tokens of the longest model call: context patches + REG token + output patches (attention is quadratic in it). */
  tokens: 8192,
  quantiles: 256,
  /** rope_theta and time_encoding_scale. */
  scale: 1e12,
  layerNormEpsilon: 1,
} as const;

/** Tokens of the longest model call a config allows: what the RoPE tables and attention must cover. */
export function maxTokensPerCall(config: Pick<Chronos2Config, 'contextLength' | 'patchSize' | 'maxOutputPatches' | 'useRegToken'>): number {
  return Math.ceil(config.contextLength / config.patchSize) + (config.useRegToken ? 1 : 0) + config.maxOutputPatches;
}

/** Upper bound on the size of a config.json text (real ones are ~1 KB). */
const MAX_CONFIG_CHARS = 1 << 20;

/** Fields of upstream `Chronos2ForecastingConfig`; upstream refuses any other key in `chronos_config`. */
const CHRONOS_CONFIG_FIELDS = [
  'context_length',
  'output_patch_size',
  'input_patch_size',
  'input_patch_stride',
  'quantiles',
  'use_reg_token',
  'use_arcsinh',
  'max_output_patches',
  'time_encoding_scale',
];

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own property only: a config must not pick up `constructor`, `toString`, ... from the prototype. */
function own(obj: JsonObject, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}


/** Reads fields of one JSON object, throwing a `ConfigError` that names the field path on the first problem. */
class FieldReader {
  constructor(
    private readonly obj: JsonObject,
    private readonly prefix: string,
    readonly source: string,
  ) {}

  path(key: string): string {
    return this.prefix + key;
  }

  fail(key: string, value: unknown, problem: string): never {
    const path = this.path(key);
    throw new ConfigError(`${this.source}: ${path} (${describeValue(value)}) ${problem}`, path);
  }

  raw(key: string): unknown {
    return own(this.obj, key);
  }

  /** A positive integer up to `max`; `fallback` when absent, required when `fallback` is undefined. */
  positiveInt(key: string, max: number, fallback?: number): number {
    const value = this.raw(key);
    if (value === undefined && fallback !== undefined) return fallback;
    if (value === undefined) this.fail(key, value, 'is required: expected a positive integer');
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0 || value > max) {
      this.fail(key, value, `must be a positive integer of at most ${max.toLocaleString('en-US')}`);
    }
    return value;
  }

  /** A finite number > min (or >= min when `inclusive`) and <= max, `fallback` when absent. */
  finite(key: string, fallback: number, min: number, inclusive: boolean, max: number): number {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    const ok = typeof value === 'number' && Number.isFinite(value) && (inclusive ? value >= min : value > min) && value <= max;
    if (!ok) this.fail(key, value, `must be a finite number ${inclusive ? '>=' : '>'} ${min} and <= ${max}`);
    return value as number;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') this.fail(key, value, 'must be true or false');
    return value;
  }

  string(key: string, fallback: string): string {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (typeof value !== 'string') this.fail(key, value, 'must be a string');
    return value;
  }
}

function parseActivation(top: FieldReader): ActivationName {
  // Upstream: dense_act_fn = feed_forward_proj.split('-')[-1], and a 'gated-*' projection is refused. A saved
  // config.json also carries dense_act_fn, which transformers applies after the constructor, so it wins.
  const proj = top.string('feed_forward_proj', 'relu');
  const parts = proj.split('-');
  if (parts[0] === 'gated') {
    top.fail('feed_forward_proj', proj, 'is a gated activation, which Chronos-2 does not support');
  }
  if (top.raw('is_gated_act') === true) {
    top.fail('is_gated_act', true, 'must be false: Chronos-2 does not support gated activations');
  }
  const act = top.string('dense_act_fn', parts[parts.length - 1]);
  if (!(ACTIVATIONS as readonly string[]).includes(act)) {
    const derived = top.raw('dense_act_fn') === undefined ? ` (derived from feed_forward_proj ${describeValue(proj)})` : '';
    throw new ConfigError(
      `${top.source}: dense_act_fn (${describeValue(act)})${derived} is not a supported activation: expected one of ${ACTIVATIONS.join(', ')}`,
      'dense_act_fn',
    );
  }
  return act as ActivationName;
}

function parseQuantiles(chronos: FieldReader): number[] {
  const key = 'quantiles';
  const value = chronos.raw(key);
  if (value === undefined) chronos.fail(key, value, 'is required: expected a non-empty array of levels in (0, 1)');
  if (!Array.isArray(value) || value.length === 0 || value.length > CONFIG_LIMITS.quantiles) {
    chronos.fail(key, value, `must be a non-empty array of at most ${CONFIG_LIMITS.quantiles} levels in (0, 1)`);
  }
  const levels: number[] = [];
  value.forEach((q: unknown, i: number) => {
    if (typeof q !== 'number' || !Number.isFinite(q) || q <= 0 || q >= 1) {
      chronos.fail(key, value, `has entry [${i}] = ${describeValue(q)}: every level must be a finite number strictly in (0, 1)`);
    }
    if (i > 0 && q <= levels[i - 1]) {
      chronos.fail(
        key,
        value,
        `must be strictly increasing, but [${i - 1}] = ${levels[i - 1]} and [${i}] = ${q}`,
      );
    }
    levels.push(q);
  });
  return levels;
}

/**
 * Validates a parsed Hugging Face `config.json` of a Chronos-2 model and returns the normalised config.
 *
 * Defaults follow upstream `Chronos2CoreConfig` (d_model 512, d_kv 64, d_ff 2048, num_layers 6, num_heads 8,
 * layer_norm_epsilon 1e-6, rope_theta 10000, feed_forward_proj relu) and `Chronos2ForecastingConfig`
 * (use_reg_token / use_arcsinh false, max_output_patches 1, time_encoding_scale = context_length).
 *
 * @param json the parsed document
 * @param source file name used in messages (default `config.json`)
 * @throws ConfigError naming the first offending field
 */
export function parseChronos2Config(json: unknown, source = 'config.json'): Chronos2Config {
  if (!isObject(json)) {
    throw new ConfigError(`${source}: expected a JSON object, found ${describeValue(json)}`, '(root)');
  }
  const top: FieldReader = new FieldReader(json, '', source);

  const L = CONFIG_LIMITS;
  const dModel = top.positiveInt('d_model', L.dModel, 512);
  const dKv = top.positiveInt('d_kv', L.dKv, 64);
  if (dKv % 2 !== 0) top.fail('d_kv', dKv, 'must be even: rotary position embeddings rotate pairs of dimensions');
  const dFf = top.positiveInt('d_ff', L.dFf, 2048);
  const numLayers = top.positiveInt('num_layers', L.numLayers, 6);
  const numHeads = top.positiveInt('num_heads', L.numHeads, 8);
  const layerNormEpsilon = top.finite('layer_norm_epsilon', 1e-6, 0, true, L.layerNormEpsilon);
  const ropeTheta = top.finite('rope_theta', 10000, 0, false, L.scale);
  const denseActFn = parseActivation(top);

  const chronosRaw = top.raw('chronos_config');
  if (chronosRaw === undefined) {
    throw new ConfigError(
      `${source}: chronos_config is missing: not a Chronos-2 config (Chronos-2 models carry a chronos_config object)`,
      'chronos_config',
    );
  }
  if (!isObject(chronosRaw)) top.fail('chronos_config', chronosRaw, 'must be an object');
  const chronos: FieldReader = new FieldReader(chronosRaw, 'chronos_config.', source);
  for (const key of Object.keys(chronosRaw)) {
    if (!CHRONOS_CONFIG_FIELDS.includes(key)) {
      chronos.fail(key, chronosRaw[key], `is not a known field (known: ${CHRONOS_CONFIG_FIELDS.join(', ')})`);
    }
  }

  const contextLength = chronos.positiveInt('context_length', L.contextLength);
  const inputPatchSize = chronos.positiveInt('input_patch_size', L.patchSize);
  const outputPatchSize = chronos.positiveInt('output_patch_size', L.patchSize);
  const inputPatchStride = chronos.positiveInt('input_patch_stride', L.patchSize);
  if (inputPatchSize !== outputPatchSize) {
    chronos.fail(
      'input_patch_size',
      inputPatchSize,
      `must equal chronos_config.output_patch_size (${outputPatchSize}): Chronos-2 requires equal input and output patch sizes`,
    );
  }
  if (inputPatchStride !== inputPatchSize) {
    chronos.fail(
      'input_patch_stride',
      inputPatchStride,
      `must equal chronos_config.input_patch_size (${inputPatchSize}): overlapping or gapped patches are not supported`,
    );
  }
  const quantiles = parseQuantiles(chronos);
  const maxOutputPatches = chronos.positiveInt('max_output_patches', L.maxOutputPatches, 1);
  // Upstream types this `int | None` and divides by it; a null counts as absent here (→ context_length).
  const scaleRaw = chronos.raw('time_encoding_scale');
  let timeEncodingScale = contextLength;
  if (scaleRaw !== undefined && scaleRaw !== null) {
    if (typeof scaleRaw !== 'number' || !Number.isFinite(scaleRaw) || scaleRaw <= 0 || scaleRaw > L.scale) {
      chronos.fail('time_encoding_scale', scaleRaw, `must be a positive number of at most ${L.scale}`);
    }
    timeEncodingScale = scaleRaw;
  }
  const useArcsinh = chronos.boolean('use_arcsinh', false);
  const useRegToken = chronos.boolean('use_reg_token', false);
  const tokens = maxTokensPerCall({ contextLength, patchSize: inputPatchSize, maxOutputPatches, useRegToken });
  if (tokens > L.tokens) {
    chronos.fail(
      'context_length',
      contextLength,
      `with input_patch_size ${inputPatchSize} and max_output_patches ${maxOutputPatches} makes model calls of ${tokens.toLocaleString('en-US')} tokens; at most ${L.tokens.toLocaleString('en-US')} are supported`,
    );
  }

  return {
    dModel,
    dKv,
    numHeads,
    dFf,
    numLayers,
    denseActFn,
    layerNormEpsilon,
    ropeTheta,
    contextLength,
    patchSize: inputPatchSize,
    maxOutputPatches,
    quantiles,
    timeEncodingScale,
    useArcsinh,
    useRegToken,
  };
}

/**
 * Parses the text of a `config.json` and validates it with {@link parseChronos2Config}.
 *
 * @throws ConfigError (field `(root)`) when the text is larger than 1 MiB or not valid JSON
 */
export function parseChronos2ConfigText(text: string, source = 'config.json'): Chronos2Config {
  if (text.length > MAX_CONFIG_CHARS) {
    throw new ConfigError(
      `${source}: ${text.length} characters is too large for a model config (limit ${MAX_CONFIG_CHARS}); is this the right file?`,
      '(root)',
    );
  }
  if (jsonNestsDeeperThan(text)) {
    throw new ConfigError(`${source}: arrays or objects nest more than ${MAX_JSON_DEPTH} deep; a model config is flat. Is this the right file?`, '(root)');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError(`${source}: not valid JSON: ${reason}`, '(root)');
  }
  return parseChronos2Config(json, source);
}

/**
 * Validates a normalised config as stored in a manifest (`manifest.json`, the model cache): every field present,
 * of its type and within {@link CONFIG_LIMITS}, with the same rules as {@link parseChronos2Config}.
 * @throws ConfigError naming the first offending field (as `config.<field>`)
 */
export function validateNormalisedConfig(value: unknown, source: string): Chronos2Config {
  if (!isObject(value)) throw new ConfigError(`${source}: config must be an object, found ${describeValue(value)}`, 'config');
  const r = new FieldReader(value, 'config.', source);
  const L = CONFIG_LIMITS;
  const required = <T>(key: string, read: () => T): T => {
    if (r.raw(key) === undefined) r.fail(key, undefined, 'is required');
    return read();
  };
  const int = (key: string, max: number): number => required(key, () => r.positiveInt(key, max));
  const dKv = int('dKv', L.dKv);
  if (dKv % 2 !== 0) r.fail('dKv', dKv, 'must be even');
  const config: Chronos2Config = {
    dModel: int('dModel', L.dModel),
    dKv,
    numHeads: int('numHeads', L.numHeads),
    dFf: int('dFf', L.dFf),
    numLayers: int('numLayers', L.numLayers),
    denseActFn: required('denseActFn', () => {
      const act = r.string('denseActFn', '');
      if (!(ACTIVATIONS as readonly string[]).includes(act)) r.fail('denseActFn', act, `must be one of ${ACTIVATIONS.join(', ')}`);
      return act as ActivationName;
    }),
    layerNormEpsilon: required('layerNormEpsilon', () => r.finite('layerNormEpsilon', 0, 0, true, L.layerNormEpsilon)),
    ropeTheta: required('ropeTheta', () => r.finite('ropeTheta', 0, 0, false, L.scale)),
    contextLength: int('contextLength', L.contextLength),
    patchSize: int('patchSize', L.patchSize),
    maxOutputPatches: int('maxOutputPatches', L.maxOutputPatches),
    quantiles: required('quantiles', () => parseQuantiles(r)),
    timeEncodingScale: required('timeEncodingScale', () => r.finite('timeEncodingScale', 0, 0, false, L.scale)),
    useArcsinh: required('useArcsinh', () => r.boolean('useArcsinh', false)),
    useRegToken: required('useRegToken', () => r.boolean('useRegToken', false)),
  };
  const tokens = maxTokensPerCall(config);
  if (tokens > L.tokens) r.fail('contextLength', config.contextLength, `makes model calls of ${tokens} tokens; at most ${L.tokens} are supported`);
  return config;
}
