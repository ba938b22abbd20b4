// Turns every input form `predict` accepts into prepared tasks: one float32 block of rows per task
// (targets, then past-only covariates, then known-future covariates) plus its future covariate rows.
// This is the validation boundary for user data; it mirrors upstream `chronos2/preprocess.py`
// (`from_tensor`, `from_list_of_tensors`, `from_list_of_dicts`, `_build_prepared_inputs`) and the input
// checks of `Chronos2Dataset`. Everything after this module trusts the prepared shapes.

import { compareCodePoints, encodeCategorical, type Category } from './covariates';
import { CovariateError, EmptyInputError, InputSchemaError, InputShapeError } from './errors';

/** A 1-D series of length T; `null` (as in JSON) and NaN are missing values. Cast to float32. */
export type SeriesValues = Float32Array | Float64Array | readonly (number | null)[];

/** Several aligned series, `[variates][T]`. */
export type MultiSeries = readonly SeriesValues[];

/** Categorical covariate values; `null` is a missing value (its own category). */
export type CategoricalValues = readonly (string | null)[];

/** Values of one covariate: numeric or categorical. */
export type CovariateValues = SeriesValues | CategoricalValues;

/** A 3-D array `[tasks][variates][T]` stored flat, row-major. */
export interface Tensor3D {
  shape: readonly [number, number, number];
  data: Float32Array | Float64Array | readonly (number | null)[];
}

/** One task of the list-of-dicts form (keys as in upstream). */
export interface TaskDict {
  /** `[T]` (univariate) or `[variates][T]` (multivariate); forecasts are made for these rows. */
  target: SeriesValues | MultiSeries;
  /** Past values of every covariate, each of length T (past-only and known-future covariates). */
  past_covariates?: Readonly<Record<string, CovariateValues>>;
  /**
   * Future values of known-future covariates, each of length `predictionLength`; names must be among
   * `past_covariates`. `null` or an empty array marks a covariate as known-future with unknown values.
   */
  future_covariates?: Readonly<Record<string, CovariateValues | null>>;
}

/**
 * A task ready for batching (upstream `PreparedInput`): rows are targets, then past-only covariates, then
 * known-future covariates. Also accepted as an input form.
 */
export interface PreparedTask {
  /** `[numRows][length]` row-major, float32, NaN = missing. */
  context: Float32Array;
  /** `[numRows][predictionLength]` row-major; NaN for targets, past-only covariates and unknown values. */
  futureCovariates: Float32Array;
  numRows: number;
  /** History length T of this task. */
  length: number;
  nTargets: number;
  nCovariates: number;
  nFutureCovariates: number;
}

/** Every input form of `predict`. A nested `[tasks][variates][T]` array is a list of 2-D series. */
export type ForecastInputs =
  | Tensor3D
  | readonly (SeriesValues | MultiSeries)[]
  | readonly TaskDict[]
  | readonly PreparedTask[];

const DICT_KEYS: ReadonlySet<string> = new Set(['target', 'past_covariates', 'future_covariates']);

/**
 * Validates `inputs` and converts them to prepared tasks, in input order.
 * @param predictionLength Width of each task's future covariate rows.
 * @throws EmptyInputError, InputShapeError, InputSchemaError, CovariateError
 */
export function prepareInputs(inputs: ForecastInputs, predictionLength: number): PreparedTask[] {
  if (isTensor3D(inputs)) return fromTensor3D(inputs, predictionLength);
  if (!Array.isArray(inputs)) {
    throw new InputSchemaError(
      'inputs must be a 3-D tensor {shape, data}, a list of 1-D/2-D series, or a list of task dicts.',
    );
  }
  const list: readonly unknown[] = inputs;
  if (list.length === 0) {
    throw new EmptyInputError('`inputs` is empty. Please provide at least one time series.');
  }
  const first = list[0];
  if (isArrayLike(first)) return fromListOfSeries(list, predictionLength);
  if (isRecord(first) && 'context' in first) return fromPreparedTasks(list, predictionLength);
  if (isRecord(first)) return fromListOfDicts(list, predictionLength);
  throw new InputSchemaError(
    'Each element of inputs must be a series (array), a task dict {target, past_covariates?, ' +
      `future_covariates?} or a prepared task; found ${describe(first)} at index 0.`,
  );
}

