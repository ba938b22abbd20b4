// Loads the Chronos-2 golden fixture cases (test/fixtures/chronos2) for the forecasting tests: JSON `null`
// becomes NaN, nested arrays become flat float32, and upstream keyword arguments become pipeline options.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ForecastInputs, ModelInfo, PredictQuantilesOptions } from '../../src/forecast';

export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/chronos2/', import.meta.url));

/** Nested JSON numbers with null for NaN. */
export type Nested = null | number | string | Nested[];

export interface ModelCall {
  num_output_patches: number;
  context_shape: [number, number];
  group_ids: number[];
  context?: Nested[];
  future_covariates?: Nested[];
  loc?: Nested[];
  scale?: Nested[];
  quantile_preds?: Nested[];
  context_tail?: Nested[];
  context_tail_length?: number;
}

export interface PreparedFixture {
  context: Nested[];
  future_covariates: Nested[];
  n_targets: number;
  n_covariates: number;
  n_future_covariates: number;
}

export interface FixtureCase {
  name: string;
  model: string;
  call: 'model_forward' | 'predict' | 'predict_quantiles';
  input_format: 'model_forward' | 'list_of_arrays' | 'array3d' | 'list_of_dicts';
  inputs: unknown;
  options: { function: string; kwargs: Record<string, unknown>; python: string };
  expected: {
    predictions?: Nested[];
    quantiles?: Nested[];
    mean?: Nested[];
  };
  intermediates?: { model_calls?: ModelCall[]; prepared_inputs?: PreparedFixture[] };
}

/**
 * Folder of a fixture checkpoint: random-small ships with the fixtures; upstream's dummy checkpoint lives in
 * ../shared (never committed) and may be absent.
 */
export function modelDir(model: string): string {
  if (model === 'random-small') return join(FIXTURE_DIR, 'models', model);
  if (model === 'dummy') return fileURLToPath(new URL('../../../shared/fixtures/chronos2/models/dummy/', import.meta.url));
  throw new Error(`unknown fixture model ${model}`);
}

export function hasModel(model: string): boolean {
  return existsSync(join(modelDir(model), 'model.safetensors'));
}

/** Static model facts of a fixture model: from its config.json, or for the dummy model from the README. */
export function modelInfo(model: string): ModelInfo {
  const configPath = join(modelDir(model), 'config.json');
  if (existsSync(configPath)) {
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as {
      chronos_config: {
        context_length: number;
        output_patch_size: number;
        max_output_patches: number;
        quantiles: number[];
      };
    };
    const c = config.chronos_config;
    return {
      contextLength: c.context_length,
      patchSize: c.output_patch_size,
      maxOutputPatches: c.max_output_patches,
      quantiles: c.quantiles,
    };
  }
  if (model !== 'dummy') throw new Error(`missing ${configPath}`);
  const quantiles = [
    0.01, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9,
    0.95, 0.99,
  ];
  return { contextLength: 8192, patchSize: 16, maxOutputPatches: 64, quantiles };
}

export function caseNames(): string[] {
  return readdirSync(join(FIXTURE_DIR, 'cases'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}

export function loadCase(name: string): FixtureCase {
  const raw = JSON.parse(readFileSync(join(FIXTURE_DIR, 'cases', `${name}.json`), 'utf8')) as Omit<FixtureCase, 'name'>;
  return { name, ...raw };
}

/** All predict / predict_quantiles cases. */
export function pipelineCases(): FixtureCase[] {
  return caseNames()
    .map(loadCase)
    .filter((c) => c.call === 'predict' || c.call === 'predict_quantiles');
}

/** Flattens nested numbers to float32 (null → NaN). */
export function flat(x: Nested): Float32Array {
  const out: number[] = [];
  const walk = (v: Nested): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else out.push(v === null ? NaN : (v as number));
  };
  walk(x);
  return Float32Array.from(out);
}

/** Shape of a nested array (first element at each depth). */
export function shapeOf(x: Nested): number[] {
  const shape: number[] = [];
  let v: Nested = x;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  return shape;
}

/** Fixture inputs in the pipeline's input form (array3d becomes a Tensor3D). */
export function fixtureInputs(c: FixtureCase): ForecastInputs {
  if (c.input_format === 'array3d') {
    const nested = c.inputs as Nested[];
    const shape = shapeOf(nested);
    return { shape: [shape[0], shape[1], shape[2]], data: flat(nested) };
  }
  return c.inputs as ForecastInputs;
}

/** Upstream keyword arguments → pipeline options. */
export function fixtureOptions(c: FixtureCase): PredictQuantilesOptions {
  const k = c.options.kwargs;
  const known = new Set([
    'prediction_length',
    'batch_size',
    'context_length',
    'cross_learning',
    'max_output_patches',
    'unrolled_quantiles',
    'quantile_levels',
    'limit_prediction_length',
  ]);
  for (const key of Object.keys(k)) if (!known.has(key)) throw new Error(`${c.name}: unmapped kwarg ${key}`);
  return {
    predictionLength: k.prediction_length as number | undefined,
    batchSize: k.batch_size as number | undefined,
    contextLength: k.context_length as number | undefined,
    crossLearning: k.cross_learning as boolean | undefined,
    maxOutputPatches: k.max_output_patches as number | undefined,
    unrolledQuantiles: k.unrolled_quantiles as number[] | undefined,
    quantileLevels: k.quantile_levels as number[] | undefined,
    limitPredictionLength: k.limit_prediction_length as boolean | undefined,
  };
}

/** Exact float32 equality with NaN == NaN; returns a description of the first mismatch or null. */
export function firstMismatch(got: ArrayLike<number>, want: ArrayLike<number>): string | null {
  if (got.length !== want.length) return `length ${got.length} != ${want.length}`;
  for (let i = 0; i < got.length; i++) {
    const a = got[i];
    const b = want[i];
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (!Object.is(a, b) && a !== b) return `index ${i}: got ${a}, want ${b}`;
  }
  return null;
}

/** max|got − want| / max|want| over finite entries (NaN positions must agree; otherwise Infinity). */
export function relativeMaxError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Infinity;
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < got.length; i++) {
    if (Number.isNaN(got[i]) || Number.isNaN(want[i])) {
      if (Number.isNaN(got[i]) !== Number.isNaN(want[i])) return Infinity;
      continue;
    }
    maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
    maxRef = Math.max(maxRef, Math.abs(want[i]));
  }
  return maxRef === 0 ? maxDiff : maxDiff / maxRef;
}
