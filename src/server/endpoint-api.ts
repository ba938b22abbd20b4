// The Chronos-2 endpoint API (SageMaker JumpStart `pytorch-forecasting-chronos-2`), re-implemented from its public
// reference: validates an `/invocations` body into engine tasks plus per-series metadata, and turns the engine's
// forecasts into the endpoint's response (`{"predictions": [{"mean", "<level>"..., "item_id"?, "start"?}]}`).
// Pure functions: the HTTP layer and the tests share them, and every rule below is a 400 with a message.
import { interpolateQuantiles, type QuantileForecast, type TaskDict } from '../forecast';
import { formatTimestamp, parseFrequency, parseStart, shiftTimestamp, TimestampError, type Frequency } from './frequency';

/** A request the endpoint rejects: its HTTP status and a message for the client. */
export class EndpointRequestError extends Error {
  override readonly name = 'EndpointRequestError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The reference's limits, and the service's own (tightened by the operator). */
export interface EndpointLimits {
  /** Most series per request (reference: 1000). */
  maxSeries: number;
  /** Largest `prediction_length` (reference: 1024). */
  maxPredictionLength: number;
  /** Fewest observations per series (reference: 5). */
  minObservations: number;
  /** Most values per request over all targets and covariates (a memory bound of the service). */
  maxValues: number;
}

/** Limits of the managed endpoint, plus 20 M values (about 80 MB of float32) per request. */
export const DEFAULT_ENDPOINT_LIMITS: Readonly<EndpointLimits> = Object.freeze({
  maxSeries: 1000,
  maxPredictionLength: 1024,
  minObservations: 5,
  maxValues: 20_000_000,
});

/** Defaults of the reference. */
export const DEFAULT_QUANTILE_LEVELS_API: readonly number[] = [0.1, 0.5, 0.9];
export const DEFAULT_BATCH_SIZE_API = 256;

/** A validated `/invocations` request. */
export interface EndpointRequest {
  /** One engine task per series, in request order. */
  tasks: TaskDict[];
  /** Per series: what the response echoes. */
  series: Array<{ itemId?: string; start?: number; length: number; multivariate: boolean }>;
  predictionLength: number;
  quantileLevels: number[];
  freq: Frequency | null;
  batchSize: number;
  crossLearning: boolean;
}

/** One entry of `predictions`: `mean` and one key per quantile level, plus `item_id` / `start` when given. */
export type EndpointPrediction = Record<string, number[] | number[][] | string>;

const INPUT_KEYS = new Set(['target', 'item_id', 'start', 'past_covariates', 'future_covariates']);
const PARAMETER_KEYS = new Set(['prediction_length', 'quantile_levels', 'freq', 'batch_size', 'cross_learning']);

function bad(message: string): EndpointRequestError {
  return new EndpointRequestError(400, message);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Numbers, with JSON `null` as a missing value. */
function isNumericList(v: unknown): v is (number | null)[] {
  return Array.isArray(v) && v.every((x) => x === null || (typeof x === 'number' && Number.isFinite(x)));
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v === null) return 'null';
  return typeof v === 'string' ? `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}` : `${typeof v} ${JSON.stringify(v)}`;
}

/**
 * Validates a parsed JSON body against the endpoint reference and the limits.
 * @throws EndpointRequestError (400) naming the offending series and key.
 */
export function parseEndpointRequest(body: unknown, limits: EndpointLimits = DEFAULT_ENDPOINT_LIMITS): EndpointRequest {
  if (!isRecord(body)) throw bad('The request body must be a JSON object with an "inputs" list (and optional "parameters").');
  for (const key of Object.keys(body)) {
    if (key !== 'inputs' && key !== 'parameters') throw bad(`Unknown top-level key ${JSON.stringify(key)}; expected "inputs" and optional "parameters".`);
  }
  const params = parseParameters(body.parameters, limits);
  const inputs = body.inputs;
  if (!Array.isArray(inputs)) throw bad('"inputs" is required and must be a list of time series objects.');
  if (inputs.length === 0) throw bad('"inputs" is empty; send at least one time series.');
  if (inputs.length > limits.maxSeries) throw bad(`"inputs" has ${inputs.length} time series; at most ${limits.maxSeries} are allowed per request.`);

  const tasks: TaskDict[] = [];
  const series: EndpointRequest['series'] = [];
  const seenIds = new Map<string, number>();
  let values = 0;
  inputs.forEach((input: unknown, i) => {
    const where = `inputs[${i}]`;
    if (!isRecord(input)) throw bad(`${where} must be an object with a "target", got ${describe(input)}.`);
    for (const key of Object.keys(input)) {
      if (!INPUT_KEYS.has(key)) throw bad(`${where} has the unknown key ${JSON.stringify(key)}; allowed: ${[...INPUT_KEYS].join(', ')}.`);
    }
    const { target, length, multivariate } = parseTarget(input.target, where, limits);
    values += multivariate ? length * (target as number[][]).length : length;
    const entry: EndpointRequest['series'][number] = { length, multivariate };
    if (input.item_id !== undefined) {
      if (typeof input.item_id !== 'string') throw bad(`${where}.item_id must be a string, got ${describe(input.item_id)}.`);
      const first = seenIds.get(input.item_id);
      if (first !== undefined) throw bad(`${where}.item_id ${JSON.stringify(input.item_id)} repeats inputs[${first}].item_id; item ids must be unique.`);
      seenIds.set(input.item_id, i);
      entry.itemId = input.item_id;
    }
    if (input.start !== undefined) {
      if (typeof input.start !== 'string') throw bad(`${where}.start must be an ISO timestamp string, got ${describe(input.start)}.`);
      if (params.freq === null) throw bad(`${where}.start is given, so "parameters.freq" must be given too (e.g. "1h" or "D").`);
      try {
        entry.start = parseStart(input.start);
      } catch (e) {
        throw bad(`${where}: ${(e as TimestampError).message}`);
      }
    } else if (params.freq !== null) {
      throw bad(`"parameters.freq" is given, so every time series needs a "start"; ${where} has none.`);
    }
    const task: TaskDict = { target };
    const past = parseCovariates(input.past_covariates, `${where}.past_covariates`, length);
    const future = parseCovariates(input.future_covariates, `${where}.future_covariates`, params.predictionLength);
    if (future) {
      for (const name of Object.keys(future)) {
        if (!past || !(name in past)) {
          throw bad(`${where}.future_covariates.${name} has no past values: every future covariate must also be in past_covariates.`);
        }
      }
    }
    if (past) {
      task.past_covariates = past;
      values += Object.keys(past).length * length;
    }
    if (future) task.future_covariates = future;
    if (values > limits.maxValues) throw bad(`The request holds more than ${limits.maxValues} values; split it into smaller requests.`);
    tasks.push(task);
    series.push(entry);
  });
  return { tasks, series, ...params };
}

function parseParameters(raw: unknown, limits: EndpointLimits): Omit<EndpointRequest, 'tasks' | 'series'> {
  if (raw !== undefined && !isRecord(raw)) throw bad(`"parameters" must be an object, got ${describe(raw)}.`);
  const p = raw ?? {};
  for (const key of Object.keys(p)) {
    if (!PARAMETER_KEYS.has(key)) throw bad(`Unknown parameter ${JSON.stringify(key)}; allowed: ${[...PARAMETER_KEYS].join(', ')}.`);
  }
  const predictionLength = p.prediction_length ?? 1;
  if (typeof predictionLength !== 'number' || !Number.isInteger(predictionLength) || predictionLength < 1) {
    throw bad(`"parameters.prediction_length" must be an integer ≥ 1, got ${describe(predictionLength)}.`);
  }
  if (predictionLength > limits.maxPredictionLength) {
    throw bad(`"parameters.prediction_length" is ${predictionLength}; values up to ${limits.maxPredictionLength} are supported.`);
  }
  const levels = p.quantile_levels ?? DEFAULT_QUANTILE_LEVELS_API;
  if (!Array.isArray(levels) || levels.length === 0 || levels.length > 99) {
    throw bad(`"parameters.quantile_levels" must be a list of 1 to 99 numbers in (0, 1), got ${describe(levels)}.`);
  }
  for (const q of levels) {
    if (typeof q !== 'number' || !(q > 0 && q < 1)) throw bad(`"parameters.quantile_levels" must lie in (0, 1); ${JSON.stringify(q)} does not.`);
  }
  if (new Set(levels).size !== levels.length) throw bad('"parameters.quantile_levels" has repeated levels.');
  let freq: Frequency | null = null;
  if (p.freq !== undefined && p.freq !== null) {
    if (typeof p.freq !== 'string') throw bad(`"parameters.freq" must be a frequency string such as "1h", got ${describe(p.freq)}.`);
    try {
      freq = parseFrequency(p.freq);
    } catch (e) {
      throw bad(`"parameters.freq": ${(e as TimestampError).message}`);
    }
  }
  const batchSize = p.batch_size ?? DEFAULT_BATCH_SIZE_API;
  if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
    throw bad(`"parameters.batch_size" must be an integer between 1 and 100000, got ${describe(batchSize)}.`);
  }
  const crossLearning = p.cross_learning ?? false;
  if (typeof crossLearning !== 'boolean') throw bad(`"parameters.cross_learning" must be true or false, got ${describe(crossLearning)}.`);
  return { predictionLength, quantileLevels: levels as number[], freq, batchSize, crossLearning };
}

