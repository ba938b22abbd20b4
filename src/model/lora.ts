// LoRA adapters of fine-tuned Chronos-2 models, as upstream's `Chronos2Pipeline.fit(..., finetune_mode="lora")`
// saves them (peft: `adapter_config.json` + `adapter_model.safetensors`), merged into the base model's weights the
// way peft's `merge_and_unload` does: W ← W + (lora_alpha / r) · B · A for every adapted Linear layer. The merge
// happens while the graph is written, one weight at a time, so a merged model costs no more memory to convert than
// its base. Both files are untrusted: every field the merge depends on is checked, peft features that would change
// the arithmetic (DoRA, rsLoRA, per-layer ranks, …) are refused by name rather than silently ignored.
import type { Chronos2Config } from './config';
import { expectedTensorShapes } from './checkpoint-names';
import { SafetensorsFile } from './safetensors';

/** Conventional file names of a peft adapter. */
export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';

/** An adapter's config or weights are malformed, unsupported, or do not fit the base model. */
export class AdapterError extends Error {
  override readonly name = 'AdapterError';
  /** The offending field of adapter_config.json (e.g. `use_dora`), or the tensor / file at fault. */
  readonly field: string;

  constructor(message: string, field: string) {
    super(message);
    this.field = field;
  }
}

/** A validated LoRA adapter config (the fields the merge uses). */
export interface LoraConfig {
  /** Rank r of every adapted layer. */
  r: number;
  loraAlpha: number;
  /** lora_alpha / r, as float32 (peft's `scaling`). */
  scaling: number;
  /** `target_modules` as given: names matched as peft does (equal, or a `.`-suffix), or one full-match regex. */
  targetModules: string[] | string;
  /** `base_model_name_or_path`: a hub repository id, or a folder name beside the adapter. */
  baseModel: string | null;
  /** `revision` of the base on the hub, when the adapter names one. */
  baseRevision: string | null;
}

/** The low-rank factors of one adapted Linear layer: A [r, in], B [out, r], row-major. */
export interface LoraLayer {
  a: Float32Array;
  b: Float32Array;
  inFeatures: number;
  outFeatures: number;
}

/** A parsed adapter: config plus its low-rank factors, checked against a base config. */
export interface LoraAdapter {
  config: LoraConfig;
  /** Adapted Linear layers, module name (e.g. `encoder.block.0.layer.0.self_attention.q`) → factors. */
  layers: Map<string, LoraLayer>;
}

/** The text and bytes of an adapter, with the names to use in messages. */
export interface AdapterFiles {
  configText: string;
  safetensors: Uint8Array;
  /** Name of the adapter (folder or repository) for messages. */
  name?: string;
}

const MAX_ADAPTER_CONFIG_CHARS = 1 << 20;
const KEY_PREFIX = 'base_model.model.';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isEmpty = (v: unknown): boolean =>
  v === undefined || v === null || v === false || (Array.isArray(v) && v.length === 0) || (isRecord(v) && Object.keys(v).length === 0);

/** Fields whose only supported value is "unset" (null, false, empty), with what setting them means. */
const UNSUPPORTED_FIELDS: ReadonlyArray<[string, string]> = [
  ['use_dora', 'DoRA (weight-decomposed LoRA) adapters'],
  ['use_rslora', 'rank-stabilised LoRA (scaling lora_alpha / √r)'],
  ['rank_pattern', 'per-layer ranks'],
  ['alpha_pattern', 'per-layer alphas'],
  ['fan_in_fan_out', 'fan_in_fan_out weights (Conv1D layout)'],
  ['modules_to_save', 'fully trained extra modules (modules_to_save)'],
  ['layers_to_transform', 'adapting only some layers (layers_to_transform)'],
  ['layers_pattern', 'layers_pattern'],
  ['layer_replication', 'layer replication'],
  ['exclude_modules', 'exclude_modules'],
  ['lora_bias', 'trained LoRA biases (lora_bias)'],
  ['target_parameters', 'target_parameters (adapting parameters rather than modules)'],
  ['trainable_token_indices', 'trainable token indices'],
  ['use_qalora', 'QA-LoRA'],
  ['megatron_config', 'Megatron layers'],
];

/**
 * Validates `adapter_config.json` of a peft LoRA adapter.
 * @throws AdapterError naming the field for malformed JSON, a non-LoRA adapter or any unsupported peft feature
 */
