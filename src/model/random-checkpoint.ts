// Builds Chronos-2 checkpoints with seeded random weights in memory (config.json object + safetensors bytes),
// so tests and benchmarks can exercise any model size, up to the 120M-parameter amazon/chronos-2 shape, without
// downloading weights. Deterministic for a given config and seed (bit-exact within one JS engine: only
// Math.log may round differently elsewhere).

import type { Chronos2Config } from './config';
import { expectedTensorShapes } from './checkpoint-names';
import { SafetensorsError } from './safetensors';

/** One tensor to write: row-major float32 data with `product(shape)` elements. */
export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** The 21 quantile levels of the released Chronos-2 models. */
const RELEASED_QUANTILES = [
  0.01, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99,
];

/** Overrides that give the shape of amazon/chronos-2 (about 120M parameters) with {@link makeChronos2ConfigJson}. */
export const CHRONOS_2_BASE_SHAPE: Readonly<Partial<Chronos2Config>> = Object.freeze({
  dModel: 768,
  dKv: 64,
  numHeads: 12,
  dFf: 3072,
  numLayers: 12,
  contextLength: 8192,
  maxOutputPatches: 64,
});

/**
 * A complete Hugging Face style `config.json` object for a Chronos-2 model (same keys as the released configs),
 * to be fed to `parseChronos2Config`. Defaults describe a small model (d_model 32, d_kv 8, 4 heads, d_ff 64,
 * 3 layers, relu, patch 16, context 512, 8 output patches, the 21 released quantiles, arcsinh and REG token).
 */
export function makeChronos2ConfigJson(overrides: Partial<Chronos2Config> = {}): Record<string, unknown> {
  const c: Chronos2Config = {
    dModel: 32,
    dKv: 8,
    numHeads: 4,
    dFf: 64,
    numLayers: 3,
    denseActFn: 'relu',
    layerNormEpsilon: 1e-6,
    ropeTheta: 10000,
    contextLength: 512,
    patchSize: 16,
    maxOutputPatches: 8,
    quantiles: RELEASED_QUANTILES,
    timeEncodingScale: overrides.contextLength ?? 512,
    useArcsinh: true,
    useRegToken: true,
    // Explicitly undefined overrides keep the default.
    ...(Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<Chronos2Config>),
  };
  const json: Record<string, unknown> = {
    architectures: ['Chronos2Model'],
    chronos_config: {
      context_length: c.contextLength,
      input_patch_size: c.patchSize,
      input_patch_stride: c.patchSize,
      max_output_patches: c.maxOutputPatches,
      output_patch_size: c.patchSize,
      quantiles: [...c.quantiles],
      time_encoding_scale: c.timeEncodingScale,
      use_arcsinh: c.useArcsinh,
      use_reg_token: c.useRegToken,
    },
    chronos_pipeline_class: 'Chronos2Pipeline',
    d_ff: c.dFf,
    d_kv: c.dKv,
    d_model: c.dModel,
    dense_act_fn: c.denseActFn,
    dropout_rate: 0.1,
    feed_forward_proj: c.denseActFn,
    initializer_factor: 0.05,
    is_gated_act: false,
    layer_norm_epsilon: c.layerNormEpsilon,
    model_type: 't5',
    num_heads: c.numHeads,
    num_layers: c.numLayers,
    pad_token_id: 0,
    ...(c.useRegToken ? { reg_token_id: 1 } : {}),
    rope_theta: c.ropeTheta,
    torch_dtype: 'float32',
    transformers_version: '4.54.1',
    vocab_size: c.useRegToken ? 2 : 1,
  };
  return json;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Serialises float32 tensors as a safetensors file the way the Python library does: `__metadata__` first, tensor
 * keys sorted, data in key order, header padded with spaces so the data starts 8-byte aligned, little-endian F32.
 *
 * @throws SafetensorsError on an empty or duplicate name, or data whose length is not `product(shape)`
 */
export function writeSafetensors(tensors: NamedTensor[], metadata?: Record<string, string>): Uint8Array {
  const file = 'writeSafetensors';
  const sorted = [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // A null-prototype object keeps "__proto__" (or any name) an ordinary key when stringified.
  const header = Object.create(null) as Record<string, unknown>;
  if (metadata !== undefined) header['__metadata__'] = { ...metadata };
  let offset = 0;
  for (const t of sorted) {
    if (t.name === '' || t.name === '__metadata__' || Object.prototype.hasOwnProperty.call(header, t.name)) {
      throw new SafetensorsError(`${file}: invalid or duplicate tensor name ${JSON.stringify(t.name)}`, file, t.name);
    }
    const elements = t.shape.reduce((a, d) => a * d, 1);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0) || elements !== t.data.length) {
      throw new SafetensorsError(
        `${file}: tensor ${JSON.stringify(t.name)}: shape [${t.shape.join(', ')}] does not match ${t.data.length} values`,
        file,
        t.name,
      );
    }
    header[t.name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + 4 * elements] };
    offset += 4 * elements;
  }

  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let pos = 8 + headerLength;
  for (const t of sorted) {
    if (LITTLE_ENDIAN_HOST) {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    } else {
      for (let i = 0; i < t.data.length; i++) view.setFloat32(pos + 4 * i, t.data[i], true);
    }
    pos += t.data.byteLength;
  }
  return out;
}

