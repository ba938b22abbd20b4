// Categorical covariate encoding (target and ordinal) against hand-computed values, and the row layout of
// list-of-dicts tasks for cases the fixtures do not cover (unavailable future values, missing categories).

import { describe, expect, it } from 'vitest';
import { compareCodePoints, encodeCategorical } from '../../src/forecast/covariates';
import { prepareInputs } from '../../src/forecast';

const f = Math.fround;

describe('encodeCategorical', () => {
  it('target-encodes per task with smoothing, NaN targets skipped, missing as its own category', () => {
    const target = Float32Array.from([1, 3, NaN, 5, 7]);
    const { past, future } = encodeCategorical(
      { past: [['a', 'b', 'a', null, 'a']], future: [['a', 'c', null]] },
      'target',
      [target],
    );
    // item mean over finite targets = (1 + 3 + 5 + 7) / 4 = 4
    // a: values 1, 7 (the NaN target is skipped) → (4 + 8) / (1 + 2) = 4
    // b: value 3 → (4 + 3) / 2 = 3.5; missing: value 5 → (4 + 5) / 2 = 4.5; unseen c → item mean 4
    expect(Array.from(past[0])).toEqual([4, 3.5, 4, 4.5, 4]);
    expect(Array.from(future?.[0] ?? [])).toEqual([4, 4, 4.5]);
  });

  it('target encoding uses each task’s own statistics', () => {
    const { past } = encodeCategorical(
      { past: [['x', 'y'], ['x', 'y', 'x']], future: null },
      'target',
      [Float32Array.from([2, 4]), Float32Array.from([10, 20, 40])],
    );
    expect(Array.from(past[0])).toEqual([2.5, 3.5]); // mean 3: x (3+2)/2, y (3+4)/2
    // mean 70/3: x (70/3 + 50)/3, y (70/3 + 20)/2, computed in float64 then cast
    expect(Array.from(past[1])).toEqual([f((70 / 3 + 50) / 3), f((70 / 3 + 20) / 2), f((70 / 3 + 50) / 3)]);
  });

  it('ordinal codes follow sorted categories; missing → count, unseen future → NaN', () => {
    const { past, future } = encodeCategorical(
      { past: [['b', 'a', null], ['c']], future: [['c', 'z', null], ['a', 'b', 'b']] },
      'ordinal',
      null,
    );
    expect(Array.from(past[0])).toEqual([1, 0, 3]);
    expect(Array.from(past[1])).toEqual([2]);
    expect(Array.from(future?.[0] ?? [])).toEqual([2, NaN, 3]);
    expect(Array.from(future?.[1] ?? [])).toEqual([0, 1, 1]);
  });

  it('sorts by code point like Python', () => {
    const strings = ['\u{1F600}', '\uFF21', 'b', 'B'];
    expect([...strings].sort(compareCodePoints)).toEqual(['B', 'b', '\uFF21', '\u{1F600}']);
  });
});

describe('prepareInputs (list of dicts)', () => {
  it('orders rows targets, past-only (sorted), known-future (sorted), with NaN futures for unknown values', () => {
    const [task] = prepareInputs(
      [
        {
          target: [1, 2, null],
          past_covariates: { zeta: [1, 1, 1], alpha: [2, 2, 2], known: [3, 3, 3], later: [4, 4, 4] },
          future_covariates: { later: [40, null], known: null },
        },
      ],
      2,
    );
    expect([task.numRows, task.length, task.nTargets, task.nCovariates, task.nFutureCovariates]).toEqual([5, 3, 1, 4, 2]);
    expect(Array.from(task.context)).toEqual([1, 2, NaN, 2, 2, 2, 1, 1, 1, 3, 3, 3, 4, 4, 4]);
    expect(Array.from(task.futureCovariates)).toEqual([NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, 40, NaN]);
  });

  it('casts to float32 and reads null and Float64Array values', () => {
    const [a, b] = prepareInputs([Float64Array.from([0.1, NaN]), [0.1, null]], 1);
    expect(Array.from(a.context)).toEqual([f(0.1), NaN]);
    expect(Array.from(b.context)).toEqual([f(0.1), NaN]);
  });

  it('treats a Tensor3D like a list of 2-D series', () => {
    const tensor = prepareInputs({ shape: [2, 2, 2], data: [1, 2, 3, 4, 5, 6, 7, 8] }, 3);
    const list = prepareInputs(
      [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [5, 6],
          [7, 8],
        ],
      ],
      3,
    );
    expect(tensor).toEqual(list);
    expect(tensor[0].nTargets).toBe(2);
  });

  it('ordinal-encodes categoricals when there are several targets', () => {
    const [task] = prepareInputs(
      [{ target: [[1, 2], [3, 4]], past_covariates: { day: ['we', 'wd'] }, future_covariates: { day: ['wd'] } }],
      1,
    );
    expect(Array.from(task.context.subarray(4))).toEqual([1, 0]);
    expect(Array.from(task.futureCovariates)).toEqual([NaN, NaN, 0]);
  });
});
