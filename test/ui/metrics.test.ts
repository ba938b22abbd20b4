// Backtest metrics against values computed by hand (worked sums in the comments), so the formulas shown in the
// UI are pinned down independently of the implementation.
import { describe, expect, it } from 'vitest';
import {
  averageScores,
  mae,
  mape,
  mase,
  pinball,
  rmse,
  scoreForecast,
  scorePointForecast,
  seasonalNaive,
  smape,
  wql,
} from '../../src/state/metrics';

const TOL = 9; // decimal digits for toBeCloseTo

describe('point metrics', () => {
  // errors: -2, 2, -3, -1
  const actual = [10, 20, 30, 0];
  const forecast = [12, 18, 33, 1];

  it('MAE = (2 + 2 + 3 + 1) / 4', () => {
    expect(mae(actual, forecast)).toBeCloseTo(2, TOL);
  });

  it('RMSE = sqrt((4 + 4 + 9 + 1) / 4)', () => {
    expect(rmse(actual, forecast)).toBeCloseTo(Math.sqrt(4.5), TOL);
  });

  it('MAPE skips zero actuals: (2/10 + 2/20 + 3/30) / 3 · 100', () => {
    expect(mape(actual, forecast)).toBeCloseTo((0.4 / 3) * 100, TOL);
  });

  it('sMAPE = (4/22 + 4/38 + 6/63 + 2/1) / 4 · 100', () => {
    expect(smape(actual, forecast)).toBeCloseTo(((4 / 22 + 4 / 38 + 6 / 63 + 2) / 4) * 100, TOL);
    expect(smape([0, 5], [0, 5])).toBe(0);
  });

  it('MASE divides by the in-sample seasonal-naive MAE', () => {
    const train = [1, 3, 2, 4, 3, 5];
    // season 2: |2-1|, |4-3|, |3-2|, |5-4| → scale 1
    expect(mase(actual, forecast, train, 2)).toBeCloseTo(2, TOL);
    // season 1: 2, 1, 2, 1, 2 → scale 1.6
    expect(mase(actual, forecast, train, 1)).toBeCloseTo(2 / 1.6, TOL);
    // season longer than the training data falls back to 1
    expect(mase(actual, forecast, train, 12)).toBeCloseTo(2 / 1.6, TOL);
    // constant training data has no scale
    expect(mase(actual, forecast, [3, 3, 3], 1)).toBeNaN();
  });

  it('ignores missing actuals and returns NaN when nothing is observed', () => {
    expect(mae([10, NaN, 30], [12, 99, 33])).toBeCloseTo(2.5, TOL);
    expect(rmse([NaN], [1])).toBeNaN();
    expect(mape([0, 0], [1, 2])).toBeNaN();
  });
});

describe('weighted quantile loss', () => {
  it('pinball loss is asymmetric', () => {
    expect(pinball(10, 8, 0.1)).toBeCloseTo(0.2, TOL);
    expect(pinball(10, 14, 0.9)).toBeCloseTo(0.4, TOL);
    expect(pinball(10, 11, 0.5)).toBeCloseTo(0.5, TOL);
  });

  it('averages 2·Σρ/Σ|y| over levels', () => {
    // q0.1: 0.1·2 + 0.1·5 = 0.7 → 1.4/30; q0.5: 0.5·1 + 0 = 0.5 → 1/30; q0.9: 0.1·4 + 0.1·2 = 0.6 → 1.2/30
    const value = wql([10, 20], [0.1, 0.5, 0.9], [[8, 15], [11, 20], [14, 22]]);
    expect(value).toBeCloseTo((1.4 + 1 + 1.2) / 30 / 3, TOL);
    expect(value).toBeCloseTo(0.04, TOL);
  });

  it('a point forecast stands in for every level', () => {
    // forecast 11, 18: q0.1: 0.9 + 0.2; q0.5: 0.5 + 1; q0.9: 0.1 + 1.8 → Σ = 4.5 → 2·4.5/30/3
    const scores = scorePointForecast([10, 20], [11, 18], [0.1, 0.5, 0.9], [1, 2, 3], 1);
    expect(scores.wql).toBeCloseTo(0.1, TOL);
    expect(scores.mae).toBeCloseTo(1.5, TOL);
  });

  it('is NaN when all actuals are zero', () => {
    expect(wql([0, 0], [0.5], [[1, 1]])).toBeNaN();
  });
});

describe('seasonal naive', () => {
  it('repeats the last season', () => {
    expect(Array.from(seasonalNaive([1, 2, 3, 4, 5, 6, 7], 3, 5))).toEqual([5, 6, 7, 5, 6]);
  });

  it('falls back to the last value when the history is shorter than a season', () => {
    expect(Array.from(seasonalNaive([1, 2], 12, 3))).toEqual([2, 2, 2]);
  });

  it('fills missing values forward before repeating', () => {
    expect(Array.from(seasonalNaive([1, NaN, 3, 4], 2, 3))).toEqual([3, 4, 3]);
    expect(Array.from(seasonalNaive([1, 2, NaN, 4, NaN], 2, 3))).toEqual([4, 4, 4]);
  });

  it('reproduces the airline 1960 seasonal-naive MAE (574 / 12)', () => {
    const y1959 = [360, 342, 406, 396, 420, 472, 548, 559, 463, 407, 362, 405];
    const y1960 = [417, 391, 419, 461, 472, 535, 622, 606, 508, 461, 390, 432];
    const naive = seasonalNaive([100, 200, ...y1959], 12, 12);
    expect(Array.from(naive)).toEqual(y1959);
    // |diffs|: 57 49 13 65 52 63 74 47 45 54 28 27
    expect(mae(y1960, naive)).toBeCloseTo(574 / 12, TOL);
  });
});

describe('scoreForecast and averageScores', () => {
  it('scores the median and the quantiles together', () => {
    const s = scoreForecast([10, 20], [11, 20], [0.1, 0.5, 0.9], [[8, 15], [11, 20], [14, 22]], [1, 3, 2], 1);
    expect(s.mae).toBeCloseTo(0.5, TOL);
    expect(s.rmse).toBeCloseTo(Math.sqrt(0.5), TOL);
    expect(s.mape).toBeCloseTo(5, TOL);
    expect(s.smape).toBeCloseTo((2 / 21 / 2) * 100, TOL);
    expect(s.mase).toBeCloseTo(0.5 / 1.5, TOL);
    expect(s.wql).toBeCloseTo(0.04, TOL);
  });

  it('averages per metric, skipping NaN', () => {
    const a = { mae: 1, rmse: 2, mape: NaN, smape: 4, mase: 1, wql: 0.1, coverage80: 50 };
    const b = { mae: 3, rmse: 4, mape: 10, smape: 6, mase: NaN, wql: 0.3, coverage80: 100 };
    const avg = averageScores([a, b]);
    expect(avg.mae).toBe(2);
    expect(avg.mape).toBe(10);
    expect(avg.mase).toBe(1);
    expect(avg.wql).toBeCloseTo(0.2, TOL);
  });
});
