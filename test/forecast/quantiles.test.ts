// Quantile interpolation, weighted quantiles and probability masses against hand-computed values.
// Tolerance: 1e-6 absolute where a value is not exactly representable; exact where float32 gives it exactly.

import { describe, expect, it } from 'vitest';
import {
  QuantileLevelError,
  interpolateQuantiles,
  probMassPerQuantileLevel,
  weightedQuantile,
} from '../../src/forecast';

const close = (got: ArrayLike<number>, want: number[], tol = 1e-6): void => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(Math.abs(got[i] - w)).toBeLessThanOrEqual(tol));
};

describe('interpolateQuantiles', () => {
  const levels = [0.1, 0.5, 0.9];

  it('interpolates linearly between levels and returns grid values exactly', () => {
    const out = interpolateQuantiles([0.3, 0.5, 0.7], levels, Float32Array.from([1, 5, 9]));
    close(out, [3, 5, 7]);
    expect(out[1]).toBe(5);
  });

  it('uses the edge values below the lowest and above the highest level', () => {
    const out = interpolateQuantiles([0, 0.05, 0.95, 1], levels, Float32Array.from([1, 5, 9]));
    expect(Array.from(out)).toEqual([1, 1, 9, 9]);
  });

  it('keeps non-monotone values as given (no sorting of values)', () => {
    const out = interpolateQuantiles([0.3, 0.7], levels, Float32Array.from([3, 1, 2]));
    close(out, [2, 1.5]);
  });

  it('sorts unsorted levels together with their values', () => {
    const out = interpolateQuantiles([0.3, 0.7], [0.9, 0.1, 0.5], Float32Array.from([9, 1, 5]));
    close(out, [3, 7]);
  });

  it('adds no edge point where level 0 or 1 exists', () => {
    close(interpolateQuantiles([0.25], [0, 1], Float32Array.from([0, 10])), [2.5]);
    close(interpolateQuantiles([0.75], [0, 0.5], Float32Array.from([0, 5])), [5]);
  });

  it('handles several rows with shared levels', () => {
    const out = interpolateQuantiles([0.3], levels, Float32Array.from([1, 5, 9, 10, 20, 30]));
    close(out, [3, 15]);
  });

  it('rounds every step to float32 like upstream', () => {
    const f = Math.fround;
    const [q, lo, hi, v1, v2] = [f(0.33), f(0.3), f(0.35), f(1.1), f(2.7)];
    const w = f(f(q - lo) / f(hi - lo));
    const out = interpolateQuantiles([0.33], [0.3, 0.35], Float32Array.from([1.1, 2.7]));
    expect(out[0]).toBe(f(v1 + f(w * f(v2 - v1))));
  });

  it('rejects levels outside [0, 1]', () => {
    expect(() => interpolateQuantiles([1.5], levels, Float32Array.from([1, 5, 9]))).toThrow(QuantileLevelError);
    expect(() => interpolateQuantiles([0.5], [-0.1, 0.5, 0.9], Float32Array.from([1, 5, 9]))).toThrow(
      QuantileLevelError,
    );
    expect(() => interpolateQuantiles([0.5], levels, Float32Array.from([1, 5]))).toThrow(QuantileLevelError);
  });
});

describe('weightedQuantile', () => {
  it('sorts the samples and uses cumulative weights as their levels', () => {
    // sorted [1, 2, 3, 4] at cumulative levels [0.25, 0.5, 0.75, 1]; level 0 gets the smallest sample
    const out = weightedQuantile([0.1, 0.375, 0.5, 0.9, 1], [1, 1, 1, 1], Float32Array.from([4, 3, 2, 1]));
    close(out, [1, 1.5, 2, 3.6, 4]);
  });

  it('moves the weights with the samples', () => {
    // samples [10, 0] with weights [3, 1] → sorted [0, 10] at levels [0.25, 1]
    const out = weightedQuantile([0.625], [3, 1], Float32Array.from([10, 0]));
    close(out, [5]);
  });

  it('treats every row separately with shared weights', () => {
    const out = weightedQuantile([0.5], [1, 1], Float32Array.from([2, 4, 10, 6]));
    // cumulative levels [0.5, 1]: the 0.5 quantile is the smaller sample
    close(out, [2, 6]);
  });

  it('rejects non-positive weights', () => {
    expect(() => weightedQuantile([0.5], [1, 0], Float32Array.from([1, 2]))).toThrow(QuantileLevelError);
  });
});

describe('probMassPerQuantileLevel', () => {
  it('gives equal masses to equally spaced levels', () => {
    close(probMassPerQuantileLevel([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]), Array(9).fill(1 / 9));
  });

  it('uses the half-width of the surrounding interval, normalised', () => {
    // raw masses (0.5 − 0)/2, (0.99 − 0.01)/2, (1 − 0.5)/2 = 0.25, 0.49, 0.25; sum 0.99
    close(probMassPerQuantileLevel([0.01, 0.5, 0.99]), [0.25 / 0.99, 0.49 / 0.99, 0.25 / 0.99]);
    close(probMassPerQuantileLevel([0.5]), [1]);
  });

  it('needs levels strictly inside (0, 1)', () => {
    expect(() => probMassPerQuantileLevel([0, 0.5])).toThrow(QuantileLevelError);
    expect(() => probMassPerQuantileLevel([0.5, 1])).toThrow(QuantileLevelError);
    expect(() => probMassPerQuantileLevel([])).toThrow(QuantileLevelError);
  });
});