export function parseLoraConfigText(text: string, file = ADAPTER_CONFIG_FILE): LoraConfig {
  if (text.length > MAX_ADAPTER_CONFIG_CHARS) throw new AdapterError(`${file}: ${text.length} characters is far more than an adapter config has.`, '(root)');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new AdapterError(`${file}: not valid JSON (${(e as Error).message}).`, '(root)');
  }
  if (!isRecord(json)) throw new AdapterError(`${file}: expected a JSON object.`, '(root)');
  const fail = (field: string, message: string): never => {
    throw new AdapterError(`${file}: ${field} ${message}`, field);
  };
  const peftType = json.peft_type ?? 'LORA';
  if (peftType !== 'LORA') fail('peft_type', `is ${JSON.stringify(peftType)}; only LoRA adapters (peft_type "LORA") can be merged into Chronos-2.`);
  const baseClass = isRecord(json.auto_mapping) ? json.auto_mapping.base_model_class : undefined;
  if (baseClass !== undefined && baseClass !== null && baseClass !== 'Chronos2Model') {
    fail('auto_mapping.base_model_class', `is ${JSON.stringify(baseClass)}: this adapter belongs to another kind of model, not Chronos2Model.`);
  }
  const r = json.r;
  if (typeof r !== 'number' || !Number.isSafeInteger(r) || r < 1 || r > 4096) fail('r', `must be an integer rank between 1 and 4096, got ${JSON.stringify(r)}.`);
  const alpha = json.lora_alpha ?? 8;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) fail('lora_alpha', `must be a finite number, got ${JSON.stringify(alpha)}.`);
  for (const [field, what] of UNSUPPORTED_FIELDS) {
    if (!isEmpty(json[field])) fail(field, `is ${JSON.stringify(json[field])}: ${what} cannot be merged here; only plain LoRA is supported.`);
  }
  const bias = json.bias ?? 'none';
  if (bias !== 'none') fail('bias', `is ${JSON.stringify(bias)}: adapters that train biases cannot be merged here; only bias "none" is supported.`);
  const targets = json.target_modules;
  let targetModules: string[] | string;
  if (typeof targets === 'string' && targets.length > 0) {
    targetModules = targets;
  } else if (Array.isArray(targets) && targets.length > 0 && targets.every((t) => typeof t === 'string' && t.length > 0)) {
    targetModules = targets as string[];
  } else {
    return fail('target_modules', `must be a non-empty list of module names (or one regular expression), got ${JSON.stringify(targets)}.`);
  }
  const base = json.base_model_name_or_path;
  if (base !== undefined && base !== null && typeof base !== 'string') fail('base_model_name_or_path', `must be a string, got ${JSON.stringify(base)}.`);
  const revision = json.revision;
  if (revision !== undefined && revision !== null && typeof revision !== 'string') fail('revision', `must be a string or null, got ${JSON.stringify(revision)}.`);
  const rank = r as number;
  const loraAlpha = alpha as number;
  return {
    r: rank,
    loraAlpha,
    scaling: Math.fround(loraAlpha / rank),
    targetModules,
    baseModel: typeof base === 'string' && base.trim() ? base.trim() : null,
    baseRevision: typeof revision === 'string' && revision.trim() ? revision.trim() : null,
  };
}

/** Linear layers of a Chronos-2 model, module name → [out_features, in_features]. */
export function linearModules(config: Chronos2Config): Map<string, [number, number]> {
  const modules = new Map<string, [number, number]>();
  for (const [name, shape] of expectedTensorShapes(config)) {
    if (shape.length === 2 && name.endsWith('.weight') && name !== 'shared.weight') modules.set(name.slice(0, -'.weight'.length), [shape[0], shape[1]]);
  }
  return modules;
}