// ---------------------------------------------------------------------------------------------------------
// Tensor and list-of-series forms

function fromTensor3D(tensor: Tensor3D, predictionLength: number): PreparedTask[] {
  const { shape, data } = tensor;
  if (shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new InputShapeError(
      `Expected 3-d tensor with shape (n_series, n_variates, history_length), got shape [${shape.join(', ')}].`,
    );
  }
  const [nTasks, nVariates, length] = shape;
  if (data.length !== nTasks * nVariates * length) {
    throw new InputShapeError(
      `Tensor data has ${data.length} values but shape [${shape.join(', ')}] needs ${nTasks * nVariates * length}.`,
    );
  }
  if (nTasks === 0) throw new EmptyInputError('`inputs` is empty. Please provide at least one time series.');
  if (nVariates === 0) throw new InputShapeError('Each task needs at least one variate (shape[1] is 0).');
  const all = toFloat32(data, 'tensor data');
  const perTask = nVariates * length;
  return Array.from({ length: nTasks }, (_, i) =>
    targetsOnlyTask(all.slice(i * perTask, (i + 1) * perTask), nVariates, length, predictionLength),
  );
}

function fromListOfSeries(list: readonly unknown[], predictionLength: number): PreparedTask[] {
  return list.map((item, idx) => {
    if (!isArrayLike(item)) {
      throw new InputSchemaError(
        `All elements of a list of series must be arrays; found ${describe(item)} at index ${idx}.`,
      );
    }
    const rows = seriesRows(item, () => `element at index ${idx}`);
    const length = rows[0].length;
    return targetsOnlyTask(concatRows(rows, length), rows.length, length, predictionLength);
  });
}

function targetsOnlyTask(context: Float32Array, numRows: number, length: number, predictionLength: number): PreparedTask {
  return {
    context,
    futureCovariates: new Float32Array(numRows * predictionLength).fill(NaN),
    numRows,
    length,
    nTargets: numRows,
    nCovariates: 0,
    nFutureCovariates: 0,
  };
}

/**
 * Reads a 1-D or 2-D series into float32 rows.
 * @throws InputShapeError for rank > 2, ragged rows or zero variates; InputSchemaError for non-numeric values.
 */