/** FNV-1a hash of a string: gives every tensor its own random stream, independent of the others. */
export function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Fills `out` with mean + std·N(0, 1): a mulberry32 stream of 32-bit integers through Marsaglia's polar method.
 * The generator is inlined: this loop produces the ~120M values of a full-size model.
 */
export function fillNormal(out: Float32Array, seed: number, mean: number, std: number): void {
  let state = seed | 0;
  const scale = 2 / 4294967296;
  let i = 0;
  while (i < out.length) {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const u = ((t ^ (t >>> 14)) >>> 0) * scale - 1;
    state = (state + 0x6d2b79f5) | 0;
    t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const v = ((t ^ (t >>> 14)) >>> 0) * scale - 1;
    const s = u * u + v * v;
    if (s >= 1 || s === 0) continue;
    const f = std * Math.sqrt((-2 * Math.log(s)) / s);
    out[i++] = mean + u * f;
    if (i < out.length) out[i++] = mean + v * f;
  }
}

/** Standard normal quantile function (Acklam's rational approximation, relative error below 1.2e-9). */
function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number): number =>
    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/**
 * Seeded random weights for every parameter of a Chronos-2 model with `config`, in state_dict order.
 *
 * Standard deviations follow upstream `_init_weights` with `initializer_factor` 1 instead of 0.05, which keeps
 * activations O(1) through the RMS norms: attention q (d_model·d_kv)^-½, k and v d_model^-½, o (heads·d_kv)^-½,
 * MLP wi d_model^-½ and wo d_ff^-½, residual-block layers fan_in^-½, `shared` 1.
 * NOTE: unlike upstream (zero biases, constant norm weights) biases are N(0, 0.1²) and norm weights 1 + N(0, 0.1²),
 * so a graph that drops or transposes one of them fails a parity test; the output bias also adds
 * 0.6·Φ⁻¹(level) per quantile so that the random quantile forecasts come out roughly ordered.
 *
 * @param seed a 32-bit integer (other numbers are truncated); the same config and seed always give the same bits
 */
export function randomChronos2Tensors(config: Chronos2Config, seed: number): NamedTensor[] {
  const d = config.dModel;
  const inner = config.numHeads * config.dKv;
  const tensors: NamedTensor[] = [];
  for (const [name, shape] of expectedTensorShapes(config)) {
    const data = new Float32Array(shape.reduce((a, n) => a * n, 1));
    const stream = Math.imul(hashName(name), 0x9e3779b1) ^ Math.imul(seed | 0, 0x85ebca6b);
    const leaf = name.slice(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1); // e.g. "q.weight"
    let std: number;
    let mean = 0;
    if (name === 'shared.weight') {
      std = 1;
    } else if (name.endsWith('layer_norm.weight')) {
      std = 0.1;
      mean = 1;
    } else if (name.endsWith('.bias')) {
      std = 0.1;
    } else if (name.includes('self_attention.')) {
      std = leaf === 'q.weight' ? (d * config.dKv) ** -0.5 : leaf === 'o.weight' ? inner ** -0.5 : d ** -0.5;
    } else if (name.includes('.mlp.')) {
      std = leaf === 'wi.weight' ? d ** -0.5 : config.dFf ** -0.5;
    } else {
      std = shape[shape.length - 1] ** -0.5; // residual-block Linear: fan_in^-½
    }
    fillNormal(data, stream, mean, std);
    if (name === 'output_patch_embedding.output_layer.bias') {
      const p = config.patchSize;
      config.quantiles.forEach((level, qi) => {
        const offset = 0.6 * normalQuantile(level);
        for (let j = 0; j < p; j++) data[qi * p + j] += offset;
      });
    }
    tensors.push({ name, shape, data });
  }
  return tensors;
}
