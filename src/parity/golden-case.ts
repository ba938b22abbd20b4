// Runs one golden case of the upstream reference (the fixtures/chronos2 case format) through our
// pipeline and measures the error per task as max|got − expected| / max|expected|. Shared by the
// Node parity CLI, the unit tests and the in-browser self-check page, so all three judge alike.
import type { ModelRunner } from '../forecast/model-runner';
import { embed, predict, predictQuantiles, type ForecastInputs, type PredictOptions } from '../forecast';

/** The JSON of one case file. */
export interface GoldenCase {
  model: string;
  description?: string;
  call: 'model_forward' | 'predict' | 'predict_quantiles' | 'embed';
  input_format: 'model_forward' | 'list_of_arrays' | 'array3d' | 'list_of_dicts';
  inputs: unknown;
  options: { kwargs: Record<string, unknown> };
  expected: Record<string, unknown>;
}

/** Error of one compared array (a task, or a model output). */
export interface TaskError {
  label: string;
  maxAbsError: number;
  maxAbsExpected: number;
  /** maxAbsError / maxAbsExpected (maxAbsError when everything expected is 0). */
  relError: number;
}

/** Outcome of one case. */
export interface CaseResult {
  name: string;
  model: string;
  call: GoldenCase['call'];
  tasks: TaskError[];
  /** Largest relative error over the tasks. */
  worst: number;
  passed: boolean;
}

/** The case file is not in the expected format. */
export class GoldenCaseError extends Error {
  override readonly name = 'GoldenCaseError';
}

type Nested = number | null | Nested[];

/** Flattens nested arrays; null → NaN. */
function flatten(value: unknown, out: number[] = []): number[] {
  if (Array.isArray(value)) for (const v of value) flatten(v, out);
  else if (value === null) out.push(NaN);
  else if (typeof value === 'number') out.push(value);
  else throw new GoldenCaseError(`unexpected value ${JSON.stringify(value)} in a numeric array`);
  return out;
}

/** Per-array comparison; NaN must match NaN. */
export function compareArrays(label: string, got: ArrayLike<number>, expected: ArrayLike<number>): TaskError {
  if (got.length !== expected.length) {
    return { label: `${label} (length ${got.length} ≠ ${expected.length})`, maxAbsError: Infinity, maxAbsExpected: 0, relError: Infinity };
  }
  let maxAbsError = 0;
  let maxAbsExpected = 0;
  for (let i = 0; i < got.length; i++) {
    const e = expected[i];
    const g = got[i];
    if (Number.isNaN(e) || Number.isNaN(g)) {
      if (Number.isNaN(e) !== Number.isNaN(g)) maxAbsError = Infinity;
      continue;
    }
    maxAbsError = Math.max(maxAbsError, Math.abs(g - e));
    maxAbsExpected = Math.max(maxAbsExpected, Math.abs(e));
  }
  const relError = maxAbsExpected > 0 ? maxAbsError / maxAbsExpected : maxAbsError;
  return { label, maxAbsError, maxAbsExpected, relError };
}

function kwargsToOptions(kwargs: Record<string, unknown>): PredictOptions & { quantileLevels?: number[] } {
  const map: Record<string, string> = {
    prediction_length: 'predictionLength',
    batch_size: 'batchSize',
    context_length: 'contextLength',
    cross_learning: 'crossLearning',
    limit_prediction_length: 'limitPredictionLength',
    max_output_patches: 'maxOutputPatches',
    unrolled_quantiles: 'unrolledQuantiles',
    quantile_levels: 'quantileLevels',
  };
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(kwargs)) {
    const name = map[key];
    if (!name) throw new GoldenCaseError(`unsupported keyword argument ${key}`);
    options[name] = value;
  }
  return options as PredictOptions & { quantileLevels?: number[] };
}

function toInputs(c: GoldenCase): ForecastInputs {
  if (c.input_format === 'array3d') {
    const tasks = c.inputs as Nested[][];
    const shape = [tasks.length, (tasks[0] as Nested[]).length, ((tasks[0] as Nested[])[0] as Nested[]).length] as const;
    return { shape, data: flatten(tasks) };
  }
  return c.inputs as ForecastInputs;
}