function parseTarget(raw: unknown, where: string, limits: EndpointLimits): { target: TaskDict['target']; length: number; multivariate: boolean } {
  if (raw === undefined) throw bad(`${where}.target is required.`);
  if (!Array.isArray(raw)) throw bad(`${where}.target must be a list of numbers (or a list of lists for multivariate), got ${describe(raw)}.`);
  const tooShort = (n: number): EndpointRequestError =>
    bad(`${where}.target has ${n} observations; at least ${limits.minObservations} are required (30 or more recommended).`);
  if (raw.length > 0 && raw.every(Array.isArray)) {
    const dims = raw as unknown[][];
    const length = dims[0].length;
    dims.forEach((dim, d) => {
      if (!isNumericList(dim)) throw bad(`${where}.target[${d}] must hold only numbers (null for missing values).`);
      if (dim.length !== length) throw bad(`${where}.target: dimension ${d} has ${dim.length} values but dimension 0 has ${length}; all dimensions must have the same length.`);
    });
    if (length < limits.minObservations) throw tooShort(length);
    return { target: dims as (number | null)[][], length, multivariate: true };
  }
  if (!isNumericList(raw)) {
    throw bad(`${where}.target must hold only numbers (null for missing values), or only lists of numbers for multivariate series.`);
  }
  if (raw.length < limits.minObservations) throw tooShort(raw.length);
  return { target: raw, length: raw.length, multivariate: false };
}