function seriesRows(item: ArrayLike<unknown>, where: () => string): Float32Array[] {
  if (isTypedSeries(item) || item.length === 0 || !isArrayLike(item[0])) {
    return [toFloat32(item, where())];
  }
  const rows: Float32Array[] = [];
  for (let v = 0; v < item.length; v++) {
    const row = item[v];
    if (!isArrayLike(row)) {
      throw new InputShapeError(`Found a mix of numbers and arrays in ${where()}; expected 1-d or 2-d values.`);
    }
    if (!isTypedSeries(row) && row.length > 0 && isArrayLike(row[0])) {
      throw new InputShapeError(
        `Each element should be 1-d or 2-d, with shape (history_length,) or (n_variates, history_length). ` +
          `Found ${where()} with 3 or more dimensions.`,
      );
    }
    rows.push(toFloat32(row, `${where()}, variate ${v}`));
  }
  if (rows.some((r) => r.length !== rows[0].length)) {
    throw new InputShapeError(
      `All variates of ${where()} must have the same length; found lengths [${rows.map((r) => r.length).join(', ')}].`,
    );
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------
// Prepared-task form

function fromPreparedTasks(list: readonly unknown[], predictionLength: number): PreparedTask[] {
  return list.map((item, idx) => {
    if (!isRecord(item) || !('context' in item)) {
      throw new InputSchemaError(`Expected a prepared task at index ${idx} like the first element, found ${describe(item)}.`);
    }
    const task = item as Partial<PreparedTask>;
    const { context, futureCovariates, numRows, length, nTargets, nCovariates, nFutureCovariates } = task;
    const ints = [numRows, length, nTargets, nCovariates, nFutureCovariates];
    if (!(context instanceof Float32Array) || !(futureCovariates instanceof Float32Array)) {
      throw new InputSchemaError(`Prepared task ${idx}: context and futureCovariates must be Float32Arrays.`);
    }
    if (!ints.every((n) => Number.isInteger(n) && (n as number) >= 0)) {
      throw new InputSchemaError(
        `Prepared task ${idx}: numRows, length, nTargets, nCovariates and nFutureCovariates must be integers >= 0.`,
      );
    }
    const rows = numRows as number;
    if (
      (nTargets as number) < 1 ||
      (nTargets as number) + (nCovariates as number) !== rows ||
      (nFutureCovariates as number) > (nCovariates as number)
    ) {
      throw new InputShapeError(
        `Prepared task ${idx}: need nTargets >= 1, nTargets + nCovariates = numRows and nFutureCovariates <= nCovariates.`,
      );
    }
    if (context.length !== rows * (length as number) || futureCovariates.length !== rows * predictionLength) {
      throw new InputShapeError(
        `Prepared task ${idx}: context must have numRows*length = ${rows * (length as number)} values and ` +
          `futureCovariates numRows*predictionLength = ${rows * predictionLength} values; found ` +
          `${context.length} and ${futureCovariates.length}.`,
      );
    }
    return task as PreparedTask;
  });
}

// ---------------------------------------------------------------------------------------------------------
// List-of-dicts form

interface ParsedDict {
  targets: Float32Array[];
  past: Readonly<Record<string, CovariateValues>>;
  future: Readonly<Record<string, CovariateValues | null>>;
}

function fromListOfDicts(list: readonly unknown[], predictionLength: number): PreparedTask[] {
  const parsed = list.map((d, idx) => parseDict(d, idx, predictionLength));
  checkSchema(parsed);

  const pastKeys = Object.keys(parsed[0].past).sort(compareCodePoints);
  const futureKeys = Object.keys(parsed[0].future).sort(compareCodePoints);
  const knownFuture = new Set(futureKeys);
  const columns = [...pastKeys.filter((k) => !knownFuture.has(k)), ...pastKeys.filter((k) => knownFuture.has(k))];
  const nTargets = parsed[0].targets.length;
  const encoding = nTargets === 1 ? 'target' : 'ordinal';

  const pastRows: Float32Array[][] = parsed.map(() => []);
  const futureRows: (Float32Array | null)[][] = parsed.map(() => []);
  for (const name of columns) {
    const available = knownFuture.has(name) && !isUnavailable(parsed[0].future[name]);
    const pastValues = parsed.map((d) => d.past[name]);
    const futureValues = available ? parsed.map((d) => d.future[name] as CovariateValues) : null;
    if (pastValues.some(hasString)) {
      const encoded = encodeCategorical(
        {
          past: pastValues.map((v, i) => toCategories(v, `past_covariates['${name}'] of element ${i}`)),
          future: futureValues?.map((v, i) => toCategories(v, `future_covariates['${name}'] of element ${i}`)) ?? null,
        },
        encoding,
        encoding === 'target' ? parsed.map((d) => d.targets[0]) : null,
      );
      parsed.forEach((_, i) => {
        pastRows[i].push(encoded.past[i]);
        futureRows[i].push(encoded.future?.[i] ?? null);
      });
    } else {
      parsed.forEach((_, i) => {
        pastRows[i].push(toFloat32(pastValues[i], `past_covariates['${name}'] of element ${i}`));
        const fut = futureValues?.[i];
        if (fut !== undefined && hasString(fut)) {
          throw new CovariateError(
            `future_covariates['${name}'] of element ${i} holds strings but its past values are numeric; ` +
              'give numbers (or strings in both past and future for a categorical covariate).',
          );
        }
        futureRows[i].push(fut === undefined ? null : toFloat32(fut, `future_covariates['${name}'] of element ${i}`));
      });
    }
  }

  return parsed.map((d, i) => {
    const length = d.targets[0].length;
    const rows = [...d.targets, ...pastRows[i]];
    const future = new Float32Array(rows.length * predictionLength).fill(NaN);
    futureRows[i].forEach((row, j) => {
      if (row !== null) future.set(row, (nTargets + j) * predictionLength);
    });
    return {
      context: concatRows(rows, length),
      futureCovariates: future,
      numRows: rows.length,
      length,
      nTargets,
      nCovariates: columns.length,
      nFutureCovariates: futureKeys.length,
    };
  });
}

/** Per-element checks (upstream `_validate_list_of_dicts`, first pass). */
function parseDict(d: unknown, idx: number, predictionLength: number): ParsedDict {
  if (!isRecord(d)) {
    throw new InputSchemaError(`Expected a dict at index ${idx} like the first element, found ${describe(d)}.`);
  }
  const keys = Object.keys(d);
  const invalid = keys.filter((k) => !DICT_KEYS.has(k));
  if (invalid.length > 0) {
    throw new InputSchemaError(
      `Found invalid keys in element at index ${idx}: [${invalid.join(', ')}]. Allowed keys are target, ` +
        'past_covariates and future_covariates.',
    );
  }
  if (!('target' in d)) {
    throw new InputSchemaError(`Element at index ${idx} does not contain the required key 'target'.`);
  }
  const target = d.target;
  if (!isArrayLike(target)) {
    throw new InputSchemaError(`The target of element ${idx} must be a 1-d or 2-d array, found ${describe(target)}.`);
  }
  const targets = seriesRows(target, () => `the target of element at index ${idx}`);
  const historyLength = targets[0].length;

  const past = d.past_covariates === undefined ? {} : d.past_covariates;
  if (!isRecord(past)) {
    throw new InputSchemaError(
      `Found invalid type for past_covariates in element at index ${idx}: expected an object ` +
        `{name: values}, found ${describe(past)}. Omit the key or pass {} when there are none.`,
    );
  }
  for (const [name, values] of Object.entries(past)) {
    if (!isArrayLike(values) || !isFlat(values) || values.length !== historyLength) {
      throw new CovariateError(
        `Individual past_covariates must be 1-d with length equal to the length of target (= ${historyLength}), ` +
          `found '${name}' with ${shapeOf(values)} in element at index ${idx}.`,
      );
    }
  }

  const future = d.future_covariates === undefined ? {} : d.future_covariates;
  if (!isRecord(future)) {
    throw new InputSchemaError(
      `Found invalid type for future_covariates in element at index ${idx}: expected an object ` +
        `{name: values}, found ${describe(future)}. Omit the key or pass {} when there are none.`,
    );
  }
  for (const [name, values] of Object.entries(future)) {
    if (isUnavailable(values)) continue;
    if (!isArrayLike(values) || !isFlat(values) || values.length !== predictionLength) {
      throw new CovariateError(
        `Individual future_covariates must be 1-d with length equal to prediction_length = ${predictionLength}, ` +
          `found '${name}' with ${shapeOf(values)} in element at index ${idx}.`,
      );
    }
  }
  return {
    targets,
    past: past as Record<string, CovariateValues>,
    future: future as Record<string, CovariateValues | null>,
  };
}

/** Cross-element checks: all dicts share one schema (upstream `_validate_list_of_dicts`, second pass). */
function checkSchema(parsed: readonly ParsedDict[]): void {
  const first = parsed[0];
  const firstPast = Object.keys(first.past).sort(compareCodePoints);
  const firstFuture = Object.keys(first.future).sort(compareCodePoints);
  const pastSet = new Set(firstPast);
  const notInPast = firstFuture.filter((k) => !pastSet.has(k));
  if (notInPast.length > 0) {
    throw new CovariateError(
      `Keys of future_covariates must be a subset of the keys of past_covariates [${firstPast.join(', ')}], ` +
        `but found [${notInPast.join(', ')}]. Give the past values of every known-future covariate.`,
    );
  }
  parsed.forEach((d, idx) => {
    if (d.targets.length !== first.targets.length) {
      throw new InputSchemaError(
        `All targets must have the same number of variates. Expected ${first.targets.length}, got ` +
          `${d.targets.length} at index ${idx}. Call predict once per target shape instead.`,
      );
    }
    const past = Object.keys(d.past).sort(compareCodePoints);
    if (!sameList(past, firstPast)) {
      throw new InputSchemaError(
        `All past_covariates must have the same keys. Expected [${firstPast.join(', ')}], got ` +
          `[${past.join(', ')}] at index ${idx}. Call predict once per schema instead.`,
      );
    }
    const future = Object.keys(d.future).sort(compareCodePoints);
    if (!sameList(future, firstFuture)) {
      throw new InputSchemaError(
        `All future_covariates must have the same keys. Expected [${firstFuture.join(', ')}], got ` +
          `[${future.join(', ')}] at index ${idx}. Call predict once per schema instead.`,
      );
    }
    for (const key of firstFuture) {
      if (isUnavailable(d.future[key]) !== isUnavailable(first.future[key])) {
        throw new InputSchemaError(
          `All dicts must agree on whether future_covariates['${key}'] is available (null/empty) or provided. ` +
            `Mismatch at index ${idx}.`,
        );
      }
    }
  });
}

function isUnavailable(values: unknown): boolean {
  return values === null || values === undefined || (isArrayLike(values) && values.length === 0);
}

function hasString(values: CovariateValues): boolean {
  return !isTypedSeries(values) && values.some((v) => typeof v === 'string');
}

/** Categorical values; NaN or null numbers count as missing, other numbers are an error. */
function toCategories(values: CovariateValues, what: string): Category[] {
  if (isTypedSeries(values)) return toCategories(Array.from(values), what);
  return values.map((v) => {
    if (typeof v === 'string' || v === null) return v;
    if (Number.isNaN(v)) return null;
    throw new CovariateError(
      `${what} mixes numbers and strings; a categorical covariate must hold strings (null for missing) in ` +
        'every task, past and future.',
    );
  });
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers

function isTensor3D(x: unknown): x is Tensor3D {
  return isRecord(x) && 'shape' in x && 'data' in x;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

function isTypedSeries(x: unknown): x is Float32Array | Float64Array {
  return x instanceof Float32Array || x instanceof Float64Array;
}

function isArrayLike(x: unknown): x is ArrayLike<unknown> {
  return Array.isArray(x) || isTypedSeries(x);
}

/** True when no element is itself an array (a 1-d value list). */
function isFlat(x: ArrayLike<unknown>): boolean {
  if (isTypedSeries(x)) return true;
  for (let i = 0; i < x.length; i++) if (isArrayLike(x[i]) || isRecord(x[i])) return false;
  return true;
}

/** Casts to float32 like `np.asarray(x, dtype=np.float32)`; null → NaN. */
function toFloat32(values: ArrayLike<unknown>, what: string): Float32Array {
  if (isTypedSeries(values)) return Float32Array.from(values);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) out[i] = NaN;
    else if (typeof v === 'number') out[i] = v;
    else {
      throw new InputSchemaError(`${what} must hold numbers (null for missing); found ${describe(v)} at position ${i}.`);
    }
  }
  return out;
}

function concatRows(rows: readonly Float32Array[], length: number): Float32Array {
  const out = new Float32Array(rows.length * length);
  rows.forEach((row, i) => out.set(row, i * length));
  return out;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function shapeOf(x: unknown): string {
  if (!isArrayLike(x)) return `type ${describe(x)}`;
  return isFlat(x) ? `length ${x.length}` : 'more than one dimension';
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (ArrayBuffer.isView(x)) return x.constructor.name;
  return typeof x;
}