async function runForward(runner: ModelRunner, c: GoldenCase): Promise<TaskError[]> {
  const inputs = c.inputs as { context: Nested[][]; group_ids?: number[]; future_covariates?: Nested[][] };
  const n = Number(c.options.kwargs.num_output_patches ?? 1);
  const P = runner.info.patchSize;
  const B = inputs.context.length;
  const T = inputs.context[0].length;
  const future = new Float32Array(B * n * P).fill(NaN);
  inputs.future_covariates?.forEach((row, b) => flatten(row).forEach((v, j) => (future[b * n * P + j] = v)));
  const out = await runner.run({
    batchSize: B,
    contextLength: T,
    context: Float32Array.from(flatten(inputs.context)),
    groupIds: BigInt64Array.from((inputs.group_ids ?? inputs.context.map((_, i) => i)).map((g) => BigInt(g))),
    numOutputPatches: n,
    futureCovariates: future,
  });
  return [
    compareArrays('quantile_preds', out.quantilePreds, flatten(c.expected.quantile_preds)),
    compareArrays('loc', out.loc, flatten(c.expected.loc)),
    compareArrays('scale', out.scale, flatten(c.expected.scale)),
  ];
}

/** Runs a case and compares it with its expected outputs at tolerance `tolerance` (relative, per task). */
export async function runGoldenCase(runner: ModelRunner, name: string, c: GoldenCase, tolerance = 1e-4): Promise<CaseResult> {
  let tasks: TaskError[];
  if (c.call === 'model_forward') {
    tasks = await runForward(runner, c);
  } else if (c.call === 'predict') {
    const options = kwargsToOptions(c.options.kwargs);
    const forecasts = await predict(runner, toInputs(c), options);
    const expected = c.expected.predictions as unknown[];
    if (!Array.isArray(expected) || expected.length !== forecasts.length) {
      throw new GoldenCaseError(`${name}: ${forecasts.length} forecasts for ${Array.isArray(expected) ? expected.length : '?'} expected tasks`);
    }
    tasks = forecasts.map((f, i) => compareArrays(`task ${i}`, f.values, flatten(expected[i])));
  } else if (c.call === 'predict_quantiles') {
    const options = kwargsToOptions(c.options.kwargs);
    const forecasts = await predictQuantiles(runner, toInputs(c), options);
    const q = c.expected.quantiles as unknown[];
    const m = c.expected.mean as unknown[];
    tasks = forecasts.flatMap((f, i) => [
      compareArrays(`task ${i} quantiles`, f.quantiles, flatten(q[i])),
      compareArrays(`task ${i} mean`, f.mean, flatten(m[i])),
    ]);
  } else if (c.call === 'embed') {
    const { context_length: contextLength, batch_size: batchSize, ...rest } = c.options.kwargs as { context_length?: number; batch_size?: number };
    if (Object.keys(rest).length > 0) throw new GoldenCaseError(`unsupported keyword argument ${Object.keys(rest)[0]}`);
    const embeddings = await embed(runner, toInputs(c), { ...(contextLength !== undefined ? { contextLength } : {}), ...(batchSize !== undefined ? { batchSize } : {}) });
    const [e, loc, scale] = (['embeddings', 'loc', 'scale'] as const).map((k) => c.expected[k] as unknown[]);
    if (!Array.isArray(e) || e.length !== embeddings.length) {
      throw new GoldenCaseError(`${name}: ${embeddings.length} embeddings for ${Array.isArray(e) ? e.length : '?'} expected tasks`);
    }
    tasks = embeddings.flatMap((got, i) => [
      compareArrays(`task ${i} embeddings`, got.values, flatten(e[i])),
      compareArrays(`task ${i} loc`, got.loc, flatten(loc[i])),
      compareArrays(`task ${i} scale`, got.scale, flatten(scale[i])),
    ]);
  } else {
    throw new GoldenCaseError(`${name}: unknown call ${String((c as { call: unknown }).call)}`);
  }
  const worst = tasks.reduce((w, t) => Math.max(w, Number.isNaN(t.relError) ? Infinity : t.relError), 0);
  return { name, model: c.model, call: c.call, tasks, worst, passed: worst <= tolerance };
}

/** One line per case, like `PASS  b_predict_airline_pl12 (random-small, predict) max rel 2.1e-7 [task 0: 2.1e-7]`. */
export function formatCaseResult(r: CaseResult): string {
  const per = r.tasks.map((t) => `${t.label}: ${t.relError.toExponential(2)}`).join(', ');
  return `${r.passed ? 'PASS' : 'FAIL'}  ${r.name} (${r.model}, ${r.call}) max rel ${r.worst.toExponential(2)} [${per}]`;
}