/** Module names `targetModules` selects among `modules`, peft's rules: a list matches equal names or `.`-suffixes, a string is a full-match regex. */
function selectTargets(targetModules: string[] | string, modules: Iterable<string>, file: string): Set<string> {
  const names = [...modules];
  const selected = new Set<string>();
  if (typeof targetModules === 'string') {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${targetModules})$`);
    } catch (e) {
      throw new AdapterError(`${file}: target_modules ${JSON.stringify(targetModules)} is not a valid regular expression (${(e as Error).message}).`, 'target_modules');
    }
    for (const n of names) if (re.test(n)) selected.add(n);
    if (selected.size === 0) {
      throw new AdapterError(`${file}: target_modules ${JSON.stringify(targetModules)} matches no Linear layer of Chronos-2 (e.g. ${names.slice(0, 3).join(', ')}).`, 'target_modules');
    }
    return selected;
  }
  const unknown: string[] = [];
  for (const target of targetModules) {
    const hits = names.filter((n) => n === target || n.endsWith(`.${target}`));
    if (hits.length === 0) unknown.push(target);
    hits.forEach((h) => selected.add(h));
  }
  if (unknown.length > 0) {
    const kinds = [...new Set(names.map((n) => n.split('.').slice(-2).join('.')))].join(', ');
    throw new AdapterError(
      `${file}: target_modules names ${unknown.map((u) => JSON.stringify(u)).join(', ')}, which ${unknown.length === 1 ? 'is' : 'are'} not a Linear layer of Chronos-2 ` +
        `(its Linear layers end in ${kinds}). Embeddings, norms and other modules cannot be adapted.`,
      'target_modules',
    );
  }
  return selected;
}

/**
 * Parses and checks an adapter against the base model's config: every targeted layer has both factors with the
 * right shapes, and the file holds nothing else.
 * @throws AdapterError (config, unknown modules, missing factors, shape mismatch — naming the tensor), or
 *   SafetensorsError for a malformed or truncated weights file
 */
export function parseLoraAdapter(files: AdapterFiles, base: Chronos2Config, baseName = 'the base model'): LoraAdapter {
  const who = files.name ? `${files.name}/` : '';
  const configFile = `${who}${ADAPTER_CONFIG_FILE}`;
  const weightsFile = `${who}${ADAPTER_WEIGHTS_FILE}`;
  const config = parseLoraConfigText(files.configText, configFile);
  const modules = linearModules(base);
  const targets = selectTargets(config.targetModules, modules.keys(), configFile);
  const weights = SafetensorsFile.parse(files.safetensors, weightsFile);

  const factors = new Map<string, { a?: string; b?: string }>();
  const unknown: string[] = [];
  for (const key of weights.tensors.keys()) {
    const m = /^base_model\.model\.(.+)\.lora_([AB])\.weight$/.exec(key);
    const module = m?.[1];
    if (!m || !module || !modules.has(module)) {
      unknown.push(key);
      continue;
    }
    const entry = factors.get(module) ?? {};
    entry[m[2] === 'A' ? 'a' : 'b'] = key;
    factors.set(module, entry);
  }
  if (unknown.length > 0) {
    throw new AdapterError(
      `${weightsFile}: ${unknown.length} tensor${unknown.length === 1 ? '' : 's'} that fit no Linear layer of Chronos-2: ${unknown.slice(0, 4).join(', ')}` +
        `${unknown.length > 4 ? ', …' : ''}. Expected only ${KEY_PREFIX}<module>.lora_A.weight / .lora_B.weight of the layers in target_modules.`,
      unknown[0],
    );
  }
  const untargeted = [...factors.keys()].filter((m) => !targets.has(m));
  if (untargeted.length > 0) {
    throw new AdapterError(`${weightsFile}: has factors for ${untargeted.slice(0, 3).join(', ')}, which target_modules of ${configFile} does not select.`, untargeted[0]);
  }
  const layers: LoraAdapter['layers'] = new Map();
  for (const module of targets) {
    const keys = factors.get(module);
    if (!keys?.a || !keys.b) {
      const missing = `${KEY_PREFIX}${module}.lora_${keys?.a ? 'B' : 'A'}.weight`;
      throw new AdapterError(`${weightsFile}: ${missing} is missing (target_modules selects ${module}); the file is incomplete or belongs to another adapter.`, missing);
    }
    const [outFeatures, inFeatures] = modules.get(module)!;
    const shapeA = weights.tensors.get(keys.a)!.shape;
    const shapeB = weights.tensors.get(keys.b)!.shape;
    const wantA = [config.r, inFeatures];
    const wantB = [outFeatures, config.r];
    const same = (s: number[], w: number[]) => s.length === w.length && s.every((d, i) => d === w[i]);
    if (!same(shapeA, wantA) || !same(shapeB, wantB)) {
      const bad = same(shapeA, wantA) ? keys.b : keys.a;
      throw new AdapterError(
        `${weightsFile}: ${bad} has shape [${(same(shapeA, wantA) ? shapeB : shapeA).join(', ')}], but ${baseName}'s ${module} is ` +
          `[${outFeatures}, ${inFeatures}] and r is ${config.r}, so it must be [${(same(shapeA, wantA) ? wantB : wantA).join(', ')}]. ` +
          'The adapter was trained for a base model of another size.',
        bad,
      );
    }
    layers.set(module, { a: weights.getFloat32(keys.a), b: weights.getFloat32(keys.b), inFeatures, outFeatures });
  }
  return { config, layers };
}

/**
 * W + scaling · (B · A) for one layer, in float32 like peft's merge (`delta = (B @ A) * scaling`, then
 * `W += delta`). `base` is not modified.
 */
export function mergeLayer(base: Float32Array, layer: LoraLayer, scaling: number): Float32Array {
  const { a, b, inFeatures: n, outFeatures: m } = layer;
  const r = a.length / n;
  const out = new Float32Array(m * n);
  const f = Math.fround;
  for (let o = 0; o < m; o++) {
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let k = 0; k < r; k++) acc = f(acc + f(b[o * r + k] * a[k * n + i]));
      out[o * n + i] = f(base[o * n + i] + f(acc * scaling));
    }
  }
  return out;
}

/** A weight source that returns merged weights for the adapted layers and the base's for everything else. */
export function mergedWeightSource(base: (name: string) => Float32Array, adapter: LoraAdapter): (name: string) => Float32Array {
  return (name) => {
    const layer = name.endsWith('.weight') ? adapter.layers.get(name.slice(0, -'.weight'.length)) : undefined;
    return layer ? mergeLayer(base(name), layer, adapter.config.scaling) : base(name);
  };
}
