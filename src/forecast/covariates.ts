// Encodes categorical (string) covariates as float32 rows the model can read, with the rules of upstream
// `_encode_categorical` / `_target_encode` (chronos2/preprocess.py). Kept apart from input parsing because
// the encoding is the one place where values of different tasks influence each other (shared categories).

/** One categorical value; `null` is a missing value and forms its own category. */
export type Category = string | null;

/** How categories become numbers. */
export type CategoricalEncoding =
  /** Per-task smoothed mean of the (single) target per category; used when a task has exactly one target. */
  | 'target'
  /** Index of the category in the sorted list of categories seen in the past; used with several targets. */
  | 'ordinal';

/** A categorical covariate column over all tasks. */
export interface CategoricalColumn {
  /** Past values per task (length = that task's history length). */
  past: readonly (readonly Category[])[];
  /** Future values per task (length = prediction length), or `null` when the future is not given. */
  future: readonly (readonly Category[])[] | null;
}

/** Encoded rows of one categorical column, per task. */
export interface EncodedColumn {
  past: Float32Array[];
  /** `null` when the column has no future values. */
  future: Float32Array[] | null;
}

/** Orders strings by Unicode code point, as Python's `sorted` does (JS `<` compares UTF-16 code units). */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done === true || cb.done === true) {
      return (ca.done === true ? 0 : 1) - (cb.done === true ? 0 : 1);
    }
    const d = (ca.value.codePointAt(0) ?? 0) - (cb.value.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
}

/**
 * Encodes one categorical covariate for every task.
 *
 * Categories are the distinct non-missing past values of all tasks, sorted. Missing values form their own
 * category (slot `nReal`); a future value never seen in the past goes to a sentinel slot above it.
 * - `'target'`: value = (itemMean + sum) / (1 + count) of the finite target values of the same task with that
 *   category (float64, then float32); a category the task never saw (including the sentinel) gets itemMean.
 * - `'ordinal'`: value = category index; missing → `nReal`; unseen future → NaN.
 *
 * @param targets Only for `'target'`: the first target row of each task, aligned with `column.past`.
 */
export function encodeCategorical(
  column: CategoricalColumn,
  encoding: CategoricalEncoding,
  targets: readonly Float32Array[] | null,
): EncodedColumn {
  const seen = new Set<string>();
  for (const values of column.past) for (const v of values) if (v !== null) seen.add(v);
  const categories = [...seen].sort(compareCodePoints);
  const index = new Map(categories.map((c, i) => [c, i] as const));
  const nanSlot = categories.length;
  const unseenSlot = nanSlot + 1;
  const pastCode = (v: Category): number => (v === null ? nanSlot : (index.get(v) ?? nanSlot));
  const futureCode = (v: Category): number => (v === null ? nanSlot : (index.get(v) ?? unseenSlot));

  const pastCodes = column.past.map((values) => values.map(pastCode));
  const futureCodes = column.future?.map((values) => values.map(futureCode)) ?? null;

  if (encoding === 'ordinal') {
    return {
      past: pastCodes.map((codes) => Float32Array.from(codes)),
      future: futureCodes?.map((codes) => Float32Array.from(codes, (c) => (c === unseenSlot ? NaN : c))) ?? null,
    };
  }

  if (targets === null) throw new Error('encodeCategorical: target encoding needs the target rows');
  const nSlots = unseenSlot + 1;
  const past: Float32Array[] = [];
  const future: Float32Array[] | null = futureCodes === null ? null : [];
  pastCodes.forEach((codes, task) => {
    const target = targets[task];
    const sums = new Float64Array(nSlots);
    const counts = new Float64Array(nSlots);
    let itemSum = 0;
    let itemCount = 0;
    codes.forEach((code, t) => {
      const y = target[t];
      if (!Number.isFinite(y)) return;
      itemSum += y;
      itemCount += 1;
      sums[code] += y;
      counts[code] += 1;
    });
    const itemMean = itemCount > 0 ? itemSum / itemCount : 0;
    const lookup = (code: number): number => (itemMean + sums[code]) / (1 + counts[code]);
    past.push(Float32Array.from(codes, lookup));
    if (future !== null && futureCodes !== null) future.push(Float32Array.from(futureCodes[task], lookup));
  });
  return { past, future };
}