function parseCovariates(raw: unknown, where: string, length: number): Record<string, (number | null)[] | (string | null)[]> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) throw bad(`${where} must be an object mapping covariate names to lists, got ${describe(raw)}.`);
  const out: Record<string, (number | null)[] | (string | null)[]> = {};
  for (const [name, values] of Object.entries(raw)) {
    if (!Array.isArray(values)) throw bad(`${where}.${name} must be a list, got ${describe(values)}.`);
    const numeric = isNumericList(values);
    const strings = values.every((v) => v === null || typeof v === 'string');
    if (!numeric && !strings) throw bad(`${where}.${name} must be all numbers or all strings (null for missing values).`);
    if (values.length !== length) {
      throw bad(`${where}.${name} has ${values.length} values; it must have ${length} (${where.endsWith('future_covariates') ? 'prediction_length' : 'the length of target'}).`);
    }
    out[name] = values as (number | null)[] | (string | null)[];
  }
  return out;
}

/**
 * The response entry of one series: `mean` (the model's median, as upstream) and each requested level, read
 * off the model's levels (interpolated between them; outside their range the edge level, as upstream clips).
 */
export function endpointPrediction(
  forecast: QuantileForecast,
  request: EndpointRequest,
  index: number,
): EndpointPrediction {
  const { numVariates: V, horizon: H, quantileLevels: modelLevels } = forecast;
  const Q = modelLevels.length;
  const median = modelLevels.indexOf(0.5);
  const levels = request.quantileLevels;
  // [V][Q][H] → [V·H][Q] for interpolation.
  const byStep = new Float32Array(V * H * Q);
  for (let v = 0; v < V; v++) {
    for (let q = 0; q < Q; q++) for (let t = 0; t < H; t++) byStep[(v * H + t) * Q + q] = forecast.values[(v * Q + q) * H + t];
  }
  const picks = levels.map((q) => modelLevels.indexOf(q));
  const onGrid = picks.every((p) => p >= 0);
  const interpolated = onGrid ? null : interpolateQuantiles(levels, modelLevels, byStep);
  const row = (read: (v: number, t: number) => number): number[][] =>
    Array.from({ length: V }, (_, v) => Array.from({ length: H }, (_, t) => read(v, t)));
  const shape = (rows: number[][]): number[] | number[][] => (request.series[index].multivariate ? rows : rows[0]);

  const out: EndpointPrediction = {
    mean: shape(row((v, t) => (median >= 0 ? byStep[(v * H + t) * Q + median] : Number.NaN))),
  };
  levels.forEach((level, l) => {
    out[String(level)] = shape(
      row((v, t) => (interpolated ? interpolated[(v * H + t) * levels.length + l] : byStep[(v * H + t) * Q + picks[l]])),
    );
  });
  const meta = request.series[index];
  if (meta.itemId !== undefined) out.item_id = meta.itemId;
  if (meta.start !== undefined && request.freq) out.start = formatTimestamp(shiftTimestamp(meta.start, request.freq, meta.length));
  return out;
}
